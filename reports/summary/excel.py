"""The summary's Excel annex: the period's figures by work area, numbers stored as numbers.

One sheet 全部指标 with every indicator, then one sheet per work area. A
missing figure is an empty cell marked 缺数 in the 备注 column, never 0. Values
are rounded as the summary's text writes them (88.1 where the text asks for
1位小数, amounts to two decimals, counts whole); each sheet prints on A4
landscape, one page wide, its heading and column titles repeated on every page.
"""

import io
from itertools import groupby

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from metrics.formatting import CHANGE_PLACES, as_number, coverage_text, document_places
from metrics.spreadsheets import neutralise, sheet_title
from reports.figures.serializers import rounded

HEADERS = [
    gettext_lazy("工作领域"),
    gettext_lazy("指标"),
    gettext_lazy("单位"),
    gettext_lazy("本期"),
    gettext_lazy("上年同期"),
    gettext_lazy("同比(%)"),
    gettext_lazy("增减(个百分点)"),
    gettext_lazy("年度目标"),
    gettext_lazy("目标完成率(%)"),
    gettext_lazy("责任单位"),
    gettext_lazy("备注"),
]
WIDTHS = [18, 34, 8, 14, 14, 10, 12, 12, 12, 16, 14]
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="EEF1F4")
_MISSING_FILL = PatternFill("solid", fgColor="FDF0EF")
_FONT = "宋体"


def _number_format(places):
    return "0." + "0" * places if places else "0"


def _as_number(value, places=None):
    """A number for a cell (Excel stores doubles): rounded half up to `places` when given; None stays empty."""
    return as_number(value if places is None else rounded(value, places))


def _rows(figures, responsible, places, uncertain):
    for f in figures:
        indicator = f.indicator
        yoy = f.yoy_pct
        points = f.change if indicator.is_percentage else None
        completion = f.completion_pct
        # Numbers stay numbers; the 备注 column says what a figure rests on: a value marked 待核实, or a
        # 截至 month not every department due reported (7月：6/11 单位已审核).
        if f.value is None:
            note = _("缺数")
        else:
            notes = [_("待核实")] if indicator.code in uncertain else []
            notes += [coverage_text(f.coverage)]
            note = "；".join(str(n) for n in notes if n)
        shown = places.get(indicator.code, document_places(indicator))
        yield (
            [
                indicator.area.name,
                indicator.name,
                indicator.unit,
                _as_number(f.value, shown),
                _as_number(f.previous, shown),
                _as_number(yoy, CHANGE_PLACES),
                _as_number(points, CHANGE_PLACES),
                _as_number(f.target, shown),
                _as_number(completion, CHANGE_PLACES),
                responsible.get(indicator.code, ""),
                note,
            ],
            shown,
        )


def _sheet(workbook, title, heading, rows, headers=HEADERS):
    # An area's name may hold []:*?/\\ or run past 31 characters, and two may cut to the same title.
    sheet = workbook.create_sheet(title=sheet_title(title, taken=workbook.sheetnames))
    sheet.append([neutralise(heading)])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet["A1"].font = Font(name=_FONT, size=14, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append([str(h) for h in headers])
    for cell in sheet[2]:
        cell.font = Font(name=_FONT, bold=True)
        cell.fill = _HEAD_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for values, shown in rows:
        # Names and notes are text: one starting with = + - @ must not run as a formula.
        sheet.append([neutralise(value) for value in values])
        row = sheet.max_row
        for column, cell in enumerate(sheet[row], start=1):
            cell.border = _BORDER
            cell.font = Font(name=_FONT)
            if column in (4, 5, 8):
                cell.number_format = _number_format(shown)
            elif column in (6, 7, 9):
                cell.number_format = "0.00"
        if values[3] is None:
            sheet.cell(row=row, column=4).fill = _MISSING_FILL
    for n, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width
    sheet.freeze_panes = "C3"
    _print_setup(sheet)
    return sheet


def _print_setup(sheet):
    """A4 landscape, one page wide, the heading and column titles on every page, page numbers below."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.print_title_rows = "1:2"
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = _("第 &P 页，共 &N 页")


def build_xlsx(summary, *, county="", responsible=None, places=None, uncertain=frozenset()):
    """The annex of a metrics Summary (all indicators, catalogue order) as .xlsx bytes.

    `places` ({code: decimals}, from the period's template) rounds values as the text does;
    other values take metrics.formatting.document_places. `uncertain`: the codes with a
    value of the period marked 待核实 (noted in the 备注 column).
    """
    responsible, places = responsible or {}, places or {}
    workbook = Workbook()
    workbook.remove(workbook.active)
    label = summary.label  # what the figures cover: 2023年上半年, or 2023年（1—7月） for a period in progress
    # 本期 and 上年同期 name their months, so that a part is never read against a whole.
    headers = [*HEADERS[:3], label, summary.previous_label, *HEADERS[5:]]
    heading = _("%(county)s%(period)s政法工作主要指标（附表）") % {"county": county, "period": label}
    _sheet(workbook, _("全部指标"), heading, list(_rows(summary.figures, responsible, places, uncertain)), headers)
    for area, figures in groupby(summary.figures, key=lambda f: f.indicator.area):
        _sheet(
            workbook,
            area.name,
            _("%(period)s · %(area)s") % {"period": label, "area": area.name},
            list(_rows(figures, responsible, places, uncertain)),
            headers,
        )
    workbook.properties.title = heading
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
