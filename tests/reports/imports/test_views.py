"""The Excel import pages: download, upload, preview, commit; who may use them."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from metrics.models import DataValue, Department
from reports.imports import services
from reports.imports.models import ImportBatch
from reports.models import User
from tests.factories import department_form
from tests.reports.imports.helpers import cell, edit

pytestmark = pytest.mark.django_db

FOUND = "mediation.enterprise_disputes_found"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx(data, name="司法局2023.xlsx"):
    return SimpleUploadedFile(name, data, content_type=XLSX)


@pytest.fixture
def template(demo):
    return services.template_for(
        department=Department.objects.get(code="justice"),
        form=department_form(Department.objects.get(code="justice")),
        year=2023,
    )


def test_clerk_downloads_their_departments_workbook(client, login_as):
    login_as("clerk_justice")
    page = client.get(reverse("import_home")).content.decode()
    assert "下载 Excel 填报表" in page and "上传并预览" in page and "县司法局" in page
    assert "县公安局" not in page  # a clerk picks only their own department
    response = client.get(reverse("import_template"), {"department": "justice", "year": "2023"})
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["数据填报", "备注"]
    assert client.get(reverse("import_template"), {"department": "police", "year": "2023"}).status_code == 403


def test_leaders_have_no_import_page(client, login_as):
    login_as("leader")
    assert client.get(reverse("import_home")).status_code == 403


def test_home_page_links_the_import_for_clerks_and_reviewers(client, login_as):
    login_as("clerk_justice")
    assert reverse("import_home") in client.get(reverse("home")).content.decode()
    login_as("leader")
    assert reverse("import_home") not in client.get(reverse("home")).content.decode()


def test_upload_preview_then_commit(client, login_as, template):
    """Upload shows the preview and writes nothing; the confirm button writes; the batch then shows as written."""
    login_as("clerk_justice")
    data = edit(template, {cell(template, FOUND, 8): 21})
    before = DataValue.objects.count()
    response = client.post(reverse("import_upload"), {"file": xlsx(data)})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("import_preview", args=[batch.pk])
    page = client.get(response["Location"]).content.decode()
    assert DataValue.objects.count() == before
    assert "导入预览：县司法局 2023年" in page and "确认写入 1 项" in page
    assert "为企业排查劳资合同借贷纠纷" in page and "2023年8月" in page and "新增" in page
    # The many unchanged cells are folded away below the ones that matter.
    shown, folded = page.split('<details class="unchanged">')
    assert shown.count('<tr class="st-new">') == 1 and '<tr class="st-unchanged">' not in shown
    assert "不变的" in folded and folded.count('<tr class="st-unchanged">') > 50

    plan = services.plan_batch(batch=batch, user=User.objects.get(username="clerk_justice"))
    response = client.post(reverse("import_commit", args=[batch.pk]), {"fingerprint": plan.fingerprint}, follow=True)
    page = response.content.decode()
    assert "已写入：新增 1 项" in page and "这个文件已经写入" in page
    assert DataValue.objects.count() == before + 1


def test_a_refused_cell_disables_the_commit(client, login_as, template):
    login_as("clerk_justice")
    data = edit(template, {cell(template, FOUND, 1): 99999, cell(template, FOUND, 8): 1})
    response = client.post(reverse("import_upload"), {"file": xlsx(data)}, follow=True)
    page = response.content.decode()
    assert "整个文件不能写入" in page and "已审核锁定" in page and "确认写入" not in page
    batch = ImportBatch.objects.get()
    before = DataValue.objects.count()
    response = client.post(reverse("import_commit", args=[batch.pk]), {"fingerprint": "x"}, follow=True)
    assert DataValue.objects.count() == before
    assert "数据已有变化" in response.content.decode() or "未写入" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"just some text", "不是 Excel 工作簿"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "旧版 Excel"),
    ],
)
def test_a_bad_file_gets_a_chinese_message_and_nothing_is_kept(client, login_as, data, message):
    login_as("clerk_justice")
    response = client.post(reverse("import_upload"), {"file": xlsx(data, "x.xlsx")})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_an_oversized_upload_is_refused_from_its_size(client, login_as, template, settings):
    settings.IMPORT_MAX_BYTES = 1000
    login_as("clerk_justice")
    response = client.post(reverse("import_upload"), {"file": xlsx(template)})
    assert response.status_code == 400 and "文件过大" in response.content.decode()


def test_no_file_chosen(client, login_as):
    login_as("clerk_justice")
    response = client.post(reverse("import_upload"), {})
    assert response.status_code == 400 and "请选择" in response.content.decode()


def test_other_departments_batches_are_out_of_reach(client, login_as, template):
    user = User.objects.get(username="clerk_justice")
    batch, _plan = services.upload_workbook(user=user, filename="a.xlsx", data=template)
    login_as("clerk_police")
    assert client.get(reverse("import_preview", args=[batch.pk])).status_code == 403
    assert client.post(reverse("import_commit", args=[batch.pk]), {"fingerprint": "x"}).status_code == 403
    assert "a.xlsx" not in client.get(reverse("import_home")).content.decode()
    login_as("reviewer")
    assert client.get(reverse("import_preview", args=[batch.pk])).status_code == 200
