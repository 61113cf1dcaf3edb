"""Reads for the leader dashboard (领导驾驶舱): one call gathers everything the page shows.

Figures come only from metrics.aggregation (the same functions the tables use);
this module picks, orders and labels them. The number of queries is constant,
whatever the number of indicators, departments or months.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from metrics import assignments as assignment_table
from metrics.aggregation import Scope, by_unit, latest_month, monthly_series, summarize
from metrics.formatting import change_phrase, format_pct, format_value
from metrics.models import Department, Kind
from metrics.periods import Period, add_months, month_start
from reports.dashboard import charts
from reports.reporting.models import REPORTED_STATES
from reports.reporting.selectors import completeness

MOVERS = 5


# --- where cards and charts lead ---------------------------------------------------------------

# The one place that says where the dashboard leads: for each link, the table routes (issue 4) to
# try in order, each with whether it takes the indicator's code. The first route that exists wins;
# with none, cards and charts are not links.
DETAIL_ROUTES = {
    "breakdown": [("breakdown_table", True), ("summary_table", False)],  # cards, breakdown charts, lists
    "trend": [("monthly_table", True), ("summary_table", False)],  # trend charts
    "area": [("summary_table", False)],
}


def detail_url(kind, *, period, scope, indicator, include_submitted=False):
    """The detail table behind a card or chart (`kind`: breakdown, trend or area); None while none exists.

    The tables read the same parameters as the dashboard: period, department, include_submitted,
    and the summary table the area.
    """
    query = {"period": period.code}
    if scope.code:
        query["department"] = scope.code
    if include_submitted:
        query["include_submitted"] = "1"
    for name, by_code in DETAIL_ROUTES[kind]:
        try:
            url = reverse(name, kwargs={"code": indicator.code}) if by_code else reverse(name)
        except NoReverseMatch:
            continue
        if not by_code:
            query["area"] = indicator.area.code
        return f"{url}?{urlencode(query)}"
    return None


def detail_links(indicator, *, period, scope, include_submitted=False):
    """{kind: url or None} for one indicator."""
    return {
        kind: detail_url(kind, period=period, scope=scope, indicator=indicator, include_submitted=include_submitted)
        for kind in DETAIL_ROUTES
    }


# --- periods ------------------------------------------------------------------------------------


def half_year_of(month):
    return Period.half(month.year, 1 if month.month <= 6 else 2)


def default_period(*, include_submitted=False):
    """The latest half-year holding approved data (or the current half-year when there is none)."""
    month = latest_month(include_submitted=include_submitted)
    if month is None:
        month = add_months(month_start(timezone.localdate().year, timezone.localdate().month), -1)
    return half_year_of(month)


def period_choices(latest, current=None):
    """(code, label) of the years, half-years and quarters up to the latest month, newest first.

    `current` is added first when it is none of them (e.g. a range typed into the address).
    """
    choices = []
    for year in range(latest.year, latest.year - 3, -1):
        candidates = [Period.half(year, 2), Period.half(year, 1), Period.year(year)]
        candidates += [Period.quarter(year, q) for q in (4, 3, 2, 1)]
        choices += [(p.code, p.label) for p in candidates if p.first <= latest]
    if current is not None and current.code not in {code for code, _label in choices}:
        choices.insert(0, (current.code, current.label))
    return choices


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
        return round(self.reported * 100 / self.expected, 1) if self.expected else None

    @property
    def on_time_rate(self):
        return round(self.on_time * 100 / self.expected, 1) if self.expected else None


def due_months(period, today=None):
    """The period's months that are over (a month's report is expected once the month has ended)."""
    today = today or timezone.localdate()
    this_month = month_start(today.year, today.month)
    return [m for m in period.months() if m < this_month]


def completeness_for(period, *, department_ids=None, today=None, assignments=None):
    """How many of the period's expected monthly reports are in, and how many on time.

    Two queries besides the assignments' (`assignments` saves them when the caller has them).
    expected = active departments that enter indicators × months that are over;
    reported = reports submitted or approved; on time = of those, first submitted
    by the deadline (reports.models.deadline_for). Counted by reports.reporting.selectors.completeness,
    the same function as the completeness grid.
    """
    today = today or timezone.localdate()
    departments = assignment_table.reporting_departments(assignments=assignments)
    if department_ids is not None:
        wanted = set(department_ids)
        departments = [d for d in departments if d.pk in wanted]
    months = due_months(period, today)
    if not months or not departments:
        return Completeness(months=months, expected=0, reported=0, on_time=0)
    _departments, _months, cells, rates = completeness(months[0], months[-1], today=today, departments=departments)
    late = []
    for department in departments:
        missing = sum(
            1
            for m in months
            if (report := cells.get((department.pk, m))) is None or report.state not in REPORTED_STATES
        )
        if missing:
            late.append((department, missing))
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
    points, not %) and indicators where neither direction is better.
    """
    comparable = [f for f in figures if f.yoy_pct is not None and f.is_good is not None]
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


def indicator_charts(indicator, *, period, series, per_unit, department_names, rolled_up=frozenset()):
    """{chart key: figure dict} of one indicator's trend (this year against last) and breakdown by unit.

    `rolled_up`: the units whose bars include the departments under them (the title says so).
    """
    year = period.last.year
    shape = {"unit": indicator.unit, "decimals": indicator.decimals, "percentage": indicator.is_percentage}
    trend = charts.trend_figure(
        title=_("%(name)s 月度走势") % {"name": indicator.name},
        year=year,
        this_year=_month_numbers(series, year),
        last_year=_month_numbers(series, year - 1),
        bars=indicator.kind == Kind.FLOW,
        **shape,
    )
    rows = [(department_names.get(pk, str(pk)), f.value, f.previous) for pk, f in per_unit.items()]
    title = _("%(name)s 分单位") % {"name": indicator.name}
    if rolled_up & per_unit.keys():
        title += _("（含下级单位）")
    breakdown = charts.breakdown_figure(
        title=title,
        rows=rows,
        current_label=period.label,
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
    summary = summarize(period, scope=scope, include_submitted=include_submitted, assignments=assignments)
    panels = _core_panels(summary)
    department_ids = scope.department_ids()
    charted = [f.indicator for panel in panels for f in panel.figures]
    series = monthly_series(
        charted,
        datetime.date(period.last.year - 1, 1, 1),
        period.last,
        scope=scope,
        include_submitted=include_submitted,
    )
    # One level down the hierarchy: the county's top-level units, or a department's own figures and its
    # children's. A city's 500 departments make 50 readable bars, and the units' rollup keeps them fast.
    per_unit = by_unit(charted, period, scope=scope, include_submitted=include_submitted)
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
    figures = {}
    for panel in panels:
        panel.links = links[panel.lead.indicator.code]
        for indicator in (f.indicator for f in panel.figures):
            figures.update(
                indicator_charts(
                    indicator,
                    period=period,
                    series=series.get(indicator.code, {}),
                    per_unit=per_unit.get(indicator.code, {}),
                    department_names=department_names,
                    rolled_up=rolled_up,
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


# --- display ------------------------------------------------------------------------------------

ARROWS = {"up": "↑", "down": "↓", "flat": "→"}


@dataclass
class Shown:
    """A figure ready for a card or a list: formatted value, 同比 phrase, arrow and tone."""

    figure: object
    value: str
    change: str
    arrow: str
    tone: str  # "good", "bad" or "neutral"
    url: str | None
    elsewhere: bool = False  # missing in a department's view because other departments enter it

    @property
    def indicator(self):
        return self.figure.indicator

    @property
    def comparable(self):
        """Whether there is a 同比 to show (a figure now and one a year ago)."""
        return self.figure.change is not None


def shown(figure, url=None, elsewhere=False):
    """Format one figure for display with metrics.formatting (percentages change in 个百分点).

    `elsewhere`: see Dashboard.entered_elsewhere.
    """
    good = figure.is_good
    return Shown(
        elsewhere=elsewhere,
        figure=figure,
        value=format_value(figure.value, figure.indicator, with_unit=False),
        change=change_phrase(figure),
        arrow=ARROWS.get(figure.direction, ""),
        tone="good" if good else "bad" if good is False else "neutral",
        url=url,
    )


@dataclass
class Progress:
    """A target's progress: value of target, completion %, and how much of the year has passed."""

    shown: Shown
    target: str
    completion: str
    bar_pct: float  # 0–100, for the bar's width
    time_pct: float  # share of the year the period reaches


def target_progress(figure, period, url=None):
    completion = figure.completion_pct
    return Progress(
        shown=shown(figure, url),
        target=format_value(figure.target, figure.indicator, with_unit=False),
        completion=format_pct(completion),
        bar_pct=float(min(completion, 100)) if completion is not None else 0.0,
        time_pct=round(period.last.month * 100 / 12, 1),
    )
