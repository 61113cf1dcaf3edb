"""django-tables2 tables of figures: the summary by area, one indicator by department, one indicator by month.

Rows are plain dicts built around a metrics.aggregation.Figure (`row["figure"]`),
so every number shown is the one aggregation computed; this module only
formats, sorts and exports. Missing figures show as 缺数, never as 0.
"""

import inspect
from decimal import Decimal

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metrics.aggregation import ratio_of
from metrics.assignments import reporter_names
from metrics.formatting import (
    CHANGE_PLACES,
    MISSING,
    change_phrase,
    change_short,
    change_unit,
    format_pct,
    format_value,
    quantize,
    tone,
    with_unit,
)
from reports.figures.serializers import figure_record

NUM = {"th": {"class": "num"}, "td": {"class": "num"}, "tf": {"class": "num"}}
MISSING_HTML = mark_safe('<span class="missing" title="未报送或未审核">缺数</span>')
NONE_HTML = mark_safe('<span class="muted">—</span>')


def sort_key(value):
    """Missing after every number when ascending."""
    return (value is None, value if value is not None else Decimal(0))


def change_key(figure):
    """Rates and ratios sort by their change in points, everything else by 同比 %."""
    return sort_key(figure.change if figure.indicator.is_percentage else figure.yoy_pct)


def figure_row(figure, **extra):
    """A table row for a Figure: the figure, its rounded record and sort keys."""
    row = {
        "figure": figure,
        "indicator": figure.indicator,
        "value": figure.value,
        "previous": figure.previous,
        "target": figure.target,
        "completion": figure.completion_pct,
        "yoy": figure,
        "value_key": sort_key(figure.value),
        "previous_key": sort_key(figure.previous),
        "yoy_key": change_key(figure),
        "completion_key": sort_key(figure.completion_pct),
        "record": figure_record(figure),
    }
    row.update(extra)
    return row


def yoy_html(figure):
    """The 同比 cell: coloured good or bad by the indicator's `better`, with an arrow and a full phrase as title.

    A change that rounds to 0.00 is 持平: no arrow, neutral.
    """
    text = change_short(figure)
    if text == MISSING:
        return NONE_HTML
    arrow = {"up": "▲ ", "down": "▼ "}.get(figure.direction, "")
    return format_html('<span class="yoy {}" title="{}">{}{}</span>', tone(figure), change_phrase(figure), arrow, text)


class FigureColumn(tables.Column):
    """A right-aligned value of the row's indicator, formatted with its decimals; 缺数 when missing."""

    def __init__(self, *args, missing=MISSING_HTML, **kwargs):
        kwargs.setdefault("attrs", NUM)
        kwargs.setdefault("default", missing)
        super().__init__(*args, **kwargs)

    def render(self, value, record):
        return format_value(value, record["indicator"], with_unit=False)


class FigureTable(tables.Table):
    """Columns shared by all three tables: this period, the same period last year and 同比."""

    value = FigureColumn(verbose_name=gettext_lazy("本期"), order_by="value_key")
    previous = FigureColumn(verbose_name=gettext_lazy("上年同期"), order_by="previous_key")
    yoy = tables.Column(verbose_name=gettext_lazy("同比"), order_by="yoy_key", attrs=NUM)

    class Meta:
        template_name = "reports/tables/table.html"
        attrs = {"class": "figures"}
        empty_text = gettext_lazy("没有符合条件的指标。")

    def __init__(self, data, *, value_label=None, previous_label=None, **kwargs):
        extra = []
        if value_label:
            extra.append(("value", FigureColumn(verbose_name=value_label, order_by="value_key")))
        if previous_label:
            extra.append(("previous", FigureColumn(verbose_name=previous_label, order_by="previous_key")))
        super().__init__(data, extra_columns=extra or None, **kwargs)

    def render_yoy(self, value):
        return yoy_html(value)

    def rendered_rows(self):
        """(row, its cells' HTML) for every row shown, as django-tables2 renders them, for the template.

        django-tables2 works out each cell's attributes and inspects its render method's signature
        for every cell, which was most of the summary table's time (1,440 cells; issue 19). These
        columns' attributes do not depend on the row, so both are worked out once per column.
        """
        columns = []
        for bound in self.columns:
            wanted = set(inspect.signature(bound.render).parameters)
            td = format_html("<td {}>", bound.attrs["td"].as_html())
            columns.append((bound, td, tables.A(bound.accessor), wanted))
        for row in self.paginated_rows:
            record = row.record
            cells = []
            for bound, td, accessor, wanted in columns:
                value = accessor.resolve(record, quiet=True)
                if value in bound.column.empty_values:
                    content = bound.default
                else:
                    arguments = {"value": value, "record": record, "bound_column": bound, "bound_row": row}
                    content = bound.render(**{k: v for k, v in arguments.items() if k in wanted})
                cells.append(f"{td}{conditional_escape(content)}</td>")
            yield row, mark_safe("".join(cells))  # each cell escaped above

    # --- export: what is shown, in the order shown, numbers as numbers ------------------------------

    def export_header(self):
        raise NotImplementedError

    def export_row(self, row):
        raise NotImplementedError

    def export_rows(self):
        """The header and one list of cells per row shown (pinned total rows included)."""
        rows = [self.export_header()]
        rows.extend(self.export_row(row.record) for row in self.rows)
        return rows


def comparison_cells(record):
    """本期, 上年同期, 增减, 同比% cells of a figure record."""
    return [record["value"], record["previous"], record["change"], record["yoy_pct"]]


def comparison_header(value_label, previous_label, indicator=None):
    """本期, 上年同期, 增减, 同比% headings; with one indicator's table, each with its unit (本期（万元）)."""
    if indicator is None:
        return [value_label, previous_label, _("增减"), _("同比（%）")]
    unit = indicator.unit
    return [
        with_unit(value_label, unit),
        with_unit(previous_label, unit),
        with_unit(_("增减"), change_unit(indicator)),
        _("同比（%）"),
    ]


class SummaryTable(FigureTable):
    """The summary by area: one row per indicator, area headings between groups (see the template)."""

    indicator = tables.Column(verbose_name=gettext_lazy("指标"), order_by="position")
    unit = tables.Column(verbose_name=gettext_lazy("单位"), accessor="indicator__unit", orderable=False)
    target = FigureColumn(verbose_name=gettext_lazy("目标"), missing=NONE_HTML, orderable=False)
    completion = tables.Column(
        verbose_name=gettext_lazy("完成率"), order_by="completion_key", attrs=NUM, default=NONE_HTML
    )
    reporters = tables.Column(verbose_name=gettext_lazy("责任单位"), orderable=False, default="")

    class Meta(FigureTable.Meta):
        sequence = ["indicator", "unit", "value", "previous", "yoy", "target", "completion", "reporters"]
        row_attrs = {"data-code": lambda record: record["indicator"].code}
        template_name = "reports/tables/grouped_table.html"

    def __init__(self, data, *, link_query="", **kwargs):
        self.link_query = link_query
        super().__init__(data, **kwargs)

    def render_indicator(self, value):
        query = f"?{self.link_query}" if self.link_query else ""
        return format_html(
            '<a href="{}{}" title="{}">{}</a> <a class="aside" href="{}{}" title="{}">{}</a>',
            reverse("breakdown_table", args=[value.code]),
            query,
            _("按单位查看"),
            value.name,
            reverse("monthly_table", args=[value.code]),
            query,
            _("逐月查看"),
            _("逐月"),
        )

    def render_value(self, value, record):
        """The figure, and beside it how complete its 截至 month is (7月：6/11 单位已审核) when it is not."""
        text = format_value(value, record["indicator"], with_unit=False)
        if not record.get("coverage"):
            return text
        return format_html('{}<br><small class="muted coverage">{}</small>', text, record["coverage"])

    def render_completion(self, value):
        return format_pct(value)

    def render_reporters(self, value):
        """A long list is cut (…等34个单位); the whole list is in the title."""
        return format_html('<span title="{}">{}</span>', reporter_names(value, limit=None), reporter_names(value))

    def export_header(self):
        value, previous = self.columns["value"].header, self.columns["previous"].header
        return [
            _("工作领域"),
            _("指标代码"),
            _("指标"),
            _("单位"),
            *comparison_header(value, previous),
            _("目标"),
            _("完成率（%）"),
            _("缺数"),
            _("截至月报送"),
            _("责任单位"),
        ]

    def export_row(self, row):
        record = row["record"]
        return [
            record["area_name"],
            record["code"],
            record["name"],
            record["unit"],
            *comparison_cells(record),
            record["target"],
            record["completion_pct"],
            record["missing"],
            row.get("coverage", ""),
            reporter_names(row.get("reporters", []), limit=None),
        ]


class BreakdownTable(FigureTable):
    """One indicator by department, with the whole scope's total as a pinned last row."""

    department = tables.Column(verbose_name=gettext_lazy("单位"), order_by="position")
    share = tables.Column(verbose_name=gettext_lazy("占合计"), order_by="share_key", attrs=NUM, default=NONE_HTML)

    class Meta(FigureTable.Meta):
        sequence = ["department", "value", "previous", "yoy", "share"]
        pinned_row_attrs = {"class": "total"}

    def __init__(self, data, *, indicator, total=None, show_share=True, **kwargs):
        self.indicator = indicator
        self.total = total
        self.show_share = show_share
        if not show_share:
            kwargs["exclude"] = ("share",)
        super().__init__(data, **kwargs)

    def get_bottom_pinned_data(self):
        return [self.total] if self.total else None

    def render_share(self, value):
        return format_pct(value)

    def export_header(self):
        value, previous = self.columns["value"].header, self.columns["previous"].header
        share = [_("占合计（%）")] if self.show_share else []
        return [_("单位"), _("单位代码"), *comparison_header(value, previous, self.indicator), *share, _("缺数")]

    def export_row(self, row):
        record = row["record"]
        share = None if row.get("share") is None else quantize(row["share"], CHANGE_PLACES)
        shares = [share] if self.show_share else []
        code = row.get("department_code", "")
        return [row["department"], code, *comparison_cells(record), *shares, record["missing"]]


class MonthlyTable(FigureTable):
    """One indicator month by month: this year's month beside the same month last year; the period total pinned."""

    month = tables.Column(verbose_name=gettext_lazy("月份"), order_by="position")

    class Meta(FigureTable.Meta):
        sequence = ["month", "value", "previous", "yoy"]
        pinned_row_attrs = {"class": "total"}

    def __init__(self, data, *, indicator, total=None, **kwargs):
        self.indicator = indicator
        self.total = total
        super().__init__(data, **kwargs)

    def get_bottom_pinned_data(self):
        return [self.total] if self.total else None

    def export_header(self):
        value, previous = self.columns["value"].header, self.columns["previous"].header
        return [_("月份"), *comparison_header(value, previous, self.indicator), _("缺数")]

    def export_row(self, row):
        record = row["record"]
        return [row["month"], *comparison_cells(record), record["missing"]]


def share_of(value, total, indicator):
    """A department's share of the total in %, for flows and stocks only (a share of a rate means nothing)."""
    return None if indicator.is_percentage else ratio_of(value, total)
