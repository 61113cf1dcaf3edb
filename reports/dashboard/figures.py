"""Reads for the leader dashboard (领导驾驶舱): one call gathers everything the page shows.

Figures come only from metrics.aggregation (the same functions the tables use);
this module picks, orders and charts them; reports.dashboard.presentation formats
them. The number of queries is constant, whatever the number of indicators,
departments or months.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from metrics import assignments as assignment_table
from metrics import periods
from metrics.aggregation import Scope, by_unit, monthly_series, summarize
from metrics.models import Department, Kind
from metrics.periods import Period, month_start
from reports.dashboard import charts
from reports.dashboard.presentation import chart_links, detail_links
from reports.reporting.models import REPORTED_STATES
from reports.reporting.selectors import completeness, rate_pct, reporting_lines

MOVERS = 5


# --- completeness -------------------------------------------------------------------------------


@dataclass
class Completeness:
    """Reporting completeness of a period: expected = departments × months that are due."""

    months: list
    expected: int
    reported: int
    on_time: int = 0
    late: list = field(default_factory=list)  # [(department, months not reported)]

    @property
    def rate(self):
        return rate_pct(self.reported, self.expected)

    @property
    def on_time_rate(self):
        return rate_pct(self.on_time, self.expected)


def completeness_for(period, *, department_ids=None, today=None, assignments=None):
    """How many of the period's expected monthly reports are in, and how many on time.

    Two queries besides the assignments' (`assignments` saves them when the caller has them).
    expected = (department, form) lines that report × months that are over;
    reported = reports submitted or approved; on time = of those, first submitted
    by the form's deadline (MonthlyReport.deadline). Counted by reports.reporting.selectors.completeness,
    the same function as the completeness grid. `late` lists departments with reports missing.
    """
    today = today or periods.today()
    wanted = set(department_ids) if department_ids is not None else None
    lines = reporting_lines(snapshot=assignments, department_ids=wanted)
    months = period.months_over(today)
    if not months or not lines:
        return Completeness(months=months, expected=0, reported=0, on_time=0)
    _lines, _months, cells, rates = completeness(months[0], months[-1], today=today, lines=lines)
    missing = {}
    for line in lines:
        for m in months:
            report = cells.get((*line.key, m))
            if report is None or report.state not in REPORTED_STATES:
                missing[line.department] = missing.get(line.department, 0) + 1
    late = list(missing.items())
    late.sort(key=lambda pair: (-pair[1], pair[0].order, pair[0].code))
    return Completeness(
        months=months,
        expected=sum(r.expected for r in rates),
        reported=sum(r.actual for r in rates),
        on_time=sum(r.on_time for r in rates),
        late=late,
    )


# --- movers -------------------------------------------------------------------------------------


def movers(figures, n=MOVERS):
    """(good, bad): the figures with the largest 同比 % change each way, largest first.

    Left out: missing figures, zero or missing bases, percentages (they change in
    points, not %), indicators where neither direction is better, and figures whose
    截至 month not every department due has reported (a fall may be a missing report).
    The figures already compare equal spans (metrics.aggregation.summarize).
    """
    comparable = [f for f in figures if f.yoy_pct is not None and f.is_good is not None and f.fully_covered]
    comparable.sort(key=lambda f: (-abs(f.yoy_pct), f.indicator.order))
    good = [f for f in comparable if f.is_good][:n]
    bad = [f for f in comparable if not f.is_good][:n]
    return good, bad


# --- the page's data ----------------------------------------------------------------------------


@dataclass
class AreaPanel:
    """A core area: its headline figures, and the two charts (trend, breakdown) of each of them."""

    area: object
    figures: list
    lead: object  # the Figure whose charts show first
    links: dict = field(default_factory=dict)  # the lead's detail links by kind

    @property
    def chart_slots(self):
        """(kind, div id, chart key shown first, detail url) for the area's trend and breakdown."""
        code = self.lead.indicator.code
        return [
            (kind, f"{kind}-{self.area.code}", chart_key(kind, code), self.links.get(kind))
            for kind in ("trend", "breakdown")
        ]


def chart_key(kind, indicator_code):
    """The key of a chart in the page's JSON: trend:anti_fraud.cases, breakdown:anti_fraud.cases."""
    return f"{kind}:{indicator_code}"


@dataclass
class Dashboard:
    period: Period
    scope: Scope
    include_submitted: bool
    summary: object
    panels: list
    targets: list
    completeness: Completeness
    good_movers: list
    bad_movers: list
    charts: dict  # {chart key: figure dict}
    links: dict  # {indicator code: {"breakdown" | "trend" | "area": detail url or None}}

    department_ids: list | None = None  # the scope's departments; None for the county
    reporters: dict = field(default_factory=dict)  # {indicator id: ids of the departments reporting it}

    def link(self, figure, kind="breakdown"):
        return self.links.get(figure.indicator.code, {}).get(kind)

    def entered_elsewhere(self, figure):
        """Whether, in a department's view, a missing figure is one that only departments outside it report
        (a ratio: its components'). Shown as 非本单位指标, not 缺数: nobody here was due."""
        if self.department_ids is None or not figure.missing:
            return False
        reporters = self.reporters.get(figure.indicator.pk, set())
        return bool(reporters) and reporters.isdisjoint(self.department_ids)

    @property
    def cards(self):
        return [f for panel in self.panels for f in panel.figures]


def _lead(figures):
    """The figure an area's charts show first: its first headline indicator with a figure, else the first."""
    present = [f for f in figures if not f.missing]
    return (present or figures)[0]


def _core_panels(summary):
    by_area = defaultdict(list)
    areas = {}
    for figure in summary.figures:
        area = figure.indicator.area
        if area.core and figure.indicator.headline:
            by_area[area.pk].append(figure)
            areas[area.pk] = area
    ordered = sorted(areas.values(), key=lambda a: (a.order, a.code))
    return [AreaPanel(area=a, figures=by_area[a.pk], lead=_lead(by_area[a.pk])) for a in ordered]


def _month_numbers(series, year):
    return {m.month: v for m, v in series.items() if m.year == year}


def indicator_charts(
    indicator, *, period, label, series, per_unit, department_names, rolled_up=frozenset(), links=None
):
    """{chart key: figure dict} of one indicator's trend (this year against last) and breakdown by unit.

    `rolled_up`: the units whose bars include the departments under them (the title says so);
    `label` names the months the bars cover (2023年（1—7月）).
    `links`: where clicks on months and bars lead (presentation.chart_links).
    """
    month_links, bar_links = links or ({}, {})
    year = period.last.year
    shape = {"unit": indicator.unit, "decimals": indicator.decimals, "percentage": indicator.is_percentage}
    trend = charts.trend_figure(
        title=_("%(name)s 月度走势") % {"name": indicator.name},
        year=year,
        this_year=_month_numbers(series, year),
        last_year=_month_numbers(series, year - 1),
        bars=indicator.kind == Kind.FLOW,
        month_links=month_links,
        **shape,
    )
    rows = [
        (department_names.get(pk, str(pk)), f.value, f.previous, *bar_links.get(pk, ())) for pk, f in per_unit.items()
    ]
    title = _("%(name)s 分单位") % {"name": indicator.name}
    if rolled_up & per_unit.keys():
        title += _("（含下级单位）")
    breakdown = charts.breakdown_figure(
        title=title,
        rows=rows,
        current_label=label,
        previous_label=_("上年同期"),
        **shape,
    )
    return {
        chart_key("trend", indicator.code): charts.figure_dict(trend),
        chart_key("breakdown", indicator.code): charts.figure_dict(breakdown),
    }


def build_dashboard(period, scope, *, include_submitted=False, departments=None, today=None):
    """Everything the dashboard shows for a period and scope, charts included.

    `departments` saves a query when the caller already has them.
    """
    assignments = assignment_table.load()
    summary = summarize(period, scope=scope, include_submitted=include_submitted, assignments=assignments, today=today)
    panels = _core_panels(summary)
    department_ids = scope.department_ids()
    charted = [f.indicator for panel in panels for f in panel.figures]
    series = monthly_series(
        charted,
        month_start(period.last.year - 1, 1),
        period.last,
        scope=scope,
        include_submitted=include_submitted,
    )
    # One level down the hierarchy: the county's top-level units, or a department's own figures and its
    # children's. A city's 500 departments make 50 readable bars, and the units' rollup keeps them fast.
    # Over the months the figures cover, against the same months a year earlier.
    per_unit = by_unit(charted, summary.covered.span, scope=scope, include_submitted=include_submitted)
    if departments is None:
        departments = list(Department.objects.all())
    department_names = {d.pk: d.name for d in departments}
    if scope.department and scope.include_children:
        # Beside its children's bars, the department's own bar holds its own values only.
        own = department_names.get(scope.department.pk, scope.department.name)
        department_names[scope.department.pk] = _("%(name)s（本级）") % {"name": own}
    # Bars that sum a department with those under it: every parent but the scope's own department.
    rolled_up = {d.parent_id for d in departments if d.parent_id} - {scope.department.pk if scope.department else None}

    links = {
        f.indicator.code: detail_links(f.indicator, period=period, scope=scope, include_submitted=include_submitted)
        for f in summary.figures
    }
    by_pk = {d.pk: d for d in departments}
    figures = {}
    for panel in panels:
        panel.links = links[panel.lead.indicator.code]
        for indicator in (f.indicator for f in panel.figures):
            figures.update(
                indicator_charts(
                    indicator,
                    period=period,
                    label=summary.label,
                    series=series.get(indicator.code, {}),
                    per_unit=per_unit.get(indicator.code, {}),
                    department_names=department_names,
                    rolled_up=rolled_up,
                    links=chart_links(
                        indicator,
                        period=period,
                        scope=scope,
                        include_submitted=include_submitted,
                        units={pk: by_pk[pk] for pk in per_unit.get(indicator.code, {}) if pk in by_pk},
                    ),
                )
            )

    good, bad = movers(summary.figures)
    return Dashboard(
        period=period,
        scope=scope,
        include_submitted=include_submitted,
        summary=summary,
        panels=panels,
        targets=[f for f in summary.figures if f.target is not None],
        completeness=completeness_for(period, department_ids=department_ids, today=today, assignments=assignments),
        good_movers=good,
        bad_movers=bad,
        charts=figures,
        links=links,
        department_ids=department_ids,
        reporters={f.indicator.pk: assignments.reporter_ids(f.indicator) for f in summary.figures},
    )
