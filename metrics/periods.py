"""Reporting periods: months, quarters, half-years, years and month ranges.

A period is a span of whole months, `first` to `last` (each the first day of
its month). Codes: ``2023-05``, ``2023Q2``, ``2023H1``/``2023H2``, ``2023``,
``2023-01..2023-05``. 同比 compares with the same span a year earlier; 环比
with the span of the same length just before.
"""

import calendar
import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from metrics.formatting import echo

MONTH = "month"
QUARTER = "quarter"
HALF = "half"
YEAR = "year"
RANGE = "range"

_QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}
# ASCII digits only: int() would read full-width ones (２０２３), which no code here writes.
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$", re.ASCII)
_QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$", re.ASCII | re.IGNORECASE)
_HALF_RE = re.compile(r"^(\d{4})H([12])$", re.ASCII | re.IGNORECASE)
_YEAR_RE = re.compile(r"^(\d{4})$", re.ASCII)
# Years a period may name: wide enough for any history, narrow enough that a year earlier
# or later (同比, deadlines, chart axes) is still a date.
FIRST_YEAR, LAST_YEAR = 1900, 2999


class PeriodError(ValueError):
    """A period code that cannot be read; the message is for people."""


def today():
    """The date the product works on: the county's local date, or the pinned ZHENGFA_TODAY.

    Every "today" of the product (deadlines, overdue, reminders, default periods, quick-picks)
    comes from here, so that the demo can live in the month its data describe.
    """
    return settings.ZHENGFA_TODAY or timezone.localdate()


def now():
    """The moment the product records (submissions, approvals, value history): the current time, or with a
    pinned ZHENGFA_TODAY the current time of day on that date, so that what the demo does reads as done today
    (a July report submitted on the demo's 3 August is on time, not three years late)."""
    current = timezone.localtime()
    pinned = settings.ZHENGFA_TODAY
    if not pinned:
        return current
    return current.replace(year=pinned.year, month=pinned.month, day=pinned.day)


def month_start(year, month):
    """The first day of a month, with month overflowing into later or earlier years (month 13 is January)."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return datetime.date(year, month, 1)


def first_of_month(day):
    """The first day of `day`'s month."""
    return datetime.date(day.year, day.month, 1)


def add_months(month, n):
    """The first day of the month `n` months after (negative: before) `month`'s."""
    return month_start(month.year, month.month + n)


def month_count(first, last):
    """How many months from first to last, both included (0 when last is before first)."""
    return max((last.year - first.year) * 12 + last.month - first.month + 1, 0)


def month_list(first, last):
    """The first day of every month from first to last, both included."""
    start = first_of_month(first)
    return [add_months(start, i) for i in range(month_count(first, last))]


def last_month_over(today):
    """The latest month that has ended by `today`: the month whose report is now due."""
    return add_months(first_of_month(today), -1)


def deadline(month, day):
    """Day `day` (1 or more) of the month after `month`, or that month's last day when it is shorter."""
    following = add_months(month, 1)
    return following.replace(day=min(day, calendar.monthrange(following.year, following.month)[1]))


def month_of(year, month):
    """The first day of a month given as numbers; PeriodError for a month or year that does not exist here."""
    if not 1 <= month <= 12:
        raise PeriodError(_("月份“%(month)s”不存在，应为 1—12。") % {"month": echo(month)})
    check_year(year)
    return datetime.date(year, month, 1)


def check_year(year):
    """`year` (an int) when periods accept it (FIRST_YEAR..LAST_YEAR); PeriodError with a Chinese message otherwise.

    The one range of years: addresses, parameters, workbooks, CSV files and the workflow all ask here.
    """
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError(
            _("年份“%(year)s”超出范围（%(first)d—%(last)d）。")
            % {"year": echo(year), "first": FIRST_YEAR, "last": LAST_YEAR}
        )
    return year


def parse_year(text):
    """A year written as four ASCII digits (2023) as an int; PeriodError with a Chinese message otherwise."""
    text = str(text if text is not None else "").strip()
    if not _YEAR_RE.match(text):
        raise PeriodError(_("年份“%(year)s”无法识别，应为 2023 这样的四位数字。") % {"year": echo(text)})
    return check_year(int(text))


def parse_month(text):
    """A month written YYYY-MM (2023-05, or 2023-5) as its first day; PeriodError with a Chinese message otherwise."""
    match = _MONTH_RE.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise PeriodError(_("月份“%(month)s”无法识别，应为 YYYY-MM（如 2023-05）。") % {"month": echo(text or "")})
    return month_of(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True, order=True)
class Period:
    first: datetime.date
    last: datetime.date
    kind: str = RANGE

    def __post_init__(self):
        if self.first.day != 1 or self.last.day != 1:
            raise PeriodError(_("期间的起止必须是月份。"))
        if self.last < self.first:
            raise PeriodError(_("期间的结束月份早于开始月份。"))

    # --- constructors -------------------------------------------------------

    @classmethod
    def month(cls, year, month):
        day = month_start(year, month)
        return cls(day, day, MONTH)

    @classmethod
    def quarter(cls, year, quarter):
        first = month_start(year, 3 * quarter - 2)
        return cls(first, add_months(first, 2), QUARTER)

    @classmethod
    def half(cls, year, half):
        first = month_start(year, 6 * half - 5)
        return cls(first, add_months(first, 5), HALF)

    @classmethod
    def year(cls, year):
        return cls(month_start(year, 1), month_start(year, 12), YEAR)

    @classmethod
    def range(cls, first, last):
        return cls(first, last, RANGE)

    # --- properties ---------------------------------------------------------

    @property
    def length(self):
        return month_count(self.first, self.last)

    def months(self):
        """The first day of every month in the period."""
        return month_list(self.first, self.last)

    def months_over(self, today):
        """The period's months that have ended by `today` (their reports are due)."""
        last = last_month_over(today)
        return [m for m in self.months() if m <= last]

    def __contains__(self, day):
        return self.first <= month_start(day.year, day.month) <= self.last

    @property
    def code(self):
        if self.kind == MONTH:
            return f"{self.first:%Y-%m}"
        if self.kind == QUARTER:
            return f"{self.first.year}Q{(self.first.month + 2) // 3}"
        if self.kind == HALF:
            return f"{self.first.year}H{1 if self.first.month == 1 else 2}"
        if self.kind == YEAR:
            return str(self.first.year)
        return f"{self.first:%Y-%m}..{self.last:%Y-%m}"

    @property
    def label(self):
        """Chinese label: 2023年5月, 2023年第二季度, 2023年上半年, 2023年, 2023年1—5月."""
        y = self.first.year
        if self.kind == MONTH:
            return _("%(year)d年%(month)d月") % {"year": y, "month": self.first.month}
        if self.kind == QUARTER:
            return _("%(year)d年第%(quarter)s季度") % {
                "year": y,
                "quarter": _QUARTER_NAMES[(self.first.month + 2) // 3],
            }
        if self.kind == HALF:
            return _("%(year)d年上半年") % {"year": y} if self.first.month == 1 else _("%(year)d年下半年") % {"year": y}
        if self.kind == YEAR:
            return _("%(year)d年") % {"year": y}
        if self.first == self.last:
            return _("%(year)d年%(month)d月") % {"year": y, "month": self.first.month}
        if self.first.year == self.last.year:
            return _("%(year)d年%(first)d—%(last)d月") % {"year": y, "first": self.first.month, "last": self.last.month}
        return _("%(y1)d年%(m1)d月—%(y2)d年%(m2)d月") % {
            "y1": y,
            "m1": self.first.month,
            "y2": self.last.year,
            "m2": self.last.month,
        }

    def __str__(self):
        return self.code

    # --- comparisons --------------------------------------------------------

    def shift(self, months):
        return Period(add_months(self.first, months), add_months(self.last, months), self.kind)

    def year_ago(self):
        """The 同比 period: the same span one year earlier."""
        return self.shift(-12)

    def previous(self):
        """The 环比 period: the span of the same length just before."""
        return self.shift(-self.length)


# The kinds of period a page may open on (settings.ZHENGFA_DEFAULT_PERIOD): the last complete one.
DEFAULT_KINDS = {HALF: 6, QUARTER: 3}


def complete_by(month, kind=HALF):
    """The latest half-year (or quarter, `kind`) whose last month is `month` or earlier."""
    size = DEFAULT_KINDS[kind]
    part = (month.month - 1) // size + 1
    period = Period.half(month.year, part) if kind == HALF else Period.quarter(month.year, part)
    return period if period.last == first_of_month(month) else period.previous()


def default_period(latest_month, today, kind=None):
    """The period a page opens on: the latest half-year (or quarter) whose months are all over and reported.

    A month is over once last_month_over(today) reaches it, and reported for the county up to
    `latest_month`, the latest month with a counted value: one approved July report does not open a
    second half-year that has barely begun. `kind` is settings.ZHENGFA_DEFAULT_PERIOD ("half" or
    "quarter") unless given. With no data (`latest_month` None), the last one over.
    """
    month = last_month_over(today)
    if latest_month is not None:
        month = min(first_of_month(latest_month), month)
    return complete_by(month, kind or settings.ZHENGFA_DEFAULT_PERIOD)


@dataclass(frozen=True)
class Covered:
    """What a period's figures cover: its months up to the 截至 month `through`.

    `through` is the last month that is over and reported in the figures' scope (see
    metrics.aggregation.reported_through); None when nothing is, and then the whole period is
    meant. 同比 compares the same months a year earlier, 环比 the same months of the period before.
    """

    period: Period
    through: datetime.date | None = None

    @property
    def complete(self):
        """Whether the figures cover the whole period (or nothing is reported to clip it to)."""
        return self.through is None or self.through >= self.period.last

    @property
    def span(self):
        """The months covered, as a Period: the period itself when complete, else first..through."""
        if self.complete:
            return self.period
        return Period.range(self.period.first, max(self.through, self.period.first))

    @property
    def label(self):
        """2023年上半年 when complete; 2023年（1—7月）, 2023年下半年（7月）, 2022年11月—2023年3月（2022年11—12月）."""
        if self.complete:
            return self.period.label
        span = self.span
        if self.period.first.year != self.period.last.year:
            months = span.label
        elif span.first == span.last:
            months = _("%(month)d月") % {"month": span.first.month}
        else:
            months = _("%(first)d—%(last)d月") % {"first": span.first.month, "last": span.last.month}
        return _("%(period)s（%(months)s）") % {"period": self.period.label, "months": months}

    def year_ago(self):
        """The 同比 comparison: the same months one year earlier."""
        return self.shift(-12)

    def previous(self):
        """The 环比 comparison: the same months of the period just before."""
        return self.shift(-self.period.length)

    def shift(self, months):
        through = add_months(self.through, months) if self.through is not None else None
        return Covered(self.period.shift(months), through)


def parse_period(text):
    """Read a period code; raises PeriodError with a Chinese message."""
    text = (text or "").strip()
    if ".." in text:
        start, _sep, end = text.partition("..")
        first, last = _parse_month(start, text), _parse_month(end, text)
        if last < first:
            raise PeriodError(_("期间“%(code)s”的结束月份早于开始月份。") % {"code": echo(text, 40)})
        return Period.range(first, last)
    for pattern, build in (
        (_MONTH_RE, Period.month),
        (_QUARTER_RE, Period.quarter),
        (_HALF_RE, Period.half),
    ):
        match = pattern.match(text)
        if match:
            year, part = int(match.group(1)), int(match.group(2))
            if pattern is _MONTH_RE and not 1 <= part <= 12:
                break
            _check_year(year, text)
            return build(year, part)
    match = _YEAR_RE.match(text)
    if match:
        _check_year(int(text), text)
        return Period.year(int(text))
    raise PeriodError(
        _("无法识别的期间“%(code)s”。请使用 2023-05、2023Q2、2023H1、2023 或 2023-01..2023-05 这样的写法。")
        % {"code": echo(text, 40)}
    )


def _parse_month(text, whole):
    """One end of a range code; the message names the whole code."""
    try:
        return parse_month(text)
    except PeriodError as error:
        raise PeriodError(
            _("期间“%(code)s”中的月份有误：%(error)s") % {"code": echo(whole, 40), "error": error}
        ) from error


def _check_year(year, text):
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError(_("期间“%(code)s”的年份超出范围。") % {"code": echo(text, 40)})
