"""The entry workbook: what a clerk downloads, and what uploading it back previews and commits."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from metrics.models import DataValue, Department
from reports.imports import services, workbook
from reports.imports.errors import ImportFileError
from reports.models import User
from reports.reporting import selectors, workflow
from reports.reporting.models import MonthlyReport, ReportAction, ReportState
from tests.factories import department_form
from tests.reports.imports.helpers import cell, edit, plain_workbook

pytestmark = pytest.mark.django_db

JULY = datetime.date(2023, 7, 1)
AUGUST = datetime.date(2023, 8, 1)
FOUND = "mediation.enterprise_disputes_found"
RESOLVED = "mediation.enterprise_disputes_resolved"
DEBTS = "mediation.debts_recovered"


@pytest.fixture
def justice(demo):
    return Department.objects.get(code="justice")


@pytest.fixture
def clerk(demo):
    return User.objects.get(username="clerk_justice")


@pytest.fixture
def template(justice):
    return services.template_for(department=justice, form=department_form(justice), year=2023)


def stored(justice, code, month):
    return (
        DataValue.objects.filter(department=justice, indicator__code=code, month=month)
        .values_list("value", flat=True)
        .first()
    )


def upload(data, user):
    return services.upload_workbook(user=user, filename="填报表.xlsx", data=data)


def snapshot():
    return sorted(DataValue.objects.values_list("pk", "value", "note", "status")), DataValue.history.count()


# --- what a clerk downloads ------------------------------------------------------------


def test_template_has_indicators_by_month_with_units_values_validation_and_protection(justice, template):
    """One sheet 数据填报: Chinese header, one row per indicator the department enters, stored figures filled in."""
    wb = load_workbook(io.BytesIO(template))
    assert wb.sheetnames == ["数据填报", "备注"]  # the figures, and their notes in the same cells
    ws = wb["数据填报"]
    assert "县司法局" in ws["A1"].value and "2023年" in ws["A1"].value
    assert [ws.cell(2, c).value for c in range(1, 5)] == ["单位代码", "justice", "年度", 2023]
    assert [c.value for c in ws[4]][:4] == ["指标代码", "指标名称", "单位", "1月"]
    assert ws.cell(4, 15).value == "12月"
    indicators = selectors.report_indicators(justice, department_form(justice))
    codes = [ws.cell(r, 1).value for r in range(5, ws.max_row + 1)]
    assert codes == [i.code for i in indicators]
    debts = codes.index(DEBTS) + 5
    assert ws.cell(debts, 2).value == "索回欠款" and ws.cell(debts, 3).value == "万元"
    january = stored(justice, DEBTS, datetime.date(2023, 1, 1))
    assert january is not None
    assert Decimal(str(ws.cell(debts, 4).value)) == january
    # The month states in row 3: Jan–Jun approved, July returned, August not started.
    assert ws["D3"].value == "已审核" and ws["J3"].value == "已退回" and ws["K3"].value == "未填报"

    # Protection: header and approved months locked, open months editable.
    assert ws.protection.sheet is True
    assert ws["A4"].protection.locked and ws[f"B{debts}"].protection.locked
    assert ws[f"D{debts}"].protection.locked  # January: approved
    assert not ws[f"J{debts}"].protection.locked  # July: returned, editable
    assert not ws[f"K{debts}"].protection.locked  # August: not started

    # Excel data validation: whole numbers ≥ 0 for counts, decimals ≥ 0 for 万元.
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    by_row = {}
    for sqref, dv in rules.items():
        for span in sqref.split():
            by_row[int(span.split(":")[0][1:])] = dv
    assert by_row[debts].type == "decimal" and by_row[debts].operator == "greaterThanOrEqual"
    assert by_row[codes.index(FOUND) + 5].type == "whole"
    assert all(dv.showErrorMessage and dv.error for dv in rules.values())
    assert ws.freeze_panes == "D5"


# --- preview, commit, re-import -----------------------------------------------------------


def test_reimporting_the_downloaded_workbook_changes_nothing(justice, clerk, template):
    """A workbook uploaded as downloaded previews as all unchanged, and committing it writes nothing."""
    before = snapshot()
    batch, plan = upload(template, clerk)
    assert plan.ok and plan.counts["new"] == plan.counts["changed"] == plan.counts["refused"] == 0
    assert plan.counts["unchanged"] > 50
    services.commit_batch(batch=batch, user=clerk, fingerprint=plan.fingerprint)
    assert snapshot() == before


def test_preview_writes_nothing_and_commit_writes_everything_once(justice, clerk, template):
    """Preview lists new and changed cells without writing; commit writes them as the clerk; a re-import is a no-op."""
    july_before = stored(justice, FOUND, JULY)
    data = edit(template, {cell(template, FOUND, 7): int(july_before) + 5, cell(template, FOUND, 8): 17})
    before = snapshot()
    batch, plan = upload(data, clerk)
    assert snapshot() == before
    changes = {(c.code, c.month): c for c in plan.changes}
    assert changes[(FOUND, JULY)].status == "changed" and changes[(FOUND, JULY)].old == july_before
    assert changes[(FOUND, AUGUST)].status == "new" and changes[(FOUND, AUGUST)].new == 17
    assert plan.counts["new"] == 1 and plan.counts["changed"] == 1 and plan.ok

    services.commit_batch(batch=batch, user=clerk, fingerprint=plan.fingerprint)
    assert stored(justice, FOUND, JULY) == july_before + 5
    assert stored(justice, FOUND, AUGUST) == 17
    august = DataValue.objects.get(department=justice, indicator__code=FOUND, month=AUGUST)
    assert august.history.first().history_user == clerk
    # The August report now exists as a draft; July stays returned until resubmitted.
    assert (
        MonthlyReport.objects.get(department=justice, form__code="justice_monthly", month=AUGUST).state
        == ReportState.DRAFT
    )
    assert (
        MonthlyReport.objects.get(department=justice, form__code="justice_monthly", month=JULY).state
        == ReportState.RETURNED
    )

    with pytest.raises(ImportFileError, match="不能重复写入"):
        services.commit_batch(batch=batch, user=clerk, fingerprint=plan.fingerprint)
    after = snapshot()
    again, plan = upload(data, clerk)
    assert plan.counts["new"] == plan.counts["changed"] == 0
    services.commit_batch(batch=again, user=clerk, fingerprint=plan.fingerprint)
    assert snapshot() == after


def test_an_emptied_cell_clears_the_figure_as_missing_not_zero(justice, clerk, template):
    july = stored(justice, DEBTS, JULY)
    assert july is not None
    batch, plan = upload(edit(template, {cell(template, DEBTS, 7): None}), clerk)
    change = next(c for c in plan.changes if c.code == DEBTS and c.month == JULY)
    assert change.status == "changed" and change.new is None and "缺报" in change.reason
    services.commit_batch(batch=batch, user=clerk, fingerprint=plan.fingerprint)
    value = DataValue.objects.get(department=justice, indicator__code=DEBTS, month=JULY)
    assert value.value is None


def test_approved_month_is_refused_until_a_reviewer_reopens_it(justice, clerk, template, demo):
    """Changing an approved month refuses the whole file; after a reviewer reopens the month it goes through."""
    january = datetime.date(2023, 1, 1)
    old = stored(justice, FOUND, january)
    data = edit(template, {cell(template, FOUND, 1): int(old) + 1, cell(template, FOUND, 8): 3})
    before = snapshot()
    batch, plan = upload(data, clerk)
    refused = [c for c in plan.changes if c.status == "refused"]
    assert len(refused) == 1 and refused[0].month == january and "已审核" in refused[0].reason
    assert not plan.ok
    with pytest.raises(ImportFileError, match="整个文件未写入"):
        services.commit_batch(batch=batch, user=clerk, fingerprint=plan.fingerprint)
    assert snapshot() == before  # August's good cell was not written either

    reviewer = User.objects.get(username="reviewer")
    report = MonthlyReport.objects.get(department=justice, form__code="justice_monthly", month=january)
    workflow.perform(ReportAction.REOPEN, report=report, user=reviewer, reason="更正1月数据")
    batch, plan = upload(data, clerk)
    assert plan.ok and plan.counts["changed"] == 1 and plan.counts["new"] == 1
    services.commit_batch(batch=batch, user=clerk, fingerprint=plan.fingerprint)
    assert stored(justice, FOUND, january) == old + 1


def test_submitted_month_is_refused_as_under_review(demo, template):
    police = Department.objects.get(code="police")
    data = services.template_for(department=police, form=department_form(police), year=2023)
    code = selectors.report_indicators(police, department_form(police))[0].code
    _batch, plan = upload(edit(data, {cell(data, code, 7): 9999}), User.objects.get(username="clerk_police"))
    (refused,) = plan.refused
    assert "审核中" in refused.reason


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("约5", "不是数字"),
        ("=1+2", "公式"),
        (-3, "负数"),
        (2.5, "整数"),
        (True, "逻辑值"),
        (datetime.datetime(2023, 8, 1), "日期"),
    ],
)
def test_a_bad_cell_is_refused_with_its_reason_and_nothing_is_written(justice, clerk, template, value, reason):
    """Text, formulas, negatives, fractions of a count, booleans, dates: refused per cell, nothing written."""
    data = edit(template, {cell(template, FOUND, 8): value, cell(template, FOUND, 9): 4})
    before = snapshot()
    batch, plan = upload(data, clerk)
    (refused,) = plan.refused
    assert refused.coordinate == cell(template, FOUND, 8) and reason in refused.reason
    with pytest.raises(ImportFileError):
        services.commit_batch(batch=batch, user=clerk, fingerprint=plan.fingerprint)
    assert snapshot() == before


def test_numbers_typed_as_text_pass_like_on_the_form(justice, clerk, template):
    """Full-width digits and thousands separators are read as the entry form reads them."""
    data = edit(template, {cell(template, FOUND, 8): "１２", cell(template, DEBTS, 8): "1,234.5"})
    _batch, plan = upload(data, clerk)
    news = {c.code: c.new for c in plan.changes if c.month == AUGUST}
    assert news == {FOUND: Decimal(12), DEBTS: Decimal("1234.5")}


def test_cross_field_rules_warn_but_do_not_block(justice, clerk, template):
    data = edit(template, {cell(template, FOUND, 8): 3, cell(template, RESOLVED, 8): 5})
    batch, plan = upload(data, clerk)
    assert plan.ok
    assert any("不能大于" in line for line in plan.warnings[AUGUST])


def test_commit_refuses_when_the_figures_moved_since_the_preview(justice, clerk, template):
    batch, plan = upload(edit(template, {cell(template, FOUND, 8): 3}), clerk)
    report = workflow.get_or_create_report(department=justice, form=department_form(justice), month=AUGUST)
    workflow.perform(ReportAction.SAVE, report=report, user=clerk, values={FOUND: Decimal(4)})
    with pytest.raises(services.StaleImport):
        services.commit_batch(batch=batch, user=clerk, fingerprint=plan.fingerprint)
    assert stored(justice, FOUND, AUGUST) == 4


def test_future_months_are_refused(justice, clerk):
    year = datetime.date.today().year + 1
    data = services.template_for(department=justice, form=department_form(justice), year=year)
    _batch, plan = upload(edit(data, {cell(data, FOUND, 1): 1}), clerk)
    (refused,) = plan.refused
    assert "尚未到来" in refused.reason


# --- who may import ------------------------------------------------------------------------


def test_a_clerk_imports_only_their_own_department(demo, template):
    with pytest.raises(services.ImportPermissionError, match="县司法局"):
        upload(template, User.objects.get(username="clerk_police"))
    with pytest.raises(services.ImportPermissionError):
        upload(template, User.objects.get(username="leader"))


def test_reviewers_and_administrators_import_for_any_department(justice, template):
    for value, username in enumerate(("reviewer", "admin"), start=2):
        user = User.objects.get(username=username)
        batch, plan = upload(edit(template, {cell(template, FOUND, 9): value}), user)
        services.commit_batch(batch=batch, user=user, fingerprint=plan.fingerprint)
    value = DataValue.objects.get(department=justice, indicator__code=FOUND, month=datetime.date(2023, 9, 1))
    assert value.value == 3
    assert [h.history_user.username for h in value.history.all()] == ["admin", "reviewer"]


# --- bad files ---------------------------------------------------------------------------------


def refused(data, user, match):
    before = snapshot()
    batches = services.ImportBatch.objects.count()
    with pytest.raises(ImportFileError, match=match):
        upload(data, user)
    assert snapshot() == before
    assert services.ImportBatch.objects.count() == batches


def test_not_a_spreadsheet(clerk):
    refused(b"department,indicator\nthis is text", clerk, "不是 Excel")
    refused("这是一段文字".encode(), clerk, "不是 Excel")
    refused(b"", clerk, "不是 Excel")


def test_old_xls_and_damaged_zip(clerk):
    refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, clerk, r"\.xls")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    refused(out.getvalue(), clerk, "不是 Excel")
    refused(b"PK\x03\x04" + b"garbage" * 100, clerk, "不是 Excel|损坏")


def test_wrong_sheet(clerk):
    refused(plain_workbook([["a", "b"], [1, 2]], title="Sheet1"), clerk, "找不到工作表「数据填报」")


def test_header_or_identity_cells_modified(clerk, template):
    refused(edit(template, {"E4": "五月"}), clerk, "表头被修改")
    refused(edit(template, {"A2": "部门"}), clerk, "第 2 行")
    refused(edit(template, {"D2": "二〇二三"}), clerk, "年度无效")


def test_unknown_department_code(clerk, template):
    refused(edit(template, {"B2": "nowhere"}), clerk, "单位代码「nowhere」不存在")


def test_unknown_or_foreign_indicator_rows_are_refused(clerk, template):
    """A row with an unknown code or another department's indicator is refused with its row number."""
    row = int(cell(template, FOUND, 1)[1:])
    data = edit(template, {f"A{row}": "no.such_indicator", f"A{row + 1}": "security.terror_cases"})
    before = snapshot()
    batch, plan = upload(data, clerk)
    reasons = [r for _n, r in plan.row_problems]
    assert any(f"第 {row} 行" in r and "未知指标代码「no.such_indicator」" in r for r in reasons)
    assert any(f"第 {row + 1} 行" in r and "（报表：县公安局月报由县公安局填报）" in r for r in reasons)
    with pytest.raises(ImportFileError):
        services.commit_batch(batch=batch, user=clerk, fingerprint=plan.fingerprint)
    assert snapshot() == before


def test_merged_cells(clerk, template):
    wb = load_workbook(io.BytesIO(template))
    wb["数据填报"].merge_cells("D6:E6")
    out = io.BytesIO()
    wb.save(out)
    refused(out.getvalue(), clerk, "合并单元格")


def test_file_over_the_size_limit_is_refused_before_parsing(clerk, template, settings, monkeypatch):
    settings.IMPORT_MAX_BYTES = len(template) - 1

    def never(*args, **kwargs):
        raise AssertionError("parsed a file over the limit")

    monkeypatch.setattr(workbook, "load_workbook", never)
    refused(template, clerk, "文件过大")


def test_a_sheet_of_100000_rows_is_refused_fast(clerk):
    """A huge sheet is refused from its dimension, in well under the time it would take to read."""
    import time

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(workbook.SHEET_TITLE)
    ws.append(["填报表"])
    ws.append(["单位代码", "justice", "年度", 2023])
    ws.append([])
    ws.append(workbook.HEADERS)
    for n in range(100_000):
        ws.append([f"x.{n}", "指标", "件", n])
    out = io.BytesIO()
    wb.save(out)
    started = time.monotonic()
    refused(out.getvalue(), clerk, "远超 2000 行")
    assert time.monotonic() - started < 3


def test_rows_over_the_limit_are_refused_while_reading(clerk, template, settings):
    """Rows past the limit stop the reading (for files whose size gave nothing away)."""
    rows = len(selectors.report_indicators(clerk.department, department_form(clerk.department)))
    settings.IMPORT_XLSX_MAX_ROWS = rows - 1
    refused(template, clerk, f"数据行超过上限 {rows - 1} 行")


def test_a_zip_bomb_is_refused(clerk, settings):
    settings.IMPORT_MAX_BYTES = 200_000
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", " " * 50_000_000)
    refused(out.getvalue(), clerk, "解压后过大")
