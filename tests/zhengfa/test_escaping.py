"""Escaping: a `<script>` planted in a department name, an indicator name, a value's note, a
return reason and the summary template's text is shown as text on every page, in the charts'
data and in every export; CSV/XLSX cells starting with = + - @ are neutralised."""

import csv
import io
import json

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from metrics.assignments import indicators_for
from metrics.models import DataValue, Department, Indicator
from reports.models import User
from reports.reporting import workflow
from reports.reporting.models import MonthlyReport, ReportAction, ReportState
from reports.summary import services as summary_services
from reports.summary.models import SummaryTemplate

PAYLOAD = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
# Django's json_script (chart data) escapes < > & as \u003C \u003E \u0026.
JSON_ESCAPED = "\\u003Cscript\\u003Ealert(1)\\u003C/script\\u003E"
FORMULA = '=HYPERLINK("http://example.invalid","点我")'

pytestmark = pytest.mark.django_db


@pytest.fixture
def planted(demo):
    """Department A (police) and its first indicator renamed with the payload; a note and a return
    reason on A's July report carrying it; another indicator named like a formula; the payload
    as a line of the 2023H1 summary template."""
    police = Department.objects.get(code="police")
    Department.objects.filter(pk=police.pk).update(name=f"县公安局{PAYLOAD}")
    indicator = min(indicators_for(police), key=lambda i: i.order)
    Indicator.objects.filter(pk=indicator.pk).update(name=f"{PAYLOAD}{indicator.name}")
    formula_indicator = min(indicators_for(Department.objects.get(code="court")), key=lambda i: i.order)
    Indicator.objects.filter(pk=formula_indicator.pk).update(name=FORMULA)
    report = MonthlyReport.objects.filter(department=police).order_by("-month").first()
    DataValue.objects.filter(indicator=indicator, department=police, month=report.month).update(note=f"{PAYLOAD}备注")
    reviewer = User.objects.get(username="reviewer")
    if report.state == ReportState.SUBMITTED:
        workflow.perform(ReportAction.RETURN, report=report, user=reviewer, reason=f"{PAYLOAD}请核实")
    template = SummaryTemplate.objects.get(period="2023H1")
    summary_services.save_template(
        period="2023H1", title=template.title, body=template.body + f"\n{PAYLOAD}", user=reviewer
    )
    return {"indicator": Indicator.objects.get(pk=indicator.pk), "report": report, "police": police}


def _page(username, url):
    client = Client()
    client.force_login(User.objects.get(username=username))
    response = client.get(url)
    assert response.status_code in (200, 400), (url, response.status_code)
    return response.content.decode()


def _pages(planted):
    indicator, report = planted["indicator"], planted["report"]
    report_args = ["police", report.form.code, report.month.year, report.month.month]
    table_query = "?period=2023H1"
    return [
        ("clerk_police", reverse("home")),
        ("clerk_police", reverse("entry_list")),
        ("clerk_police", reverse("report_entry", args=report_args)),
        ("reviewer", reverse("report_entry", args=report_args)),
        ("reviewer", reverse("report_history", args=report_args)),
        ("reviewer", reverse("review_queue")),
        ("reviewer", reverse("completeness")),
        ("leader", reverse("dashboard")),
        ("leader", reverse("dashboard") + "?department=police"),
        ("leader", reverse("summary_table") + table_query),
        ("leader", reverse("breakdown_table", args=[indicator.code]) + table_query),
        ("leader", reverse("monthly_table", args=[indicator.code]) + table_query),
        ("reviewer", reverse("summary_preview", args=["2023H1"])),
        ("reviewer", reverse("summary_edit", args=["2023H1"])),
        ("admin", reverse("admin:metrics_department_changelist")),
        ("admin", reverse("admin:metrics_indicator_changelist")),
    ]


def test_planted_script_is_escaped_on_every_page(planted):
    """No page carries the raw payload; each shows it escaped (as text, or in json_script data)."""
    problems = []
    for username, url in _pages(planted):
        page = _page(username, url)
        if PAYLOAD in page:
            problems.append(f"{url} as {username}: raw {PAYLOAD} in the page")
        if ESCAPED not in page and JSON_ESCAPED not in page:
            problems.append(f"{url} as {username}: the planted text is not shown at all (the check would be empty)")
    assert not problems, "\n".join(problems)


def test_chart_data_carries_the_payload_only_as_json_text(planted):
    """The dashboard's figures (plotly's hover text and axis labels included) come as json_script data:
    parsed back, the names are the literal text, never markup in the page."""
    page = _page("leader", reverse("dashboard") + "?department=police")
    start = page.index('<script id="dashboard-charts" type="application/json">') + len(
        '<script id="dashboard-charts" type="application/json">'
    )
    data = page[start : page.index("</script>", start)]
    assert PAYLOAD not in data
    assert PAYLOAD in json.dumps(json.loads(data), ensure_ascii=False)


def test_api_answers_json_not_html(planted):
    client = Client()
    client.force_login(User.objects.get(username="leader"))
    response = client.get(reverse("api_summary") + "?period=2023H1&department=police")
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"


def _table_export(fmt, planted, path="summary_table", args=()):
    client = Client()
    client.force_login(User.objects.get(username="leader"))
    response = client.get(reverse(path, args=args) + f"?period=2023H1&export={fmt}")
    assert response.status_code == 200
    return response.content


def test_csv_export_keeps_the_text_and_neutralises_formulas(planted):
    text = _table_export("csv", planted).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert any(PAYLOAD in cell for cell in cells)
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
    assert any(cell.startswith("'=HYPERLINK") for cell in cells)


def _cells(content):
    workbook = load_workbook(io.BytesIO(content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def test_xlsx_table_export_has_no_formula_cells(planted):
    cells = _cells(_table_export("xlsx", planted))
    assert any(isinstance(c.value, str) and PAYLOAD in c.value for c in cells)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(isinstance(c.value, str) and c.value.startswith("'=HYPERLINK") for c in cells)


def test_summary_xlsx_export_has_no_formula_cells(planted):
    """The half-year Excel export writes names as text: nothing in it is a formula."""
    content, _version, _missing = summary_services.build_export(period="2023H1", format="xlsx")
    cells = _cells(content)
    assert any(isinstance(c.value, str) and PAYLOAD in c.value for c in cells)
    formulas = [f"{c.parent.title}!{c.coordinate}={c.value}" for c in cells if c.data_type == "f"]
    assert not formulas


def test_summary_docx_shows_the_payload_as_text(planted):
    """The Word export carries the template's planted line literally (text, not markup)."""
    content, _version, _missing = summary_services.build_export(period="2023H1", format="docx")
    document = Document(io.BytesIO(content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert PAYLOAD in text


def test_summary_xlsx_survives_an_area_name_excel_forbids_in_sheet_titles(planted):
    """An area named with / or [ ] (forbidden in sheet titles) still exports, under a cleaned title."""
    from metrics.models import Area

    area = Area.objects.order_by("order").first()
    Area.objects.filter(pk=area.pk).update(name="维稳/综治[重点]")
    content, _version, _missing = summary_services.build_export(period="2023H1", format="xlsx")
    titles = load_workbook(io.BytesIO(content)).sheetnames
    assert "维稳_综治_重点_" in titles
