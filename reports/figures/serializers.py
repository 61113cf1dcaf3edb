"""Figures as plain records, JSON, CSV and XLSX: shared by the JSON API, the `summary` command and table exports.

Numbers stay numbers all the way: rounded `Decimal` in records, JSON numbers in
the API, numeric cells in XLSX. A missing figure is None (JSON null, an empty
cell), never zero. Text cells that a spreadsheet would read as a formula
(starting with = + - @, tab or carriage return) are neutralised with a leading ' (metrics.spreadsheets).
"""

import csv
import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from metrics.formatting import CHANGE_PLACES, as_number, plain, quantize
from metrics.spreadsheets import neutralise, sheet_title

RECORD_FIELDS = [
    "code",
    "name",
    "area",
    "area_name",
    "unit",
    "kind",
    "value",
    "previous",
    "change",
    "yoy_pct",
    "target",
    "completion_pct",
    "missing",
    "direction",
    "is_good",
    "coverage_month",
    "coverage_expected",
    "coverage_reported",
]


def value_places(indicator):
    """Decimals an indicator's values are rounded to: percentages 2, otherwise the indicator's own."""
    return CHANGE_PLACES if indicator.is_percentage else indicator.decimals


def rounded(value, places):
    return None if value is None else quantize(value, places)


def figure_record(figure):
    """One Figure as a flat record of rounded Decimals (None where missing)."""
    indicator = figure.indicator
    places = value_places(indicator)
    return {
        "code": indicator.code,
        "name": indicator.name,
        "area": indicator.area.code,
        "area_name": indicator.area.name,
        "unit": indicator.unit,
        "kind": indicator.kind,
        "value": rounded(figure.value, places),
        "previous": rounded(figure.previous, places),
        "change": rounded(figure.change, places),
        "yoy_pct": rounded(figure.yoy_pct, CHANGE_PLACES),
        "target": rounded(figure.target, places),
        "completion_pct": rounded(figure.completion_pct, CHANGE_PLACES),
        "missing": figure.missing,
        # up / down / flat (持平: the change rounds to 0.00) and whether that is good; null when neither.
        "direction": figure.direction,
        "is_good": figure.is_good,
        # The 截至 month's departments due and in (metrics.coverage); None when nobody is due or nothing is in.
        **coverage_fields(figure.coverage),
    }


def coverage_fields(coverage):
    """A figure's coverage as flat record fields (the API nests them as `coverage`)."""
    if coverage is None:
        return {"coverage_month": None, "coverage_expected": None, "coverage_reported": None}
    return {
        "coverage_month": f"{coverage.month:%Y-%m}",
        "coverage_expected": coverage.expected,
        "coverage_reported": coverage.reported,
    }


def coverage_dict(coverage):
    """The API's `coverage`: {month, expected, reported, complete}, or None."""
    if coverage is None:
        return None
    fields = coverage_fields(coverage)
    return {
        "month": fields["coverage_month"],
        "expected": coverage.expected,
        "reported": coverage.reported,
        "complete": coverage.complete,
    }


def period_dict(period, label=None):
    """A period as JSON; `label` replaces its own (a period in progress: 2023年（1—7月）)."""
    return {
        "code": period.code,
        "label": label or period.label,
        "first": f"{period.first:%Y-%m}",
        "last": f"{period.last:%Y-%m}",
    }


def summary_payload(request, summary):
    """The JSON document of GET /api/v1/summary and `manage.py summary --format json`."""
    department = request.scope.department
    indicators = []
    for figure in summary.figures:
        record = figure_record(figure)
        record = {k: v for k, v in record.items() if not k.startswith("coverage_")}
        record["coverage"] = coverage_dict(figure.coverage)
        indicators.append({k: as_number(v) if isinstance(v, Decimal) else v for k, v in record.items()})
    through = summary.covered.through
    return {
        # `through`: the 截至 month the figures reach (null: nothing reported yet); `complete`: the whole period.
        "period": {
            **period_dict(summary.period, summary.label),
            "through": f"{through:%Y-%m}" if through else None,
            "complete": summary.covered.complete,
        },
        # The months 同比 actually compares: the same months a year earlier.
        "previous_period": period_dict(summary.previous_period, summary.previous_label),
        "scope": {
            "department": department.code if department else None,
            "name": request.scope_label,
            "include_children": request.scope.include_children,
        },
        "include_submitted": summary.include_submitted,
        "indicators": indicators,
    }


def cell_text(value):
    """A cell for CSV: Decimals without exponent or trailing zeros, booleans as 是/否, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, int | float):
        return str(value)
    return neutralise(str(value))


def to_csv(rows):
    """Rows (the first is the header) as CSV text with a BOM so that Excel reads the Chinese."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([cell_text(v) for v in row])
    return out.getvalue()


def records_csv(records, fields=RECORD_FIELDS):
    """Figure records as CSV with the API's field names (or `fields`) as header (for the command line)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    for record in records:
        cells = map(record.get, fields)
        writer.writerow([("true" if v else "false") if isinstance(v, bool) else cell_text(v) for v in cells])
    return out.getvalue()


def _number_format(value):
    """Thousands separators and as many decimals as the rounded value needs (at most 4): 1,043.5 not 1,043.5000."""
    places = 0
    if isinstance(value, Decimal):
        places = max(0, min(-value.normalize().as_tuple().exponent, 4))
    elif isinstance(value, float):
        places = max(0, min(len(repr(value).partition(".")[2].rstrip("0")), 4))
    return "#,##0" + ("." + "0" * places if places else "")


def _width(value):
    """Rough column width: Chinese characters are twice as wide as Latin ones; numbers get separators."""
    if value is None or isinstance(value, bool):
        return 4
    text = f"{value:,}" if isinstance(value, Decimal | int | float) else str(value)
    return round(sum(2 if ord(ch) > 0x2E80 else 1.1 for ch in text))


def to_xlsx(rows, *, title, heading=None):
    """Rows (the first is the header) as XLSX bytes: numbers as numeric cells, text neutralised."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(title)
    first = 1
    if heading:
        sheet.cell(row=1, column=1, value=neutralise(heading)).font = Font(bold=True, size=13)
        first = 3
    header, *body = rows
    fill = PatternFill("solid", fgColor="EEF1F4")
    for col, text in enumerate(header, start=1):
        cell = sheet.cell(row=first, column=col, value=neutralise(str(text)))
        cell.font, cell.fill = Font(bold=True), fill
    for r, row in enumerate(body, start=first + 1):
        for col, value in enumerate(row, start=1):
            if isinstance(value, bool):
                value = "是" if value else "否"
            cell = sheet.cell(row=r, column=col, value=neutralise(value))
            if isinstance(value, Decimal | int | float):
                cell.number_format = _number_format(value)
                cell.alignment = Alignment(horizontal="right")
    for col, text in enumerate(header, start=1):
        width = max(_width(cell) for cell in [text] + [row[col - 1] for row in body[:300]])
        sheet.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), 48)
    sheet.freeze_panes = sheet.cell(row=first + 1, column=1)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
