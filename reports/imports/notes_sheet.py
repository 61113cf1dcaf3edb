"""The 备注 sheet of the entry workbook: each figure's note in the same row and month column as the figure.

Notes travel with the figures: the download fills in the stored notes, the upload brings them back (an
emptied cell removes its note). Built and read beside 数据填报 by reports.imports.workbook.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font, Protection

from metrics.spreadsheets import neutralise
from reports.imports.errors import ImportFileError
from reports.imports.workbook import (
    _BORDER,
    _CLOSED_FILL,
    _HEADER_FILL,
    _OPEN_FILL,
    FIRST_DATA_ROW,
    FIRST_MONTH_COLUMN,
    HEADER_ROW,
    HEADERS,
    META_ROW,
    MONTHS,
    NOTES_TITLE,
    _text,
    month_column,
)


@dataclass
class NoteCell:
    """One cell of the 备注 sheet as read: its text, or why it cannot be a note."""

    coordinate: str
    row: int
    text: str = ""
    error: str = ""


def refuse(message):
    raise ImportFileError(message)


def build(wb, *, title, rows, notes, closed_months):
    """The 备注 sheet: the same indicator rows and month columns as 数据填报, a note in each cell."""
    ws = wb.create_sheet(NOTES_TITLE)
    ws["A1"] = _("%(title)s · 备注") % {"title": title}
    ws["A1"].font = Font(size=14, bold=True)
    ws.cell(
        META_ROW,
        1,
        _("每个单元格是「数据填报」同一位置数值的备注（如异常数据的原因），随数据一起导入；清空即删除备注。"),
    )
    ws.cell(META_ROW, 1).font = Font(color="66737F")
    for column, header in enumerate(HEADERS, start=1):
        cell = ws.cell(HEADER_ROW, column, _(header))
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
    for offset, row in enumerate(rows):
        r = FIRST_DATA_ROW + offset
        for column, text in enumerate((row.code, row.name, row.unit), start=1):
            cell = ws.cell(r, column, text)
            cell.border = _BORDER
            cell.fill = _HEADER_FILL
        for month in MONTHS:
            # A note is text, never a formula ("=…"): marked as every generated cell is, read back by read_text.
            cell = ws.cell(r, FIRST_MONTH_COLUMN + month - 1, neutralise(notes.get((row.code, month)) or None))
            cell.border = _BORDER
            closed = month in closed_months
            cell.protection = Protection(locked=closed)
            cell.fill = _CLOSED_FILL if closed else _OPEN_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 36
    for month in MONTHS:
        ws.column_dimensions[month_column(month)].width = 18
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, FIRST_MONTH_COLUMN)
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def read(ws, *, max_rows):
    """{(code, month number): NoteCell} of the 备注 sheet's filled cells; formulas and errors are refused."""
    notes = {}
    for number, cells in enumerate(ws.iter_rows(min_row=FIRST_DATA_ROW, max_col=len(HEADERS)), start=FIRST_DATA_ROW):
        if number - FIRST_DATA_ROW >= max_rows:
            refuse(_("「备注」工作表超过上限 %(limit)d 行，不像是填报模板。") % {"limit": max_rows})
        cells = list(cells) + [None] * (len(HEADERS) - len(cells))
        code = _text(getattr(cells[0], "value", None))
        for month, cell in zip(MONTHS, cells[FIRST_MONTH_COLUMN - 1 : FIRST_MONTH_COLUMN - 1 + 12], strict=True):
            value = getattr(cell, "value", None)
            if value is None or _text(value) == "":
                continue
            note = NoteCell(coordinate=f"{NOTES_TITLE}!{month_column(month)}{number}", row=number, text=_text(value))
            if getattr(cell, "data_type", None) in ("f", "e"):
                note.error = _("备注不能是公式或错误值（%(text)s）。") % {"text": note.text[:40]}
            elif isinstance(value, datetime.date | datetime.time | datetime.timedelta | bool):
                note.error = _("备注应为文字。")
            notes[(code, month)] = note
    return notes
