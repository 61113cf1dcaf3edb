"""Every generated spreadsheet and Excel-bound CSV: sheet titles Excel accepts, text that never runs as a formula.

Both go through metrics.spreadsheets (sheet_title, neutralise); each file is generated with hostile
names and opened again here.
"""

import csv
import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from metrics.assignments import indicators_for
from metrics.catalogue import export_workbook, import_workbook
from metrics.models import Area, DataValue, Department, Indicator
from metrics.spreadsheets import SHEET_TITLE_MAX, neutralise, read_text, sheet_title
from reports.imports import services as import_services
from reports.imports import workbook as entry_workbook
from reports.models import User
from reports.summary import services as summary_services
from tests.factories import department_form

EXCEL_FORBIDS = re.compile(r"[\[\]:*?/\\]")
SLASHED = "县教育局/体育局"
HOSTILE_NAME = "[试点]/区域:甲*乙?丙\\丁——一个非常非常非常非常非常非常长的名字"
FORMULA = "=cmd|' /C calc'!A0"


# --- the one function for titles ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SLASHED, "县教育局_体育局"),
        ("a[b]c:d*e?f/g\\h", "a_b_c_d_e_f_g_h"),
        ("x" * 40, "x" * 31),
        ("'quoted'", "quoted"),
        ("", "Sheet"),
        ("\x00\x07", "__"),
        ("History", "History(2)"),
    ],
)
def test_sheet_title(text, expected):
    assert sheet_title(text) == expected


def test_sheet_titles_cut_to_the_same_31_characters_stay_unique():
    first = sheet_title("甲" * 40)
    second = sheet_title("甲" * 40 + "乙", taken=[first])
    third = sheet_title("甲" * 35, taken=[first, second])
    assert len({first, second, third}) == 3
    assert all(len(t) <= SHEET_TITLE_MAX for t in (first, second, third))


@pytest.mark.parametrize("text", ["=1+1", "+1", "-x", "@a", "\tx", "\rx", "ok", "", "'=x", "''+x", "'ok"])
def test_read_text_undoes_neutralise(text):
    assert read_text(neutralise(text)) == text


def _titles_ok(content):
    workbook = load_workbook(io.BytesIO(content))
    for title in workbook.sheetnames:
        assert len(title) <= SHEET_TITLE_MAX and not EXCEL_FORBIDS.search(title), title
    return workbook


def _no_formulas(workbook):
    """No cell is a formula, and no text cell starts like one."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate}={cell.value}"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), cell.value


@pytest.fixture
def hostile_names(demo):
    """Police named with a slash and a formula, an indicator and an area with every forbidden character."""
    police = Department.objects.get(code="police")
    Department.objects.filter(pk=police.pk).update(name=f"{FORMULA}{SLASHED}")
    indicator = min(indicators_for(police), key=lambda i: i.order)
    Indicator.objects.filter(pk=indicator.pk).update(name=HOSTILE_NAME)
    Area.objects.filter(pk=indicator.area_id).update(name=HOSTILE_NAME)
    values = DataValue.objects.filter(department=police)
    values.update(note="-2+3")
    values.filter(pk=values.order_by("pk").first().pk).update(note="@SUM(1+1)")
    return Department.objects.get(pk=police.pk), Indicator.objects.get(pk=indicator.pk)


# --- every spreadsheet -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["summary_table", "breakdown_table", "monthly_table"])
def test_table_exports(hostile_names, name):
    _police, indicator = hostile_names
    client = Client()
    client.force_login(User.objects.get(username="leader"))
    args = [] if name == "summary_table" else [indicator.code]
    response = client.get(reverse(name, args=args), {"period": "2023H1", "department": "police", "export": "xlsx"})
    assert response.status_code == 200
    _no_formulas(_titles_ok(response.content))


@pytest.mark.django_db
def test_summary_annex(hostile_names):
    content, _version, _missing = summary_services.build_export(period="2023H1", format="xlsx")
    workbook = _titles_ok(content)
    _no_formulas(workbook)
    assert "_试点__区域_甲_乙_丙_丁" in "".join(workbook.sheetnames)


@pytest.mark.django_db
def test_entry_workbook(hostile_names):
    police, _indicator = hostile_names
    content = import_services.template_for(department=police, form=department_form(police), year=2023)
    workbook = _titles_ok(content)
    _no_formulas(workbook)
    sheet = workbook[entry_workbook.SHEET_TITLE]
    assert sheet["A1"].value.startswith("'" + FORMULA)
    # What we wrote reads back: the clerk's upload of the untouched workbook is a valid file.
    clerk = User.objects.get(username="clerk_police")
    _batch, plan = import_services.upload_workbook(user=clerk, filename="x.xlsx", data=content)
    assert not plan.refused


@pytest.mark.django_db
def test_catalogue_workbook(hostile_names):
    workbook = _titles_ok(export_workbook())
    _no_formulas(workbook)


@pytest.mark.django_db
def test_catalogue_workbook_round_trip_keeps_text_starting_with_a_sign(demo):
    """A name starting with - or + is marked on export and read back unmarked: re-importing changes nothing."""
    Department.objects.filter(code="police").update(name="-县公安局+")
    data = export_workbook()
    _no_formulas(load_workbook(io.BytesIO(data)))
    result = import_workbook(data)
    assert not result.created and not result.updated
    assert Department.objects.get(code="police").name == "-县公安局+"


@pytest.mark.django_db
@pytest.mark.parametrize("bom", [True, False])
def test_export_values_csv_neutralises_notes_and_reads_back(hostile_names, tmp_path, bom):
    """export_values (--bom: for Excel) writes no cell starting a formula; import_values reads it back unchanged."""
    path = tmp_path / "values.csv"
    call_command("export_values", "-o", str(path), "--department", "police", *(["--bom"] if bom else []))
    text = path.read_text(encoding="utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert "'@SUM(1+1)" in cells and "'-2+3" in cells
    out = io.StringIO()
    call_command("import_values", str(path), "--dry-run", stdout=out, stderr=io.StringIO())
    assert "修改 0" in out.getvalue()
