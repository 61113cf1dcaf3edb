"""The catalogue workbook: export, import all or nothing, hostile cells refused (metrics.catalogue)."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from metrics import assignments
from metrics.catalogue import SHEETS, CatalogueError, apply, catalogue_rows, export_workbook, import_workbook
from metrics.models import Area, Department, Form, Indicator

pytestmark = pytest.mark.django_db

GOOD = {
    "areas": [["code", "name"], ["grid", "网格化服务管理"]],
    "departments": [
        ["code", "name", "kind", "parent"],
        ["t_county", "某县", "county", None],
        ["t_town1", "甲镇", "town", "t_county"],
        ["t_town2", "乙乡", "town", "t_county"],
    ],
    "indicators": [
        ["code", "area", "name", "unit", "kind", "numerator", "denominator", "better", "decimals", "headline"],
        ["grid.events", "grid", "网格事件", "件", "flow", None, None, "none", 0, "no"],
        ["grid.events_closed", "grid", "网格事件办结", "件", "flow", None, None, "up", 0, "no"],
        [
            "grid.close_rate",
            "grid",
            "网格事件办结率",
            "%",
            "ratio",
            "grid.events_closed",
            "grid.events",
            "up",
            2,
            "yes",
        ],
    ],
    "forms": [["code", "name", "deadline_day"], ["t_grid", "网格月报", 3]],
    "form_indicators": [["form", "indicator"], ["t_grid", "grid.close_rate"]],
    "assignments": [["form", "department", "kind", "parent"], ["t_grid", None, "town", None]],
}


def workbook(sheets):
    """.xlsx bytes of {sheet: [[cell, …]]}, written as a user's Excel would (a text "=…" is a formula)."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_rows(sheet, *rows, base=GOOD):
    sheets = {name: [list(r) for r in table] for name, table in base.items()}
    sheets[sheet] += [list(r) for r in rows]
    return sheets


def content(data):
    book = load_workbook(io.BytesIO(data))
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in book.worksheets}


def counts():
    return (Area.objects.count(), Department.objects.count(), Indicator.objects.count(), Form.objects.count())


def as_rows(sheets):
    """The rows a workbook of `sheets` reads as: {sheet: [(row number, {column: value})]} (NUL and all)."""
    return {
        sheet: [
            (n, {c: v for c, v in zip(table[0], row, strict=False) if v is not None})
            for n, row in enumerate(table[1:], 2)
        ]
        for sheet, table in sheets.items()
    }


def refused(data):
    """The problems of a refused workbook (bytes) or of refused rows (sheets); nothing was written."""
    before = counts()
    with pytest.raises(CatalogueError) as caught:
        import_workbook(data) if isinstance(data, bytes) else apply(as_rows(data))
    assert counts() == before
    return caught.value.problems


def test_a_new_form_for_every_town_with_a_ratio_and_its_components():
    result = import_workbook(workbook(GOOD))
    assert result.created["departments"] == 3 and result.created["indicators"] == 3
    form = Form.objects.get(code="t_grid")
    assert form.deadline_day == 3
    assert [i.indicator.code for i in form.items.order_by("order")] == ["grid.events_closed", "grid.events"]
    towns = Department.objects.filter(code__in=["t_town1", "t_town2"])
    assert {d.code for d in assignments.form_departments(form)} >= {"t_town1", "t_town2"}
    assert {d.top_unit.code for d in towns} == {"t_county"}
    again = import_workbook(workbook(GOOD))
    assert not again.created and not again.updated
    assert again.unchanged["form_indicators"] == 2 and again.unchanged["assignments"] == 1


def test_dry_run_checks_and_writes_nothing():
    before = counts()
    result = import_workbook(workbook(GOOD), dry_run=True)
    assert result.dry_run and result.created["forms"] == 1
    assert counts() == before


def test_updates_by_code_and_moves_a_department():
    import_workbook(workbook(GOOD))
    moved = with_rows("departments", ["t_county2", "另一县", "county", None])
    moved["departments"][2] = ["t_town1", "甲镇（改名）", "town", "t_county2"]
    result = import_workbook(workbook(moved))
    town = Department.objects.get(code="t_town1")
    assert town.name == "甲镇（改名）" and town.parent.code == "t_county2" and town.top_unit.code == "t_county2"
    assert result.updated["departments"] == 1 and result.created["departments"] == 1


@pytest.mark.parametrize(
    "sheet,row,reason",
    [
        ("departments", ["t_bad", "坏\x00单位", "town", None], "控制字符"),
        ("departments", ["t_bad", "=cmd|' /C calc'!A0", "town", None], "公式"),
        ("departments", ["t_bad", "长" * 81, "town", None], "超过 80 个字符"),
        ("departments", ["t_bad", "某单位", "village", None], "未知取值「village」"),
        ("departments", ["t_bad", "某单位", "town", "nowhere"], "上级单位「nowhere」不存在"),
        ("departments", ["t_bad", "某单位\n第二行", "town", None], "控制字符"),
        ("departments", ["t_county", "重复", "county", None], "与第 2 行重复"),
        ("indicators", ["grid.x", "grid", "比率", "%", "ratio", "grid.events", None, "up", 2, "no"], "必须填写分母"),
        (
            "indicators",
            ["grid.x", "grid", "比率", "%", "ratio", "grid.events", "no.such", "up", 2],
            "分母「no.such」不存在",
        ),
        (
            "indicators",
            ["grid.x", "grid", "比率", "%", "ratio", "grid.close_rate", "grid.events"],
            "分子和分母必须是填报指标",
        ),
        ("indicators", ["grid.x", "grid", "件数", "件", "flow", "grid.events", None], "只有计算比率"),
        ("indicators", ["grid.x", "grid", "件数", "件", "count"], "未知取值「count」"),
        ("indicators", ["grid.x", "nowhere", "件数", "件", "flow"], "工作领域「nowhere」不存在"),
        ("indicators", ["grid x", "grid", "件数", "件", "flow"], "只能包含字母"),
        ("indicators", ["grid.x", "grid", "件数", "件", "flow", None, None, "none", 9], "0 到 4 之间的整数"),
        ("forms", ["t_x", "表", 32], "1 到 31 之间的整数"),
        ("form_indicators", ["t_other", "grid.events"], "报表「t_other」不在 forms 表中"),
        ("form_indicators", ["t_grid", "no.such"], "指标「no.such」不存在"),
        ("assignments", ["t_grid", "t_town1", "town", None], "必须且只能填写一列"),
        ("assignments", ["t_grid", None, None, None], "必须且只能填写一列"),
        ("assignments", ["t_grid", "nobody", None, None], "单位「nobody」不存在"),
        ("assignments", ["t_grid", None, "hamlet", None], "未知取值「hamlet」"),
    ],
)
def test_a_bad_row_refuses_the_whole_workbook_naming_sheet_and_row(sheet, row, reason):
    # Control characters cannot be written to an .xlsx (XML refuses them): their rows are checked as read.
    hostile = any(isinstance(v, str) and "\x00" in v for v in row)
    problems = refused(with_rows(sheet, row) if hostile else workbook(with_rows(sheet, row)))
    number = len(GOOD[sheet]) + 1
    assert any(p.startswith(f"{sheet}（{SHEETS[sheet][0]}）第 {number} 行：") and reason in p for p in problems), (
        problems
    )


def test_a_cycle_in_the_parents_is_refused():
    import_workbook(workbook(GOOD))
    cycle = with_rows("departments")
    cycle["departments"][1] = ["t_county", "某县", "county", "t_town2"]
    problems = refused(workbook(cycle))
    assert any("上级单位形成循环：t_county → t_town2 → t_county" in p for p in problems), problems


def test_every_bad_row_is_listed_at_once():
    bad = with_rows("departments", ["t_a", "a\x00", "", None], ["t_b", "b", "moon", None])
    bad = with_rows("forms", ["t_c", "", 5], base=bad)
    problems = refused(bad)
    assert len(problems) == 3
    assert "departments（报送单位）第 5 行：name 含有控制字符（如 NUL、换行）。" in problems


@pytest.mark.parametrize(
    "data,reason",
    [
        (b"not a workbook", "不是 Excel 工作簿"),
        (workbook({**GOOD, "notes": [["x"]]}), "未知工作表「notes」"),
        (workbook({"areas": [["code", "name", "colour"], ["a", "b", "red"]]}), "未知列「colour」"),
        (workbook({"areas": [["code"], ["a"]]}), "缺少列「name」"),
    ],
)
def test_a_file_that_is_not_a_catalogue_is_refused(data, reason):
    assert any(reason in p for p in refused(data))


def test_an_indicator_with_values_cannot_become_a_ratio(demo):
    export = content(export_workbook())
    row = next(r for r in export["indicators"] if r[0] == "anti_fraud.cases")
    row[4], row[5], row[6] = "ratio", "anti_fraud.cases_solved", "anti_fraud.suspects_caught"
    assert any("不能改为计算比率" in p for p in refused(workbook(export)))


def test_the_demo_catalogue_reimports_unchanged(demo):
    data = export_workbook()
    assert content(data) == {sheet: [list(r) for r in rows] for sheet, rows in catalogue_rows().items()}
    result = import_workbook(data)
    assert not result.created and not result.updated


def test_text_that_looks_like_a_formula_is_exported_as_text(demo):
    Department.objects.filter(code="police").update(name="=HYPERLINK(1)")
    book = load_workbook(io.BytesIO(export_workbook()))
    cell = next(c for row in book["departments"].iter_rows() for c in row if c.value == "'=HYPERLINK(1)")
    assert cell.data_type == "s"


def test_commands_export_and_refuse_with_every_problem(tmp_path, capsys):
    import_workbook(workbook(GOOD))
    path = tmp_path / "catalogue.xlsx"
    call_command("export_catalogue", "-o", str(path))
    assert "t_grid" in str(content(path.read_bytes())["forms"])
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook(with_rows("departments", ["t_bad", "x", "star", None])))
    with pytest.raises(CommandError, match="1 处问题，未导入任何内容"):
        call_command("import_catalogue", str(bad))
    assert "departments（报送单位）第 5 行：kind 未知取值「star」" in capsys.readouterr().err


@pytest.mark.django_db(transaction=True)
def test_export_import_into_an_empty_database_export_gives_the_same_workbook(demo):
    """The demo's catalogue survives a trip through an empty database."""
    before = content(export_workbook())
    assert len(before["departments"]) > 1 and len(before["form_indicators"]) > 1
    call_command("flush", interactive=False, verbosity=0)
    assert not Department.objects.exists()
    result = import_workbook(workbook(before))
    assert result.created["indicators"] == len(before["indicators"]) - 1
    assert content(export_workbook()) == before
