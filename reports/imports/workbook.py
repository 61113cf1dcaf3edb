"""The XLSX entry workbook: build one for a department and year, and read one back.

Pure functions on plain values, no database. The layout (one sheet, 数据填报)::

    A1  title                                   (locked)
    A2  单位代码 | B2 code | C2 年度 | D2 year | E2 报表代码 | F2 form   (locked; identifies the file)
    row 3  月报状态 per month                    (locked)
    row 4  指标代码 | 指标名称 | 单位 | 1月 … 12月 (locked header)
    row 5… one indicator per row; D…O the months (unlocked unless the month is closed)

A second sheet, 备注, has the same rows and month columns and holds each figure's note (说明), so that
notes travel with the figures; a workbook without it (made before notes travelled) leaves notes alone.

Reading uses openpyxl's read_only mode so that a large file streams; the file
is refused before parsing when it is too big, is not an XLSX, has no 数据填报
sheet, has merged cells, or has more rows than allowed.
"""

import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from metrics.formatting import as_number
from metrics.periods import PeriodError, check_year, parse_year
from metrics.spreadsheets import neutralise, read_text, sheet_title
from metrics.validation import NumberError, parse_number
from reports.imports.errors import ImportFileError

SHEET_TITLE = "数据填报"
NOTES_TITLE = "备注"
META_ROW = 2
STATE_ROW = 3
HEADER_ROW = 4
FIRST_DATA_ROW = 5
FIRST_MONTH_COLUMN = 4  # D
MONTHS = range(1, 13)
HEADERS = ["指标代码", "指标名称", "单位"] + [f"{m}月" for m in MONTHS]
# Uncompressed XML beyond this multiple of the size limit is a zip bomb, not a template.
MAX_EXPANSION = 20
# Bytes of sheet XML and of shared strings a template row can take at most (a styled row of
# 15 cells is about 600 bytes, its two texts about 100): more means far more rows than allowed,
# found from the zip directory before openpyxl reads (and parses every shared string of) the file.
SHEET_BYTES_PER_ROW = 2000
STRING_BYTES_PER_ROW = 1000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b")

_THIN = Side(style="thin", color="B9C1C9")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="EEF1F4")
_CLOSED_FILL = PatternFill("solid", fgColor="D9DEE3")
_OPEN_FILL = PatternFill("solid", fgColor="FFFFFF")


@dataclass(frozen=True)
class TemplateRow:
    """One indicator row of the template."""

    code: str
    name: str
    unit: str
    is_count: bool
    is_percentage: bool


def month_column(month_number):
    return get_column_letter(FIRST_MONTH_COLUMN + month_number - 1)


def _validation_for(row):
    if row.is_percentage:
        return ("decimal", "between", "0", "100", _("请填写 0 到 100 之间的数字（百分比）。"))
    if row.is_count:
        return ("whole", "greaterThanOrEqual", "0", None, _("请填写不小于 0 的整数。"))
    return ("decimal", "greaterThanOrEqual", "0", None, _("请填写不小于 0 的数字。"))


def build_template(
    *,
    department_code,
    department_name,
    form_code,
    form_name,
    year,
    rows,
    values,
    month_states,
    closed_months,
    notes=None,
):
    """The workbook as bytes.

    `rows`: TemplateRow list; `values`: {(code, month number): Decimal or None};
    `month_states`: {month number: label shown in row 3}; `closed_months`: month
    numbers whose cells are locked and grey (approved, under review, future);
    `notes`: {(code, month number): text} for the 备注 sheet.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(SHEET_TITLE)

    # Names come from the catalogue: a department called "=…" must not become a formula.
    ws["A1"] = neutralise(
        _("%(department)s %(year)d年 %(form)s 填报表")
        % {"department": department_name, "year": year, "form": form_name}
    )
    ws["A1"].font = Font(size=14, bold=True)
    ws.cell(META_ROW, 1, _("单位代码"))
    ws.cell(META_ROW, 2, neutralise(department_code))
    ws.cell(META_ROW, 3, _("年度"))
    ws.cell(META_ROW, 4, year)
    ws.cell(META_ROW, 5, _("报表代码"))
    ws.cell(META_ROW, 6, neutralise(form_code))
    ws.cell(META_ROW, 7, _("说明：只填写白色单元格；空白表示缺报（不是 0）；灰色月份已上报、已审核或未到，不能修改。"))
    ws.cell(META_ROW, 7).font = Font(color="66737F")
    ws.cell(STATE_ROW, 3, _("月报状态"))
    for month in MONTHS:
        cell = ws.cell(STATE_ROW, FIRST_MONTH_COLUMN + month - 1, str(month_states.get(month, "")))
        cell.font = Font(size=9, color="66737F")
        cell.alignment = Alignment(horizontal="center")
    for column, title in enumerate(HEADERS, start=1):
        cell = ws.cell(HEADER_ROW, column, _(title))
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center")

    validations = {}
    for offset, row in enumerate(rows):
        r = FIRST_DATA_ROW + offset
        for column, text in enumerate((row.code, row.name, row.unit), start=1):
            cell = ws.cell(r, column, neutralise(text))
            cell.border = _BORDER
            cell.fill = _HEADER_FILL
        ws.cell(r, 1).font = Font(size=9, color="66737F")
        kind = _validation_for(row)
        for month in MONTHS:
            cell = ws.cell(r, FIRST_MONTH_COLUMN + month - 1, as_number(values.get((row.code, month))))
            cell.border = _BORDER
            closed = month in closed_months
            cell.protection = Protection(locked=closed)
            cell.fill = _CLOSED_FILL if closed else _OPEN_FILL
            cell.alignment = Alignment(horizontal="right")
        span = f"{month_column(1)}{r}:{month_column(12)}{r}"
        validations.setdefault(kind, []).append(span)

    for (kind, operator, first, second, message), spans in validations.items():
        dv = DataValidation(
            type=kind,
            operator=operator,
            formula1=first,
            formula2=second,
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="stop",
            errorTitle=_("数值无效"),
            error=message,
            showInputMessage=False,
        )
        for span in spans:
            dv.add(span)
        ws.add_data_validation(dv)

    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 36
    ws.column_dimensions["C"].width = 8
    for month in MONTHS:
        ws.column_dimensions[month_column(month)].width = 10
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, FIRST_MONTH_COLUMN)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    # Protect everything but the open month cells; no password, it guards against slips, not people.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False
    from reports.imports import notes_sheet  # here: it reads this module's layout

    notes_sheet.build(wb, title=ws["A1"].value, rows=rows, notes=notes or {}, closed_months=closed_months)
    wb.properties.title = read_text(ws["A1"].value)
    wb.properties.creator = "zhengfa"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@dataclass
class Cell:
    """One month cell as read: `value` (Decimal or None for empty) or `error` (Chinese), never both."""

    coordinate: str
    month: int
    value: Decimal | None = None
    error: str = ""
    raw: str = ""


@dataclass
class SheetRow:
    number: int
    code: str
    name: str
    cells: list = field(default_factory=list)


@dataclass
class ParsedSheet:
    department_code: str
    year: int
    form_code: str = ""  # empty in a workbook made before forms: the department's only form is meant
    rows: list = field(default_factory=list)
    # The 备注 sheet: {(code, month number): notes_sheet.NoteCell}; None when the workbook has no such sheet.
    notes: dict | None = None


def _refuse(message):
    raise ImportFileError(message)


def _check_archive(data, *, max_bytes):
    if len(data) > max_bytes:
        _refuse(
            _("文件过大（%(size)s），上限为 %(limit)s。请只上传本系统下载的填报模板。")
            % {"size": human_size(len(data)), "limit": human_size(max_bytes)}
        )
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        _refuse(_("这是旧版 Excel（.xls）文件，请用 Excel 另存为 .xlsx 后再上传，或重新下载模板。"))
    if not zipfile.is_zipfile(io.BytesIO(data)):
        _refuse(_("文件不是 Excel 工作簿（.xlsx），无法读取。请上传本系统下载的填报模板。"))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        _refuse(_("文件已损坏，无法读取。请重新下载模板填写后上传。"))
    if "xl/workbook.xml" not in names:
        _refuse(_("文件不是 Excel 工作簿（.xlsx），无法读取。请上传本系统下载的填报模板。"))
    if expanded > max_bytes * MAX_EXPANSION:
        _refuse(_("文件解压后过大，不像是填报模板，已拒绝。"))
    return archive


def _has_merged_cells(archive, path):
    """Scan the sheet's XML for <mergeCell> without parsing it (streams, constant memory)."""
    tail = b""
    with archive.open(path) as source:
        while chunk := source.read(1 << 20):
            if _MERGE.search(tail + chunk):
                return True
            tail = chunk[-32:]
    return False


def _text(value):
    """A cell's text as we wrote it (metrics.spreadsheets.read_text), stripped; '' for an empty cell."""
    return "" if value is None else str(read_text(value)).strip()


def _read_cell(cell, month):
    """A month cell's Decimal, or its error: text, formulas, dates and error values are refused."""
    coordinate = f"{month_column(month)}{cell.row}" if hasattr(cell, "row") and cell.row else ""
    value = getattr(cell, "value", None)
    result = Cell(coordinate=coordinate, month=month, raw=_text(value))
    if value is None:
        return result
    data_type = getattr(cell, "data_type", None)
    if data_type == "f" or (isinstance(value, str) and value.startswith("=")):
        result.error = _("单元格是公式（%(formula)s），请填写数值，不要填写公式。") % {"formula": str(value)[:40]}
    elif data_type == "e":
        result.error = _("单元格是错误值（%(value)s），请填写数值。") % {"value": value}
    elif isinstance(value, bool):
        result.error = _("单元格是逻辑值，请填写数值。")
    elif isinstance(value, datetime.date | datetime.time | datetime.timedelta):
        result.error = _("单元格是日期或时间，请填写数值。")
    else:
        try:
            result.value = parse_number(value)
        except NumberError as error:
            result.error = _("「%(text)s」不是数字：%(reason)s") % {"text": _text(value)[:40], "reason": error.message}
    return result


def _check_sizes(archive, *, max_rows):
    for info in archive.infolist():
        name = info.filename
        per_row = (
            STRING_BYTES_PER_ROW
            if name == "xl/sharedStrings.xml"
            else SHEET_BYTES_PER_ROW
            if name.startswith("xl/worksheets/")
            else None
        )
        if per_row and info.file_size > (max_rows + FIRST_DATA_ROW) * per_row:
            _refuse(_("工作表内容过多（远超 %(limit)d 行），不像是填报模板。") % {"limit": max_rows})


def read_template(data, *, max_bytes, max_rows):
    """Read an uploaded workbook (bytes) into a ParsedSheet; ImportFileError when the file cannot be used."""
    archive = _check_archive(data, max_bytes=max_bytes)
    _check_sizes(archive, max_rows=max_rows)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many types for damaged files
        raise ImportFileError(_("文件已损坏或不是 Excel 工作簿，无法读取。")) from error
    try:
        if SHEET_TITLE not in wb.sheetnames:
            _refuse(
                _("找不到工作表「%(sheet)s」（文件中的工作表：%(names)s）。请使用本系统下载的填报模板。")
                % {"sheet": SHEET_TITLE, "names": "、".join(wb.sheetnames)[:200]}
            )
        ws = wb[SHEET_TITLE]
        if ws.max_row is not None and ws.max_row > max_rows + FIRST_DATA_ROW:
            _refuse(
                _("工作表有 %(n)d 行，超过上限 %(limit)d 行，不像是填报模板。") % {"n": ws.max_row, "limit": max_rows}
            )
        if _has_merged_cells(archive, ws._worksheet_path):
            _refuse(_("工作表中有合并单元格，无法按行列读取。请取消合并，或重新下载模板填写。"))
        sheet = _read_rows(ws, max_rows=max_rows)
        if NOTES_TITLE in wb.sheetnames:
            from reports.imports import notes_sheet  # here: it reads this module's layout

            notes = wb[NOTES_TITLE]
            if _has_merged_cells(archive, notes._worksheet_path):
                _refuse(_("「备注」工作表中有合并单元格，无法按行列读取。请取消合并，或重新下载模板填写。"))
            sheet.notes = notes_sheet.read(notes, max_rows=max_rows)
        return sheet
    except (ValueError, ArithmeticError, SyntaxError) as error:
        # Read-only mode parses cells while iterating: a date cell holding 2023-13-45, a number
        # cell holding "²" or XML that is not well-formed fails there (ParseError is a SyntaxError).
        raise ImportFileError(_("工作表中有无法读取的单元格（如损坏的日期或数字），请重新下载模板填写。")) from error
    finally:
        wb.close()


def _read_rows(ws, *, max_rows):
    rows = ws.iter_rows(min_row=1, max_col=len(HEADERS))
    sheet = None
    header_seen = False
    result_rows = []
    for index, cells in enumerate(rows, start=1):
        if index == META_ROW:
            sheet = _read_meta(cells)
        elif index == HEADER_ROW:
            found = [_text(getattr(c, "value", None)) for c in cells]
            found += [""] * (len(HEADERS) - len(found))
            if found != HEADERS:
                _refuse(
                    _("第 4 行表头被修改（应为：%(expected)s）。请重新下载模板填写。")
                    % {"expected": "、".join(HEADERS)}
                )
            header_seen = True
        elif index >= FIRST_DATA_ROW:
            if index - FIRST_DATA_ROW >= max_rows:
                _refuse(_("数据行超过上限 %(limit)d 行，不像是填报模板。") % {"limit": max_rows})
            row = _read_data_row(index, cells)
            if row is not None:
                result_rows.append(row)
    if sheet is None or not header_seen:
        _refuse(_("工作表缺少单位代码、年度或表头，不是本系统的填报模板。"))
    sheet.rows = result_rows
    return sheet


def _read_meta(cells):
    values = [getattr(c, "value", None) for c in cells] + [None] * 6
    if _text(values[0]) != "单位代码" or _text(values[2]) != "年度":
        _refuse(_("第 2 行的单位代码和年度被修改，不是本系统的填报模板。"))
    code = _text(values[1])
    year = values[3]
    if isinstance(year, float) and year.is_integer():
        year = int(year)
    try:
        # Text or a number, within the years periods accept (metrics.periods.check_year).
        year = parse_year(year) if isinstance(year, str) else check_year(year) if type(year) is int else None
    except PeriodError:
        year = None
    if not code or year is None:
        _refuse(_("第 2 行的单位代码或年度无效，不是本系统的填报模板。"))
    form_code = _text(values[5]) if _text(values[4]) == "报表代码" else ""
    return ParsedSheet(department_code=code, year=year, form_code=form_code)


def _read_data_row(number, cells):
    cells = list(cells) + [None] * (len(HEADERS) - len(cells))
    code = _text(getattr(cells[0], "value", None))
    month_cells = cells[FIRST_MONTH_COLUMN - 1 : FIRST_MONTH_COLUMN - 1 + 12]
    if not code and all(getattr(c, "value", None) is None for c in month_cells):
        return None
    row = SheetRow(number=number, code=code, name=_text(getattr(cells[1], "value", None)))
    for month, cell in zip(MONTHS, month_cells, strict=True):
        parsed = _read_cell(cell, month)
        parsed.coordinate = f"{month_column(month)}{number}"
        row.cells.append(parsed)
    return row


def human_size(size):
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"
