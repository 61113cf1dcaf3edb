"""Historic data: import_values and export_values, the long CSV format, and its bad files."""

import datetime
import io
import time
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from metrics.models import DataValue, Department, Indicator, Status
from reports.imports import csvfile
from reports.imports.errors import ImportFileError
from reports.models import User
from reports.reporting.models import MonthlyReport, ReportAction, ReportEvent, ReportState

pytestmark = pytest.mark.django_db

HEADER = "department,indicator,month,value,note\n"


def export(*args):
    out = io.StringIO()
    call_command("export_values", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def import_file(tmp_path, text, *args, encoding="utf-8"):
    path = tmp_path / "values.csv"
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_values", str(path), *args, stdout=out, stderr=err)
    except CommandError as error:
        return None, str(error), err.getvalue()
    return out.getvalue(), "", err.getvalue()


def snapshot():
    return (
        sorted(DataValue.objects.values_list("pk", "value", "note", "status")),
        DataValue.history.count(),
        sorted(MonthlyReport.objects.values_list("pk", "state", "version")),
    )


def empty_database():
    DataValue.history.all().delete()
    DataValue.objects.all().delete()
    MonthlyReport.objects.all().delete()


# --- the format ------------------------------------------------------------------------------


def test_rows_read_the_same_with_or_without_bom():
    text = HEADER + 'police,security.terror_cases,2023-05,3,"说明,含逗号"\n'
    plain = csvfile.read_rows(text.encode(), max_bytes=10**6, max_rows=10)
    bom = csvfile.read_rows(b"\xef\xbb\xbf" + text.encode(), max_bytes=10**6, max_rows=10)
    # Excel's 「CSV UTF-8」: a BOM and CRLF line ends.
    excel = csvfile.read_rows(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode(), max_bytes=10**6, max_rows=10)
    assert plain == bom == excel
    (row,) = plain
    assert (row.line, row.month, row.value, row.note) == (2, datetime.date(2023, 5, 1), Decimal(3), "说明,含逗号")


def test_line_numbers_count_lines_of_the_file_even_with_multiline_notes():
    text = HEADER + 'police,a,2023-05,1,"第一行\n第二行"\npolice,b,2023-13,2,\n'
    rows = csvfile.read_rows(text.encode(), max_bytes=10**6, max_rows=10)
    assert [r.line for r in rows] == [2, 4]
    assert "YYYY-MM" in rows[1].errors[0]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "文件是空的"),
        ("单位,指标,月份,数值,备注\n".encode(), "表头应为"),
        (HEADER.encode("utf-8") + "police,a,2023-05,1,公安\n".encode("gbk"), "第 2 行不是 UTF-8"),
        (b"PK\x03\x04rest-of-a-workbook", "Excel 工作簿"),
        (HEADER.encode() + b"police,a,2023-05,1,\x00\n", "二进制"),
    ],
)
def test_unreadable_files_are_refused_with_a_chinese_message(data, message):
    with pytest.raises(ImportFileError, match=message):
        csvfile.read_rows(data, max_bytes=10**6, max_rows=10)


# --- round trip ---------------------------------------------------------------------------------


def test_export_import_into_an_empty_database_export_round_trips_byte_for_byte(demo, tmp_path):
    """export → import into an empty database → export gives identical bytes."""
    first = export()
    assert first.startswith(HEADER)
    assert len(first.splitlines()) == DataValue.objects.count() + 1
    assert ",,blank" in first or "," in first  # sanity: CSV text
    empty_database()
    assert export() == HEADER
    out, error, _ = import_file(tmp_path, first)
    assert error == "" and "导入完成" in out
    assert export() == first


def test_imported_values_are_approved_by_the_administrator_and_audited(demo, tmp_path):
    empty_database()
    text = HEADER + "justice,mediation.debts_recovered,2021-03,12.5,旧台账\njustice,mediation.aid_cases,2021-03,,\n"
    text = text.replace("mediation.aid_cases", "legal_service.aid_cases")
    out, error, _ = import_file(tmp_path, text)
    assert error == "", error
    admin = User.objects.get(username="admin")
    value = DataValue.objects.get(indicator__code="mediation.debts_recovered", month=datetime.date(2021, 3, 1))
    assert (value.value, value.note, value.status) == (Decimal("12.5"), "旧台账", Status.APPROVED)
    assert value.history.first().history_user == admin
    missing = DataValue.objects.get(indicator__code="legal_service.aid_cases", month=datetime.date(2021, 3, 1))
    assert missing.value is None  # an empty value is missing, not zero
    report = MonthlyReport.objects.get(
        department__code="justice", form__code="justice_monthly", month=datetime.date(2021, 3, 1)
    )
    assert report.state == ReportState.APPROVED and report.approved_by == admin
    assert not report.is_late(datetime.date(2026, 1, 1))
    assert ReportEvent.objects.filter(report=report, action=ReportAction.HISTORIC, user=admin).exists()


def test_user_option_names_the_administrator(demo, tmp_path):
    text = HEADER + "justice,mediation.debts_recovered,2021-03,1,\n"
    _out, error, _ = import_file(tmp_path, text, "--user", "clerk_justice")
    assert "不是管理员" in error
    _out, error, _ = import_file(tmp_path, text, "--user", "nobody")
    assert "找不到用户" in error
    User.objects.create(username="admin2", role="admin")
    out, error, _ = import_file(tmp_path, text, "--user", "admin2")
    value = DataValue.objects.get(indicator__code="mediation.debts_recovered", month=datetime.date(2021, 3, 1))
    assert value.history.first().history_user.username == "admin2"


def test_importing_what_is_stored_changes_nothing(demo, tmp_path):
    """Approved months exported and imported back: not one value, history record or report touched."""
    text = export("--to", "2023-06")
    before = snapshot()
    out, error, _ = import_file(tmp_path, text)
    assert error == "" and "修改 0" in out and "新增 0" in out
    assert snapshot() == before


def test_importing_the_same_file_twice_changes_nothing_the_second_time(demo, tmp_path):
    """The first import approves the open July report; the second changes nothing at all."""
    text = export("--department", "justice") + "justice,mediation.debts_recovered,2021-03,7,\n"
    out, error, _ = import_file(tmp_path, text)
    assert error == "" and "新增 1" in out
    assert (
        MonthlyReport.objects.get(
            department__code="justice", form__code="justice_monthly", month=datetime.date(2023, 7, 1)
        ).state
        == "approved"
    )
    before = snapshot()
    out, error, _ = import_file(tmp_path, text)
    assert error == "" and "新增 0" in out and "修改 0" in out
    assert snapshot() == before


def test_bom_and_dry_run(demo, tmp_path):
    text = HEADER + "justice,mediation.debts_recovered,2021-03,7,\n"
    before = snapshot()
    out, error, _ = import_file(tmp_path, "\ufeff" + text, "--dry-run")
    assert error == "" and "检查通过" in out and "新增 1" in out
    assert snapshot() == before
    out, error, _ = import_file(tmp_path, "\ufeff" + text)
    assert error == "" and DataValue.objects.filter(month=datetime.date(2021, 3, 1)).count() == 1


# --- bad rows and bad files -----------------------------------------------------------------------


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_imported(demo, tmp_path):
    future = datetime.date.today().year + 1
    lines = [
        "justice,mediation.debts_recovered,2021-03,5,",  # 2: good
        "nowhere,mediation.debts_recovered,2021-03,5,",  # 3
        "justice,no.such,2021-03,5,",  # 4
        "justice,mediation.debts_recovered,2021/03,5,",  # 5
        "justice,legal_service.aid_cases,2021-03,约5,",  # 6
        "justice,legal_service.aid_cases,2021-04,-1,",  # 7
        "justice,legal_service.aid_cases,2021-05,1.5,",  # 8
        "justice,mediation.debts_recovered,2021-03,6,",  # 9: duplicate of 2
        "police,mediation.debts_recovered,2021-03,5,",  # 10: not police's indicator
        "zfw,enforcement.conclusion_rate,2021-03,50,",  # 11: a ratio
        f"justice,mediation.debts_recovered,{future}-01,5,",  # 12
        "justice,mediation.debts_recovered,2021-06",  # 13
    ]
    before = snapshot()
    _out, error, report = import_file(tmp_path, HEADER + "\n".join(lines) + "\n")
    assert "11 行数据有问题" in error and "未导入任何数据" in error
    reasons = dict(line.split("：", 1) for line in report.strip().splitlines())
    assert sorted(reasons) == sorted(f"第 {n} 行" for n in range(3, 14))
    assert "未知单位代码「nowhere」" in reasons["第 3 行"]
    assert "未知指标代码「no.such」" in reasons["第 4 行"]
    assert "YYYY-MM" in reasons["第 5 行"]
    assert "不是数字" in reasons["第 6 行"] or "请填写数字" in reasons["第 6 行"]
    assert "负数" in reasons["第 7 行"]
    assert "整数" in reasons["第 8 行"]
    assert "与第 2 行重复" in reasons["第 9 行"]
    assert "不在县公安局的任何报表中（报表：县司法局月报由县司法局填报）" in reasons["第 10 行"]
    assert "计算比率" in reasons["第 11 行"] or "未知指标" in reasons["第 11 行"]
    assert "尚未到来" in reasons["第 12 行"]
    assert "应有 5 列" in reasons["第 13 行"]
    assert snapshot() == before


def test_rows_changing_an_approved_month_are_refused(demo, tmp_path):
    january = DataValue.objects.filter(department__code="justice", month=datetime.date(2023, 1, 1)).first()
    text = HEADER + f"justice,{january.indicator.code},2023-01,{int(january.value) + 1},\n"
    before = snapshot()
    _out, error, report = import_file(tmp_path, text)
    assert "第 2 行" in report and "已审核" in report
    assert snapshot() == before


def test_cross_field_rules_refuse_the_rows_involved(demo, tmp_path):
    text = (
        HEADER
        + "justice,mediation.enterprise_disputes_found,2021-03,3,\n"
        + "justice,mediation.enterprise_disputes_resolved,2021-03,5,\n"
    )
    _out, error, report = import_file(tmp_path, text)
    assert report.startswith("第 2 行：") and "不能大于" in report and "涉及第 2、3 行" in report


def test_not_a_csv_file(demo, tmp_path):
    before = snapshot()
    _out, error, _ = import_file(tmp_path, b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 200)
    assert "Excel 工作簿，不是 CSV" in error
    _out, error, _ = import_file(tmp_path, "单位,指标\n公安,1\n", encoding="gbk")
    assert "UTF-8" in error
    _out, error, _ = import_file(tmp_path, "a,b,c\n")
    assert "表头应为" in error
    assert snapshot() == before


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(demo, tmp_path, settings, monkeypatch):
    from reports.imports import historic as services

    settings.IMPORT_CSV_MAX_BYTES = 100
    monkeypatch.setattr(services, "import_historic_csv", lambda **kw: pytest.fail("read an oversized file"))
    _out, error, _ = import_file(tmp_path, HEADER + "justice,x,2021-03,1,\n" * 10)
    assert "文件过大" in error and "上限为 100 B" in error


def test_100000_rows_are_refused_fast_without_changing_anything(demo, tmp_path):
    """Over the row limit, the command stops at the first row too many instead of working through the file."""
    rows = "".join(f"justice,mediation.debts_recovered,20{10 + n % 10}-{n % 12 + 1:02d},{n},\n" for n in range(100_000))
    before = snapshot()
    started = time.monotonic()
    _out, error, _ = import_file(tmp_path, HEADER + rows)
    assert time.monotonic() - started < 10
    assert "数据超过 50000 行" in error and "第 50002 行" in error
    assert snapshot() == before


def test_export_filters(demo):
    text = export("--department", "justice", "--from", "2023-05", "--to", "2023-06", "--approved-only")
    lines = text.splitlines()[1:]
    assert lines and all(line.startswith("justice,") for line in lines)
    assert {line.split(",")[2] for line in lines} == {"2023-05", "2023-06"}
    with pytest.raises(CommandError, match="未知单位代码"):
        export("--department", "nowhere")
    with pytest.raises(CommandError, match="YYYY-MM"):
        export("--from", "2023/05")


def test_export_to_a_file_with_bom_imports_back(demo, tmp_path):
    path = tmp_path / "out.csv"
    call_command(
        "export_values", "-o", str(path), "--bom", "--department", "justice", "--to", "2023-06", stderr=io.StringIO()
    )
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + HEADER.encode())
    assert Department.objects.filter(code="justice").exists()
    before = snapshot()
    out, error, _ = import_file(tmp_path, data)
    assert error == "" and snapshot() == before


# --- many departments reporting one indicator ------------------------------------------------------

SHARED = {
    "stability.litigation_risks_found": ["court", "procuratorate", "police", "justice"],
    "traffic.hazards_found": ["police", "transport"],
    "traffic.hazards_fixed": ["police", "transport"],
}


def test_two_years_of_shared_indicators_import_and_sum_over_their_reporters(demo, tmp_path):
    """The issue's CSV: four departments report one indicator, two the road hazards; totals are the rows' sums."""
    from metrics.aggregation import summarize
    from metrics.periods import parse_period

    rows, expected = [], {}
    for year in (2020, 2021):
        for month in range(1, 13):
            for code, departments in SHARED.items():
                for n, department in enumerate(departments):
                    value = (year - 2019) * 10 + month + n * 3
                    rows.append(f"{department},{code},{year}-{month:02d},{value},\n")
                    expected[(year, code)] = expected.get((year, code), 0) + value
    out, error, _ = import_file(tmp_path, HEADER + "".join(rows))
    assert error == "", error
    for year in (2020, 2021):
        figures = summarize(parse_period(str(year)), indicators=Indicator.objects.filter(code__in=SHARED)).by_code()
        for code in SHARED:
            assert figures[code].value == expected[(year, code)], (year, code)
    # Each row went to the report of the form its department reports it through.
    police_2020 = MonthlyReport.objects.filter(department__code="police", month__year=2020)
    assert set(police_2020.values_list("form__code", flat=True)) == {"police_monthly", "zf_units_monthly"}
    assert MonthlyReport.objects.filter(department__code="transport", month__year=2021).count() == 12


def test_a_department_not_assigned_an_indicator_is_refused_naming_the_forms(demo, tmp_path):
    before = snapshot()
    _out, error, listing = import_file(tmp_path, HEADER + "education,stability.litigation_risks_found,2021-03,4,\n")
    assert "整个文件未导入" in error
    assert "第 2 行" in listing and "不在县教育和体育局的任何报表中" in listing and "政法各单位月报由" in listing
    assert snapshot() == before


def test_a_historic_month_counts_as_on_time_by_its_forms_own_deadline(demo, tmp_path):
    """Imported months are stamped as submitted on the deadline: the form's day, not the county default."""
    from metrics.forms import Form

    Form.objects.filter(code="justice_monthly").update(deadline_day=3)
    _out, error, _ = import_file(tmp_path, HEADER + "justice,mediation.enterprise_disputes_found,2021-03,4,\n")
    assert error == "", error
    report = MonthlyReport.objects.get(department__code="justice", form__code="justice_monthly", month="2021-03-01")
    assert report.deadline == datetime.date(2021, 4, 3)
    assert not report.submitted_late and not report.is_late()
