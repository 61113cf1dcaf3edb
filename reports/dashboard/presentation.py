"""How the dashboard shows its figures: formatted cards and list items, target progress, the period
picker, and where cards and charts lead. The figures themselves come from reports.dashboard.figures.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from metrics.aggregation import Scope
from metrics.formatting import change_phrase, coverage_text, format_pct, format_value, tone
from metrics.periods import Period, month_start

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


def chart_links(indicator, *, period, scope, include_submitted, units):
    """Where a click on the indicator's charts leads: ({(year, month): url}, {department pk: (url, url)}).

    A month of the trend opens the department table of that month (who made the figure); a unit's
    bar opens that unit's month table over the bar's period (this period, or the year before's).
    `units` are the departments the breakdown shows a bar for, by pk.
    """
    months = {}
    for month in Period.range(month_start(period.last.year - 1, 1), period.last).months():
        month_period = Period.month(month.year, month.month)
        months[(month.year, month.month)] = detail_url(
            "breakdown", period=month_period, scope=scope, indicator=indicator, include_submitted=include_submitted
        )
    bars = {}
    for pk, department in units.items():
        unit = Scope(department)
        bars[pk] = tuple(
            detail_url("trend", period=p, scope=unit, indicator=indicator, include_submitted=include_submitted)
            for p in (period, period.year_ago())
        )
    return months, bars


def detail_links(indicator, *, period, scope, include_submitted=False):
    """{kind: url or None} for one indicator."""
    return {
        kind: detail_url(kind, period=period, scope=scope, indicator=indicator, include_submitted=include_submitted)
        for kind in DETAIL_ROUTES
    }


# --- the period picker ---------------------------------------------------------------------------


def period_choices(months, current=None):
    """(code, label) of the years, half-years and quarters holding data, newest first.

    `months` are the months with data (metrics.aggregation.months_with_data): a period without any is
    not offered. `current` is added first when it is none of them (e.g. a range chosen by months).
    """
    held = set(months)
    choices = []
    years = sorted({m.year for m in held}, reverse=True)
    for year in years:
        candidates = [Period.half(year, 2), Period.half(year, 1), Period.year(year)]
        candidates += [Period.quarter(year, q) for q in (4, 3, 2, 1)]
        choices += [(p.code, p.label) for p in candidates if not held.isdisjoint(p.months())]
    if current is not None and current.code not in {code for code, _label in choices}:
        choices.insert(0, (current.code, current.label))
    return choices


def month_choices(months):
    """(code, label) of the months with data, oldest first: the two ends of a range chosen on the page."""
    return [(f"{m:%Y-%m}", Period.month(m.year, m.month).label) for m in months]


def range_text(first, last):
    """The period code of a range chosen by its two ends (2023-01..2023-07); one end alone is that month."""
    first, last = (first or "").strip(), (last or "").strip()
    if first and last and first != last:
        return f"{first}..{last}"
    return first or last


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
    coverage: str = ""  # 7月：6/11 单位已审核 when the 截至 month is not complete

    @property
    def indicator(self):
        return self.figure.indicator

    @property
    def comparable(self):
        """Whether there is a 同比 to show (a figure now and one a year ago)."""
        return self.figure.change is not None


def shown(figure, url=None, elsewhere=False, include_submitted=False):
    """Format one figure for display with metrics.formatting (percentages change in 个百分点).

    `elsewhere`: see Dashboard.entered_elsewhere. A figure whose 截至 month is not complete says so.
    """
    return Shown(
        elsewhere=elsewhere,
        coverage="" if figure.missing else coverage_text(figure.coverage, include_submitted),
        figure=figure,
        value=format_value(figure.value, figure.indicator, with_unit=False),
        change=change_phrase(figure),
        arrow=ARROWS.get(figure.direction, ""),
        tone=tone(figure),
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
    """A figure with a target as its progress bar: completion against the share of the year gone."""
    completion = figure.completion_pct
    return Progress(
        shown=shown(figure, url),
        target=format_value(figure.target, figure.indicator, with_unit=False),
        completion=format_pct(completion),
        bar_pct=float(min(completion, 100)) if completion is not None else 0.0,
        time_pct=round(period.last.month * 100 / 12, 1),
    )
