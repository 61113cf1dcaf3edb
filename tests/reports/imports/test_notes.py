"""Notes travel in the entry workbook: the 备注 sheet is filled on download and read back on upload."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from metrics.models import DataValue, Department
from reports.imports import services, workbook
from reports.models import User
from tests.factories import department_form
from tests.reports.imports.helpers import cell, edit

pytestmark = pytest.mark.django_db

FOUND = "mediation.enterprise_disputes_found"
RESOLVED = "mediation.enterprise_disputes_resolved"
AUGUST = datetime.date(2023, 8, 1)


@pytest.fixture
def justice(demo):
    return Department.objects.get(code="justice")


@pytest.fixture
def clerk(demo):
    return User.objects.get(username="clerk_justice")


def _template(justice):
    return services.template_for(department=justice, form=department_form(justice), year=2023)


def _import(data, clerk):
    batch, plan = services.upload_workbook(user=clerk, filename="司法局.xlsx", data=data)
    return batch, plan


def test_the_download_carries_the_stored_notes_in_a_notes_sheet(justice):
    DataValue.objects.filter(department=justice, indicator__code=FOUND, month="2023-06-01").update(
        note="含两起集体纠纷"
    )
    data = _template(justice)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == [workbook.SHEET_TITLE, workbook.NOTES_TITLE]
    notes = wb[workbook.NOTES_TITLE]
    assert notes[cell(data, FOUND, 6)].value == "含两起集体纠纷"  # the same cell as the figure
    assert [c.value for c in notes[workbook.HEADER_ROW]][:4] == ["指标代码", "指标名称", "单位", "1月"]


def test_a_note_written_in_the_workbook_is_imported_with_its_figure(justice, clerk):
    template = _template(justice)
    data = edit(template, {cell(template, FOUND, 8): 30})
    data = edit(data, {cell(template, FOUND, 8): "企业集中排查，数量上升"}, sheet=workbook.NOTES_TITLE)
    batch, plan = _import(data, clerk)
    change = next(c for c in plan.shown if c.code == FOUND and c.month == AUGUST)
    assert change.status == services.NEW and change.new_note == "企业集中排查，数量上升"
    services.commit_batch(batch=batch, user=clerk, fingerprint=plan.fingerprint)
    value = DataValue.objects.get(department=justice, indicator__code=FOUND, month=AUGUST)
    assert (value.value, value.note) == (30, "企业集中排查，数量上升")
    # Exported again, the note comes back where it was written: export → import → export keeps it.
    again = load_workbook(io.BytesIO(_template(justice)))[workbook.NOTES_TITLE]
    assert again[cell(template, FOUND, 8)].value == "企业集中排查，数量上升"


def test_a_note_alone_is_a_change_and_an_emptied_note_cell_removes_it(justice, clerk):
    DataValue.objects.filter(department=justice, indicator__code=FOUND, month="2023-07-01").update(note="旧备注")
    template = _template(justice)
    data = edit(template, {cell(template, RESOLVED, 7): "新备注"}, sheet=workbook.NOTES_TITLE)
    data = edit(data, {cell(template, FOUND, 7): None}, sheet=workbook.NOTES_TITLE)
    batch, plan = _import(data, clerk)
    changes = {c.code: c for c in plan.shown if c.month == datetime.date(2023, 7, 1)}
    assert changes[FOUND].status == services.CHANGED and changes[FOUND].new_note == ""
    assert changes[RESOLVED].status == services.CHANGED and changes[RESOLVED].new_note == "新备注"
    services.commit_batch(batch=batch, user=clerk, fingerprint=plan.fingerprint)
    stored = dict(
        DataValue.objects.filter(
            department=justice, month="2023-07-01", indicator__code__in=[FOUND, RESOLVED]
        ).values_list("indicator__code", "note")
    )
    assert stored == {FOUND: "", RESOLVED: "新备注"}


def test_a_workbook_without_a_notes_sheet_leaves_notes_alone(justice, clerk):
    DataValue.objects.filter(department=justice, indicator__code=FOUND, month="2023-07-01").update(note="保留")
    template = _template(justice)
    wb = load_workbook(io.BytesIO(edit(template, {cell(template, FOUND, 8): 31})))
    del wb[workbook.NOTES_TITLE]
    out = io.BytesIO()
    wb.save(out)
    batch, plan = _import(out.getvalue(), clerk)
    assert [c.code for c in plan.writes] == [FOUND]
    services.commit_batch(batch=batch, user=clerk, fingerprint=plan.fingerprint)
    assert DataValue.objects.get(department=justice, indicator__code=FOUND, month="2023-07-01").note == "保留"


@pytest.mark.parametrize(
    "note,reason",
    [('=HYPERLINK("x")', "公式"), ("长" * 600, "")],
)
def test_bad_notes_are_refused_and_nothing_is_written(justice, clerk, note, reason):
    template = _template(justice)
    data = edit(template, {cell(template, FOUND, 8): 30})
    data = edit(data, {cell(template, FOUND, 8): note}, sheet=workbook.NOTES_TITLE)
    batch, plan = _import(data, clerk)
    refused = [c for c in plan.refused if c.code == FOUND]
    assert refused and "备注!" in refused[0].reason and reason in refused[0].reason
    assert not plan.ok
    with pytest.raises(services.ImportFileError):
        services.commit_batch(batch=batch, user=clerk, fingerprint=plan.fingerprint)
    assert not DataValue.objects.filter(department=justice, indicator__code=FOUND, month=AUGUST).exists()


def test_a_note_that_looks_like_a_formula_stays_text_both_ways(justice, clerk):
    DataValue.objects.filter(department=justice, indicator__code=FOUND, month="2023-07-01").update(note="=1+1")
    data = _template(justice)
    written = load_workbook(io.BytesIO(data))[workbook.NOTES_TITLE][cell(data, FOUND, 7)]
    # Marked as every generated text cell is (metrics.spreadsheets.neutralise): text, never a formula.
    assert (written.value, written.data_type) == ("'=1+1", "s")
    _batch, plan = _import(data, clerk)
    assert plan.ok and not plan.writes  # read back as the same text: nothing to change


def test_a_note_for_an_indicator_not_in_the_data_sheet_is_refused(justice, clerk):
    template = _template(justice)
    data = edit(template, {"A40": "unknown.code", "D40": "说明"}, sheet=workbook.NOTES_TITLE)
    _batch, plan = _import(data, clerk)
    assert any("unknown.code" in reason for _row, reason in plan.row_problems) and not plan.ok
