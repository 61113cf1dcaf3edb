"""The inputs of issue 20 that gave a 500, one by one: each is refused with a Chinese message and changes nothing.

The fuzz test (test_fuzz.py) sends the same kinds of values everywhere; these pin the reported cases.
"""

import datetime
import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from metrics.models import DataValue, Department
from metrics.periods import FIRST_YEAR, LAST_YEAR
from reports.models import User
from reports.notifications.models import Notification
from reports.reporting import errors, workflow
from reports.reporting.models import MonthlyReport
from reports.summary.models import SummaryTemplate, SummaryTemplateVersion
from tests.factories import department_form

pytestmark = pytest.mark.django_db

CJK = re.compile("[\u4e00-\u9fff]")


def _client(username):
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username=username))
    return client


def _rows():
    return (
        DataValue.objects.count(),
        DataValue.history.count(),
        list(MonthlyReport.objects.order_by("pk").values_list("pk", "version", "state")),
        list(SummaryTemplate.objects.order_by("pk").values_list("pk", "version", "title", "signatory")),
        SummaryTemplateVersion.objects.count(),
        Notification.objects.unread().count(),
    )


def _refused(response, before):
    assert response.status_code < 500, response.status_code
    page = response.content.decode("utf-8", "replace")
    assert CJK.search(page)
    assert _rows() == before
    return page


# --- NUL bytes in query parameters and addresses --------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args", "query"),
    [
        ("summary_table", [], {"period": "2023H1", "department": "police\x00"}),
        ("summary_table", [], {"period": "2023H1", "area": "\x00"}),
        ("breakdown_table", ["anti_fraud.cases\x00"], {"period": "2023H1"}),
        ("monthly_table", ["\x00"], {}),
        ("dashboard", [], {"department": "police\x00"}),
        ("import_template", [], {"department": "police\x00", "year": "2023"}),
        ("entry_list", [], {"month": "2023-05", "form": "\x00"}),
    ],
)
def test_nul_in_an_address_or_a_query_is_a_chinese_400(demo, name, args, query):
    before = _rows()
    response = _client("reviewer").get(reverse(name, args=args), query)
    page = _refused(response, before)
    assert response.status_code == 400 and "控制字符" in page


@pytest.mark.parametrize("area", ["\x00", "a\x00b"])
def test_nul_in_the_api_is_a_json_400(demo, area):
    response = _client("reviewer").get(reverse("api_summary"), {"period": "2023H1", "area": area})
    assert response.status_code == 400 and response["Content-Type"].startswith("application/json")
    assert "控制字符" in json.loads(response.content)["error"]


# --- the summary template: NUL, and lengths checked before the database ---------------------------


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("title", "标题\x00", "控制字符"),
        ("body", "一、\x00", "控制字符"),
        ("signatory", "署\x00名", "控制字符"),
        ("note", "说明\x00", "控制字符"),
        ("signatory", "署" * 10_000, "不能超过 100 字"),
        ("title", "标" * 100_000, "不能超过 200 字"),
        ("dated", "2023年" * 100, "不能超过 40 字"),
        ("note", "注" * 201, "不能超过 200 字"),
        ("body", "正" * 50_001, "不能超过 50000 字"),
    ],
)
def test_a_hostile_template_field_is_refused_before_the_database(demo, field, value, says):
    template = SummaryTemplate.objects.order_by("period").first()
    data = {"title": template.title, "body": template.body, "signatory": template.signatory, "dated": "", "note": ""}
    data[field] = value
    before = _rows()
    response = _client("reviewer").post(reverse("summary_edit", args=[template.period]), data)
    page = _refused(response, before)
    assert response.status_code == 400 and says in page


# --- digits that are not ASCII, and ids that are not numbers --------------------------------------


@pytest.mark.parametrize("notification_id", ["²", "١", "abc", "-1", "99999999999999999999999", " "])
def test_a_forged_notification_id_marks_nothing_read(demo, notification_id):
    user = Notification.objects.unread().first().recipient  # someone with unread notices: what "all" would mark
    before = _rows()
    response = _client(user.username).post(reverse("notification_mark_read"), {"id": notification_id}, follow=True)
    page = _refused(response, before)
    assert "无法识别的通知编号" in page


@pytest.mark.parametrize("base", ["abc", "²", "-1", "1.5", "99999999999999999999999"])
def test_a_forged_base_template_creates_nothing(demo, base):
    before = _rows()
    response = _client("reviewer").post(reverse("summary_new"), {"period": "2031H1", "base": base}, follow=True)
    page = _refused(response, before)
    assert "底稿不存在" in page and not SummaryTemplate.objects.filter(period="2031H1").exists()


@pytest.mark.parametrize("year", ["²", "٢٠٢٣", "1", "1899", "3000", "9999", "99999999999"])
def test_a_workbook_year_outside_the_periods_range_is_refused(demo, year):
    response = _client("clerk_police").get(
        reverse("import_template"), {"department": "police", "year": year}, follow=True
    )
    page = _refused(response, _rows())
    assert "年度无效" in page


def test_a_workbook_year_inside_the_periods_range_is_served(demo):
    """The range is metrics.periods', not a second one in the imports (which said 2000–2100)."""
    response = _client("clerk_police").get(reverse("import_template"), {"department": "police", "year": FIRST_YEAR})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")


# --- months outside the years periods accept ------------------------------------------------------


@pytest.mark.parametrize("year", [1, 1899, 9999, 99999999999])
@pytest.mark.parametrize("name", ["report_entry", "report_history", "report_review"])
def test_report_addresses_with_impossible_years_are_404_and_store_nothing(demo, name, year):
    before = _rows()
    url = reverse(name, args=["police", "police_monthly", year, 1])
    for method in ("get", "post"):
        response = getattr(_client("clerk_police" if name != "report_review" else "reviewer"), method)(
            url, {"action": "save", "v_anti_fraud.cases": "1", "version": "0"}
        )
        assert response.status_code in (404, 405)
        if response.status_code == 404:
            assert "页面不存在" in response.content.decode()
    assert _rows() == before
    assert not MonthlyReport.objects.filter(month__lt=datetime.date(FIRST_YEAR, 1, 1)).exists()


@pytest.mark.parametrize("month", [datetime.date(1, 1, 1), datetime.date(FIRST_YEAR - 1, 6, 1)])
def test_the_workflow_refuses_a_month_outside_the_periods_years(demo, month):
    """No path (form, workbook, CSV, code) can start a report no period can ever show."""
    department = Department.objects.get(code="police")
    with pytest.raises(errors.InvalidMonth, match="超出范围"):
        workflow.get_or_create_report(department=department, form=department_form(department), month=month)
    assert not MonthlyReport.objects.filter(month=month).exists()


def test_the_periods_range_is_wide_enough_for_history_and_narrow_enough_for_dates():
    assert FIRST_YEAR > 1 and LAST_YEAR + 1 < 9999


# --- import_values: a month no period accepts is a numbered row error ------------------------------


@pytest.mark.parametrize("month", ["0000-01", "0001-01", "1899-06", "9999-12", "99999999999-01", "²⁰²³-01"])
def test_import_values_refuses_an_impossible_month_as_a_numbered_row(demo, tmp_path, month):
    path = tmp_path / "values.csv"
    path.write_text(f"department,indicator,month,value,note\npolice,anti_fraud.cases,{month},1,\n", encoding="utf-8")
    before = _rows()
    err = io.StringIO()
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_values", str(path), stdout=io.StringIO(), stderr=err)
    assert "第 2 行" in err.getvalue()
    assert _rows() == before


# --- return reasons: capped like notes ------------------------------------------------------------


def test_a_100000_character_return_reason_is_not_stored(demo):
    report = MonthlyReport.objects.filter(department__code="police", state="submitted").order_by("-month").first()
    url = reverse("report_review", args=["police", report.form.code, report.month.year, report.month.month])
    before = _rows()
    response = _client("reviewer").post(
        url, {"action": "return", "reason": "因" * 100_000, "version": report.version}, follow=True
    )
    page = _refused(response, before)
    assert "不能超过 500 字" in page
    report.refresh_from_db()
    assert report.return_reason == ""
