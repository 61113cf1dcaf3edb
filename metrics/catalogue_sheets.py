"""The catalogue workbook's format: its sheets and columns, reading an upload, writing rows to .xlsx.

One sheet per table (SHEETS), a header row of column names, one row per object.
Reading refuses a file that is too big, not an .xlsx, a zip bomb or damaged,
unknown sheets or columns, error cells, and more than MAX_ROWS rows; the cell
parsers (`text`, `code`, `integer`, `boolean`, `choice`) refuse formulas, control
characters (NUL, line breaks where one line is due), dates where text is due,
text over the field's length and unknown choices, each with a Chinese reason.
What the rows mean is metrics.catalogue's business.
"""

import io
import re
import zipfile
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook

from metrics.spreadsheets import neutralise, read_text, sheet_title

SHEETS = {
    "areas": (gettext_lazy("工作领域"), ["code", "name", "order", "core"]),
    "departments": (gettext_lazy("报送单位"), ["code", "name", "kind", "parent", "order", "active"]),
    "indicators": (
        _("指标"),
        [
            "code",
            "area",
            "name",
            "unit",
            "kind",
            "numerator",
            "denominator",
            "better",
            "decimals",
            "headline",
            "order",
            "active",
            "description",
        ],
    ),
    "forms": (gettext_lazy("报表"), ["code", "name", "deadline_day", "order", "active"]),
    "form_indicators": (gettext_lazy("报表指标"), ["form", "indicator", "order"]),
    "assignments": (gettext_lazy("报表分配"), ["form", "department", "kind", "parent"]),
}
# Columns a sheet may leave out (defaults: order = row position, booleans as the model's default, …).
REQUIRED = {
    "areas": {"code", "name"},
    "departments": {"code", "name"},
    "indicators": {"code", "area", "name", "unit", "kind"},
    "forms": {"code", "name"},
    "form_indicators": {"form", "indicator"},
    "assignments": {"form"},
}
MAX_ROWS = 20000  # per sheet: a city's 500 departments × their forms fit many times over
MAX_EXPANSION = 20  # uncompressed XML beyond this multiple of the size limit is a zip bomb
CODE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab and newlines are judged per field
YES, NO = {"yes", "y", "true", "1", "是"}, {"no", "n", "false", "0", "否", ""}


class CatalogueError(Exception):
    """The workbook was refused and nothing changed; `problems` are the Chinese reasons, one per bad row."""

    def __init__(self, problems):
        super().__init__("\n".join(problems))
        self.problems = problems


class Bad(ValueError):
    """One cell's problem (a Chinese reason)."""


def where(sheet, row):
    """'indicators（指标）第 5 行' (row 0: the sheet itself)."""
    name = f"{sheet}（{SHEETS[sheet][0]}）" if sheet in SHEETS else _("工作表「%(sheet)s」") % {"sheet": sheet}
    return name if not row else _("%(sheet)s第 %(row)d 行") % {"sheet": name, "row": row}


# --- cells ----------------------------------------------------------------------------------


def text(raw, *, max_length, required=False, multiline=False):
    """A cell as stripped text; numbers become their digits (a code typed as 123)."""
    if raw is None:
        value = ""
    elif isinstance(raw, bool):
        raise Bad(_("应为文字，不能是逻辑值"))
    elif isinstance(raw, int | float | Decimal):
        value = str(int(raw)) if raw == int(raw) else str(raw)
    elif isinstance(raw, str):
        value = read_text(raw).strip()
    else:
        raise Bad(_("应为文字，不能是日期或时间"))
    if len(value) > max_length:
        raise Bad(_("超过 %(n)d 个字符（%(got)d 个）") % {"n": max_length, "got": len(value)})
    if value.startswith("="):
        raise Bad(_("不能是公式（%(text)s）") % {"text": value[:30]})
    if CONTROL.search(value) or (not multiline and re.search(r"[\t\r\n]", value)):
        raise Bad(_("含有控制字符（如 NUL、换行）"))
    if required and not value:
        raise Bad(_("不能为空"))
    return value


def code(raw, *, max_length, required=True):
    """A code: letters, digits, _ . - (the first not . or -)."""
    value = text(raw, max_length=max_length, required=required)
    if value and not CODE.match(value):
        raise Bad(_("代码「%(code)s」只能包含字母、数字、下划线、点和连字符") % {"code": value[:40]})
    return value


def integer(raw, *, low, high, default):
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return default
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise Bad(_("应为整数"))
    try:
        number = Decimal(str(raw).strip())
    except ArithmeticError:
        raise Bad(_("「%(text)s」不是整数") % {"text": str(raw)[:30]}) from None
    if not number.is_finite() or number != number.to_integral_value() or not low <= number <= high:
        raise Bad(
            _("应为 %(low)d 到 %(high)d 之间的整数（%(got)s）") % {"low": low, "high": high, "got": str(raw)[:30]}
        )
    return int(number)


def boolean(raw, *, default):
    if raw is None:
        return default
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in YES:
        return True
    if word in NO:
        return default if word == "" else False
    raise Bad(_("应为 yes 或 no（「%(text)s」）") % {"text": str(raw)[:30]})


def choice(raw, choices, *, required):
    value = text(raw, max_length=40, required=required)
    if value and value not in choices.values:
        raise Bad(
            _("未知取值「%(text)s」（可选：%(allowed)s）") % {"text": value[:30], "allowed": "、".join(choices.values)}
        )
    return value


# --- reading ---------------------------------------------------------------------------------


def read_workbook(data):
    """{sheet: [(row number, {column: cell value})]} of an uploaded catalogue; CatalogueError for a bad file."""
    limit = settings.IMPORT_MAX_BYTES
    if len(data) > limit:
        raise CatalogueError([_("文件过大（%(n)d 字节），上限 %(limit)d 字节。") % {"n": len(data), "limit": limit}])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        expanded = sum(info.file_size for info in archive.infolist())
        is_workbook = "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        is_workbook, expanded = False, 0
    if not is_workbook:
        raise CatalogueError([_("文件不是 Excel 工作簿（.xlsx），无法读取。")])
    if expanded > limit * MAX_EXPANSION:
        raise CatalogueError([_("文件解压后过大，不像是指标目录，已拒绝。")])
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many types for damaged files
        raise CatalogueError([_("文件已损坏，无法读取。")]) from error
    problems, sheets = [], {}
    try:
        for ws in workbook.worksheets:
            if ws.title not in SHEETS:
                problems.append(
                    _("未知工作表「%(sheet)s」（应为：%(names)s）。")
                    % {"sheet": ws.title[:40], "names": "、".join(SHEETS)}
                )
                continue
            sheets[ws.title] = _read_sheet(ws, problems)
    finally:
        workbook.close()
    if problems:
        raise CatalogueError(problems)
    return sheets


def _read_sheet(ws, problems):
    sheet, rows, header = ws.title, [], None
    for number, cells in enumerate(ws.iter_rows(), start=1):
        if number > MAX_ROWS + 1:
            problems.append(_("%(where)s超过 %(n)d 行。") % {"where": where(sheet, 0), "n": MAX_ROWS})
            break
        if header is None:
            header = [str(getattr(c, "value", None) or "").strip() for c in cells]
            problems.extend(_header_problems(sheet, header))
            continue
        values = {}
        for column, cell in zip(header, cells, strict=False):
            value = getattr(cell, "value", None)
            if getattr(cell, "data_type", None) == "e":
                problems.append(
                    _("%(where)s：%(column)s 是错误值。") % {"where": where(sheet, number), "column": column}
                )
            if column and value is not None:
                values[column] = value
        if values:
            rows.append((number, values))
    return rows


def _header_problems(sheet, header):
    place, columns = where(sheet, 1), SHEETS[sheet][1]
    named = [c for c in header if c]
    problems = [
        _("%(where)s：未知列「%(column)s」（可用：%(columns)s）。")
        % {"where": place, "column": c[:40], "columns": "、".join(columns)}
        for c in named
        if c not in columns
    ]
    problems += [
        _("%(where)s：列「%(column)s」重复。") % {"where": place, "column": c} for c in set(named) if named.count(c) > 1
    ]
    problems += [
        _("%(where)s：缺少列「%(column)s」。") % {"where": place, "column": c}
        for c in columns
        if c in REQUIRED[sheet] and c not in named
    ]
    return problems


# --- writing ---------------------------------------------------------------------------------


def write_workbook(sheets):
    """.xlsx bytes of {sheet: [[cell, …]]} (header first): text cells stay text, never formulas."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet, rows in sheets.items():
        ws = workbook.create_sheet(sheet_title(sheet))
        for row in rows:
            ws.append([neutralise(value) for value in row])  # text stays text, even one that looks like a formula
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
