"""Helpers for the import tests: edit a downloaded workbook as a clerk would in Excel."""

import io

from openpyxl import Workbook, load_workbook

from reports.imports import workbook


def edit(data, changes, *, sheet=workbook.SHEET_TITLE):
    """The workbook bytes with cells changed ({"D5": 3, "E6": None, ...})."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb[sheet]
    for coordinate, value in changes.items():
        ws[coordinate] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row_of(data, code):
    """The row number of an indicator code in a workbook."""
    ws = load_workbook(io.BytesIO(data))[workbook.SHEET_TITLE]
    for row in range(workbook.FIRST_DATA_ROW, ws.max_row + 1):
        if ws.cell(row, 1).value == code:
            return row
    raise AssertionError(f"{code} not in the workbook")


def cell(data, code, month):
    """The coordinate of an indicator's month cell, e.g. J7 for July."""
    return f"{workbook.month_column(month)}{row_of(data, code)}"


def plain_workbook(rows, *, title="Sheet1"):
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
