"""Summary pages: who may see, edit, export and download; preview marks; the editor refuses bad text."""

import json
import re

import pytest
from django.urls import reverse

from reports.summary.demo import DEMO_PERIOD
from reports.summary.models import SummaryExport
from reports.summary.selectors import template_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_home_entry_links_to_summary_documents(client, login_as):
    login_as("reviewer")
    page = client.get(reverse("home")).content.decode()
    assert reverse("summary_documents") in page


def test_preview_highlights_figures_marks_missing_and_counts_them(client, login_as, django_assert_max_num_queries):
    login_as("reviewer")
    with django_assert_max_num_queries(30):
        response = client.get(reverse("summary_preview", args=[DEMO_PERIOD]))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<span class="fig" role="button" tabindex="0" data-code="anti_fraud.cases"' in page
    assert ">127件</span>" in page and ">同比下降11.81%</span>" in page
    assert 'id="gap-1"' in page and "【缺数：重大事项请示报告备案 · 县委政法委】" in page
    assert "缺数 11 处" in page
    found = re.search(r'<script id="figure-sources" type="application/json">(.*?)</script>', page)
    sources = json.loads(found.group(1))
    cases = sources["anti_fraud.cases"]
    assert cases["departments"] == [{"name": "县公安局", "value": "127件", "previous": "144件"}]
    assert [m["month"] for m in cases["months"]] == [f"{m}月" for m in range(1, 7)]
    assert sources["leadership.major_matter_filings"]["departments"] == [
        {"name": "县委政法委", "value": "—", "previous": "6次"}
    ]


def test_leader_reads_and_downloads_but_does_not_edit_or_export(
    client, login_as, media, django_capture_on_commit_callbacks
):
    login_as("reviewer")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("summary_export", args=[DEMO_PERIOD]), {"format": "xlsx"})
    export = SummaryExport.objects.get()
    login_as("leader")
    assert client.get(reverse("summary_preview", args=[DEMO_PERIOD])).status_code == 200
    download = client.get(reverse("summary_download", args=[export.pk]))
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"] and ".xlsx" in download["Content-Disposition"]
    assert client.get(reverse("summary_edit", args=[DEMO_PERIOD])).status_code == 403
    assert client.post(reverse("summary_export", args=[DEMO_PERIOD]), {"format": "docx"}).status_code == 403
    assert SummaryExport.objects.count() == 1


def test_clerk_sees_nothing_of_the_summary(client, login_as, media):
    login_as("clerk_police")
    assert client.get(reverse("summary_documents")).status_code == 403
    assert client.get(reverse("summary_preview", args=[DEMO_PERIOD])).status_code == 403


def test_files_are_not_served_as_public_media(client, login_as, media, django_capture_on_commit_callbacks):
    login_as("reviewer")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("summary_export", args=[DEMO_PERIOD]), {"format": "xlsx"})
    export = SummaryExport.objects.get()
    client.logout()
    assert client.get("/media/" + export.file.name).status_code in (302, 404)
    assert client.get(reverse("summary_download", args=[export.pk])).status_code == 302  # to login


def test_export_page_flow_and_status_json(client, login_as, media, django_capture_on_commit_callbacks):
    login_as("reviewer")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("summary_export", args=[DEMO_PERIOD]), {"format": "docx"})
    assert response["Location"].endswith("#exports")
    data = client.get(reverse("summary_exports_json", args=[DEMO_PERIOD])).json()
    (row,) = data["exports"]
    assert row["state"] == "done" and row["progress"] == 100 and row["download"]
    assert row["who"] == "审核员" and row["missing"] == 11
    page = client.get(reverse("summary_preview", args=[DEMO_PERIOD])).content.decode()
    assert "下载" in page and "已完成" in page


def test_editor_refuses_unknown_code_pointing_at_the_place(client, login_as):
    login_as("reviewer")
    template = template_for(DEMO_PERIOD)
    body = template.body.replace("【anti_fraud.cases】", "【anti_fraud.case】")
    response = client.post(reverse("summary_edit", args=[DEMO_PERIOD]), {"title": template.title, "body": body})
    page = response.content.decode()
    assert response.status_code == 400
    assert "未保存" in page and "【anti_fraud.case】" in page and "不存在" in page and "anti_fraud.cases" in page
    assert "anti_fraud.case】" in page  # the text typed stays in the editor
    template.refresh_from_db()
    assert template.version == 1


def test_editor_saves_a_version_and_restores_an_old_one(client, login_as):
    login_as("reviewer")
    template = template_for(DEMO_PERIOD)
    response = client.post(
        reverse("summary_edit", args=[DEMO_PERIOD]),
        {"title": template.title, "body": template.body + "\n新增一段【anti_fraud.cases|上年】。", "note": "补充"},
    )
    assert response.status_code == 302
    page = client.get(reverse("summary_edit", args=[DEMO_PERIOD])).content.decode()
    assert "第2版" in page and "补充" in page and "恢复此版" in page and "占位符写法" in page
    client.post(reverse("summary_restore", args=[DEMO_PERIOD, 1]))
    template.refresh_from_db()
    assert template.version == 3 and "新增一段" not in template.body


def test_editor_saves_typed_digits_but_warns_where_they_are(client, login_as):
    """Digits typed in a template do not follow the data: saved, with a warning naming the line."""
    login_as("reviewer")
    template = template_for(DEMO_PERIOD)
    url = reverse("summary_edit", args=[DEMO_PERIOD])
    page = client.get(url).content.decode()
    assert "直接写了数字" in page and "“135”" in page  # the demo's one: the 135 快反 points (a name)
    body = template.body + "\n上半年共召开会议13次。"
    assert client.post(url, {"title": template.title, "body": body}).status_code == 302
    page = client.get(url).content.decode()
    assert "有 2 段直接写了数字" in page and "召开会议13次" in page
    assert 'data-line="' in page and "【年度】" in page


def test_new_period_template_starts_from_an_existing_one(client, login_as):
    login_as("reviewer")
    base = template_for(DEMO_PERIOD)
    response = client.post(reverse("summary_new"), {"period": "2023h2", "base": base.pk})
    assert response["Location"] == reverse("summary_edit", args=["2023H2"])
    new = template_for("2023H2")
    assert new.body == base.body and new.versions.get().note == "以2023H1为底稿新建"
    client.post(reverse("summary_new"), {"period": "2023年下", "base": ""})
    assert template_for("2023年下") is None


def test_index_lists_templates_with_the_filled_title_and_leaders_find_it(client, login_as, settings):
    login_as("leader")
    assert reverse("summary_documents") in client.get(reverse("home")).content.decode()
    page = client.get(reverse("summary_documents")).content.decode()
    assert f"{settings.COUNTY_NAME}委政法委2023年上半年工作总结及下半年工作打算" in page
    assert "审核员" in page  # who saved the demo template
    assert "新建期间模板" not in page and "编辑模板" not in page


def test_the_county_name_comes_from_settings(client, login_as, settings):
    settings.COUNTY_NAME = "洪雅县"
    login_as("reviewer")
    page = client.get(reverse("summary_preview", args=[DEMO_PERIOD])).content.decode()
    assert "洪雅县委政法委2023年上半年工作总结" in page and "平安洪雅县" in page
