"""Figure tables: the summary by area, one indicator by department, one indicator by month; CSV/XLSX export.

Views are thin: the filter set checks the parameters, reports.figures.requests checks
permission and reads the figures, reports.figures.tables formats them. `?export=csv`
or `?export=xlsx` returns exactly the rows shown, in the order shown.
"""

import functools

from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tables2 import RequestConfig

from metrics import assignments, periods, versions
from metrics.aggregation import Figure, by_department, latest_month, monthly_series, summarize
from metrics.formatting import coverage_text, with_unit
from metrics.models import Department, Indicator, Kind
from metrics.periods import Period, add_months, default_period
from reports.figures.filters import FigureFilter, SummaryFilter
from reports.figures.requests import FigureRequestError, indicators_for, resolve_request
from reports.figures.serializers import to_csv, to_xlsx
from reports.figures.tables import BreakdownTable, MonthlyTable, SummaryTable, figure_row, share_of

EXPORTS = {"csv", "xlsx"}
# A month-by-month table longer than three years is no longer readable (nor cheap).
MAX_MONTHS = 36


def period_presets():
    """(label, code) shortcuts around the latest approved month: this and last half-year, quarters, year.

    Quarters that have not begun by the latest approved month are left out: they could only show 缺数.
    """
    latest = latest_month()
    current = default_period(latest, periods.today())
    latest = latest or current.last
    year = current.first.year
    last_half = current.shift(-6)
    presets = [
        (_("本半年（%(label)s）") % {"label": current.label}, current.code),
        (_("上一个半年（%(label)s）") % {"label": last_half.label}, last_half.code),
    ]
    quarters = [Period.quarter(year, q) for q in range(1, 5)]
    presets += [(q.label, q.code) for q in quarters if q.first <= latest or q.first.year < latest.year]
    presets.append((_("%(year)d年全年") % {"year": year}, Period.year(year).code))
    return presets


def _querystring(request, **changes):
    query = request.GET.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None:
            query[key] = value
    return query.urlencode()


def _filter_context(request, filterset):
    presets = [(label, code, _querystring(request, period=code, export=None)) for label, code in period_presets()]
    return {
        "filter": filterset,
        "presets": presets,
        "export_csv": _querystring(request, export="csv"),
        "export_xlsx": _querystring(request, export="xlsx"),
    }


def _checked_request(request, filterset):
    """The FigureRequest of a valid filter set; PermissionDenied for a clerk asking beyond their department."""
    data = filterset.form.cleaned_data
    try:
        return resolve_request(
            request.user,
            period=data.get("period"),
            department=data.get("department"),
            area=data.get("area"),
            include_submitted=data.get("include_submitted"),
        )
    except FigureRequestError as error:
        if error.status == 403:
            raise PermissionDenied(error.message) from error
        raise BadRequest(error.message) from error


def _invalid(request, template, context, filterset):
    """The page with the filter's Chinese errors and no table (HTTP 400), never a 500."""
    context.update(_filter_context(request, filterset))
    context["errors"] = [e for errors in filterset.form.errors.values() for e in errors]
    return render(request, template, context, status=400)


def _export(table, fmt, filename, heading, figure_request):
    """The rows shown as a download; a sheet that counts unapproved values says so in its heading and name."""
    if figure_request.include_submitted:
        heading += _("（含已上报未审核数据）")
        filename += _("_含未审核")
    rows = table.export_rows()
    if fmt == "csv":
        response = HttpResponse(to_csv(rows), content_type="text/csv; charset=utf-8")
        filename += ".csv"
    else:
        response = HttpResponse(
            to_xlsx(rows, title=heading, heading=heading),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        filename += ".xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _link_query(figure_request):
    """The parameters an indicator's links carry: same period, scope and status."""
    params = {"period": figure_request.period.code}
    if figure_request.scope.department:
        params["department"] = figure_request.scope.department.code
    if figure_request.include_submitted:
        params["include_submitted"] = "on"
    return urlencode(params)


def summary_table(request):
    """The summary by area for a period and scope: value, last year's, 同比, target, completion.

    The table is rendered once per data version for each request's parameters (metrics.versions.cached):
    it does not depend on who asks, once the filter and the permission policy have checked the request.
    """
    template = "reports/tables/summary.html"
    filterset = SummaryFilter(request.GET, queryset=Indicator.objects.active(), user=request.user)
    if not filterset.is_valid():
        return _invalid(request, template, {}, filterset)
    figure_request = _checked_request(request, filterset)
    fmt = request.GET.get("export")
    if fmt in EXPORTS:
        summary, table = _summary_table(request, figure_request, filterset)
        title = _summary_title(figure_request, summary)
        return _export(table, fmt, title, title, figure_request)
    # The table's sorting links repeat the request's parameters: all of them are part of the key.
    parameters = sorted((key, values) for key, values in request.GET.lists())

    def render_table():
        summary, table = _summary_table(request, figure_request, filterset)
        return {
            # As {% render_table %} renders it, without the context processors: nothing per user.
            "table": get_template(table.template_name).render({"table": table, "request": request}),
            "title": _summary_title(figure_request, summary),
            "previous_label": summary.previous_label,
            "missing_count": sum(1 for f in summary.figures if f.missing),
        }

    shown = versions.cached("summary_table", *figure_request.cache_parts, parameters, compute=render_table)
    context = {
        **shown,
        "table": mark_safe(shown["table"]),
        "figure_request": figure_request,
    }
    context.update(_filter_context(request, filterset))
    return render(request, template, context)


def _summary_table(request, figure_request, filterset):
    """(the summary's figures, the SummaryTable of them, sorted as the request asks)."""
    summary = summarize(
        figure_request.period,
        scope=figure_request.scope,
        include_submitted=figure_request.include_submitted,
        indicators=indicators_for(figure_request, filterset.qs),
    )
    reporters = assignments.reporters_by_indicator([f.indicator for f in summary.figures])
    rows = [
        figure_row(
            f,
            position=n,
            group=(f.indicator.area.order, f.indicator.area.code),
            reporters=reporters[f.indicator.pk],
            coverage="" if f.missing else coverage_text(f.coverage, figure_request.include_submitted),
        )
        for n, f in enumerate(summary.figures)
    ]
    table = SummaryTable(
        rows,
        value_label=summary.label,
        previous_label=summary.previous_label,
        link_query=_link_query(figure_request),
    )
    RequestConfig(request, paginate=False).configure(table)
    # Sorting orders indicators within their area; areas keep the catalogue order (sort is stable).
    table.data.data.sort(key=lambda row: row["group"])
    return summary, table


def _summary_title(figure_request, summary):
    return _("%(scope)s%(period)s汇总表") % {"scope": figure_request.scope_label, "period": summary.label}


def _indicator(code):
    try:
        return Indicator.objects.select_related("area").get(code=code, active=True)
    except Indicator.DoesNotExist:
        raise Http404(_("没有代码为“%(code)s”的指标。") % {"code": code}) from None


INDICATOR_TEMPLATE = "reports/tables/indicator.html"


# A city's breakdown lists hundreds of departments: a page of them at a time (exports take every row).
ROWS_PER_PAGE = 50


class DataRowsPaginator(Paginator):
    """Counts a table's data rows only: its pinned total row comes on every page anyway."""

    @cached_property
    def count(self):
        return len(self.object_list.data)


def _indicator_page(request, table, context, filterset, figure_request):
    """Render one indicator's breakdown or monthly table, or export it when ?export= asks."""
    RequestConfig(request, paginate=False).configure(table)
    # Fixed page size (no ?per_page=); a bad or out-of-range page number gives the first or last page.
    table.paginate(paginator_class=DataRowsPaginator, per_page=ROWS_PER_PAGE)
    table.page = table.paginator.get_page(request.GET.get(table.prefixed_page_field))
    indicator, label, period = context["indicator"], context["view_label"], figure_request.period
    # The unit goes with the name everywhere the table goes: page title, sheet heading, file name.
    name = with_unit(indicator.name, indicator.unit)
    title = _("%(name)s · %(view)s · %(period)s") % {"name": name, "view": label, "period": period.label}
    fmt = request.GET.get("export")
    if fmt in EXPORTS:
        return _export(table, fmt, f"{name}_{label}_{period.code}", title, figure_request)
    context.update(
        {
            "table": table,
            "title": title,
            "figure_request": figure_request,
            "link_query": _link_query(figure_request),
        }
    )
    context.update(_filter_context(request, filterset))
    return render(request, INDICATOR_TEMPLATE, context)


def _indicator_table(view, view_label, *, max_months=None):
    """The frame of a one-indicator table view: `build(indicator, figure_request, reporters)` makes the table.

    Here: the indicator (404 when unknown), the filter's checks (a 400 page), the user's request
    (403 beyond their department), an optional limit on the period's months, then the page or export.
    """

    def decorate(build):
        @functools.wraps(build)
        def page(request, code):
            indicator = _indicator(code)
            filterset = FigureFilter(request.GET, queryset=Indicator.objects.none(), user=request.user)
            reporters = assignments.reporters_of(indicator)
            context = {"indicator": indicator, "view": view, "view_label": view_label, "reporters": reporters}
            if not filterset.is_valid():
                return _invalid(request, INDICATOR_TEMPLATE, context, filterset)
            figure_request = _checked_request(request, filterset)
            if max_months is not None and figure_request.period.length > max_months:
                context.update(_filter_context(request, filterset))
                context["errors"] = [_("逐月表最多显示 %(n)d 个月，请缩短期间。") % {"n": max_months}]
                context["figure_request"] = figure_request
                return render(request, INDICATOR_TEMPLATE, context, status=400)
            table = build(indicator, figure_request, reporters)
            return _indicator_page(request, table, context, filterset, figure_request)

        return page

    return decorate


def _scope_total(indicator, figure_request):
    """The summary of the indicator for the request's period and scope: its one figure is the table's pinned
    last row, its `covered` the months the figures cover (2023年（1—7月））."""
    return summarize(
        figure_request.period,
        scope=figure_request.scope,
        include_submitted=figure_request.include_submitted,
        indicators=[indicator],
    )


@_indicator_table("breakdown", gettext_lazy("分单位"))
def breakdown_table(indicator, figure_request, reporters):
    """One indicator by department for a period, with last year's, 同比 and each department's share."""
    scope = figure_request.scope
    department_ids = scope.department_ids()
    summary = _scope_total(indicator, figure_request)
    total = summary.figures[0]
    # Each department over the months the total covers, against the same months a year earlier.
    per_department = by_department(
        [indicator],
        summary.covered.span,
        include_submitted=figure_request.include_submitted,
        department_ids=department_ids,
    )[indicator.code]
    # Every department that reports the indicator is listed, blank when it reported nothing: that is what 缺数 means.
    for department in reporters:
        if department.pk not in per_department and (department_ids is None or department.pk in department_ids):
            per_department[department.pk] = Figure(indicator, None, None)
    departments = Department.objects.in_bulk(list(per_department))
    rows = []
    for n, department in enumerate(sorted(departments.values(), key=lambda d: (d.order, d.code))):
        figure = per_department[department.pk]
        share = share_of(figure.value, total.value, indicator)
        rows.append(
            figure_row(
                figure,
                position=n,
                department=department.name,
                department_code=department.code,
                share=share,
                share_key=(share is None, share or 0),
            )
        )
    total_label = _("%(scope)s合计") % {"scope": figure_request.scope_label}
    if indicator.is_percentage:
        total_label = figure_request.scope_label
    total_row = figure_row(total, position=len(rows), department=total_label, department_code="", share=None)
    return BreakdownTable(
        rows,
        indicator=indicator,
        total=total_row,
        show_share=not indicator.is_percentage,
        value_label=summary.label,
        previous_label=summary.previous_label,
    )


def _month_label(month, period):
    if period.first.year == period.last.year:
        return _("%(month)d月") % {"month": month.month}
    return _("%(year)d年%(month)d月") % {"year": month.year, "month": month.month}


@_indicator_table("monthly", gettext_lazy("逐月"), max_months=MAX_MONTHS)
def monthly_table(indicator, figure_request, _reporters):
    """One indicator month by month over the period, each month beside the same month a year earlier."""
    period = figure_request.period
    previous = period.year_ago()
    series = monthly_series(
        [indicator],
        previous.first,
        period.last,
        scope=figure_request.scope,
        include_submitted=figure_request.include_submitted,
    )[indicator.code]
    rows = []
    for n, month in enumerate(period.months()):
        figure = Figure(indicator, series.get(month), series.get(add_months(month, -12)))
        rows.append(figure_row(figure, position=n, month=_month_label(month, period)))
    summary = _scope_total(indicator, figure_request)
    label = summary.label  # a period in progress totals its covered months: 2023年（1—7月）合计
    total_row = figure_row(summary.figures[0], position=len(rows), month=_("%(label)s合计") % {"label": label})
    if indicator.kind != Kind.FLOW:
        total_row["month"] = _("%(label)s（期末）") % {"label": label}
        if indicator.is_ratio:
            total_row["month"] = _("%(label)s（全期）") % {"label": label}
    single_year = period.first.year == period.last.year
    return MonthlyTable(
        rows,
        indicator=indicator,
        total=total_row,
        value_label=_("%(year)d年") % {"year": period.first.year} if single_year else _("本期"),
        previous_label=_("%(year)d年") % {"year": previous.first.year} if single_year else _("上年同期"),
    )
