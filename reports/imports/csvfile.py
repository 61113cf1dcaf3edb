"""The long CSV format of historic data: `department,indicator,month,value,note`.

Pure functions, no database. `month` is YYYY-MM; an empty `value` is a
missing figure (never zero); the file is UTF-8, with or without a BOM.
`write_rows` and `read_rows` round-trip exactly: values are written without
exponent or trailing zeros, rows in the order given, lines ending in \\n.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from metrics.formatting import plain
from metrics.periods import PeriodError, parse_month
from metrics.spreadsheets import neutralise, read_text
from metrics.validation import NumberError, parse_number
from reports.imports.errors import ImportFileError
from reports.imports.workbook import human_size

HEADER = ["department", "indicator", "month", "value", "note"]


def write_rows(rows, out):
    """Write (department code, indicator code, month date, value, note) tuples to the text stream `out`."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for department, indicator, month, value, note in rows:
        # Made to be opened in Excel too (export_values --bom): text never starts a formula; read_fields undoes it.
        writer.writerow(
            [neutralise(department), neutralise(indicator), f"{month:%Y-%m}", plain(value), neutralise(note)]
        )


@dataclass
class CsvRow:
    """One data row as read; `errors` lists what is wrong with it in Chinese (empty when readable)."""

    line: int
    department: str
    indicator: str
    month: datetime.date | None
    value: Decimal | None
    note: str
    errors: list = field(default_factory=list)


def read_rows(data, *, max_bytes, max_rows):
    """The rows of a CSV file (bytes); ImportFileError when the file as a whole cannot be read.

    Refuses before decoding a file over `max_bytes`, and stops at the row past
    `max_rows` rather than reading a huge file to the end.
    """
    if len(data) > max_bytes:
        raise ImportFileError(
            _("文件过大（%(size)s），上限为 %(limit)s。请按年度拆分后分别导入。")
            % {"size": human_size(len(data)), "limit": human_size(max_bytes)}
        )
    if data[:4] == b"PK\x03\x04" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError(_("这是 Excel 工作簿，不是 CSV 文件。请在 Excel 中另存为「CSV UTF-8（逗号分隔）」。"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportFileError(
            _("第 %(line)d 行不是 UTF-8 编码。请在 Excel 中另存为「CSV UTF-8（逗号分隔）」后再导入。") % {"line": line}
        ) from error
    if "\x00" in text:
        raise ImportFileError(_("文件含有二进制内容，不是 CSV 文本文件。"))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise ImportFileError(_("第 1 行无法读取：%(error)s") % {"error": error}) from error
    if header is None:
        raise ImportFileError(_("文件是空的。第 1 行应为表头：%(header)s") % {"header": ",".join(HEADER)})
    if [h.strip() for h in header] != HEADER:
        raise ImportFileError(
            _("第 1 行表头应为「%(expected)s」，实际为「%(found)s」。")
            % {"expected": ",".join(HEADER), "found": ",".join(header)[:200]}
        )
    rows = []
    start = reader.line_num + 1
    try:
        for fields in reader:
            line, start = start, reader.line_num + 1
            if not fields or fields == [""]:
                continue
            if len(rows) >= max_rows:
                raise ImportFileError(
                    _("数据超过 %(limit)d 行（第 %(line)d 行起），请按年度拆分后分别导入。")
                    % {"limit": max_rows, "line": line}
                )
            rows.append(_read_fields(line, fields))
    except csv.Error as error:
        raise ImportFileError(_("第 %(line)d 行无法读取：%(error)s") % {"line": start, "error": error}) from error
    return rows


def _read_fields(line, fields):
    if len(fields) != len(HEADER):
        row = CsvRow(line=line, department="", indicator="", month=None, value=None, note="")
        row.errors.append(_("应有 5 列，实际 %(n)d 列。") % {"n": len(fields)})
        return row
    department, indicator, month_text, value_text, note = (read_text(f).strip() for f in fields)
    row = CsvRow(line=line, department=department, indicator=indicator, month=None, value=None, note=note)
    if not department:
        row.errors.append(_("单位代码为空。"))
    if not indicator:
        row.errors.append(_("指标代码为空。"))
    try:
        row.month = parse_month(month_text)
    except PeriodError as error:
        row.errors.append(str(error))
    try:
        row.value = parse_number(value_text)
    except NumberError as error:
        row.errors.append(_("数值「%(value)s」无效：%(reason)s") % {"value": value_text[:40], "reason": error.message})
    return row
