"""Reporting periods: months, quarters, half-years, years and month ranges.

A period is a span of whole months, `first` to `last` (each the first day of
its month). Codes: ``2023-05``, ``2023Q2``, ``2023H1``/``2023H2``, ``2023``,
``2023-01..2023-05``. 同比 compares with the same span a year earlier; 环比
with the span of the same length just before.
"""

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

MONTH = "month"
QUARTER = "quarter"
HALF = "half"
YEAR = "year"
RANGE = "range"

_QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$", re.IGNORECASE)
_HALF_RE = re.compile(r"^(\d{4})H([12])$", re.IGNORECASE)
_YEAR_RE = re.compile(r"^(\d{4})$")


class PeriodError(ValueError):
    """A period code that cannot be read; the message is for people."""


def month_start(year, month):
    """The first day of a month, with month overflowing into later or earlier years."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return datetime.date(year, month, 1)


def add_months(day, months):
    return month_start(day.year, day.month + months)


def months_between(first, last):
    """Number of months from first to last inclusive."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


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
        return months_between(self.first, self.last)

    def months(self):
        """The first day of every month in the period."""
        return [add_months(self.first, i) for i in range(self.length)]

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


def parse_period(text):
    """Read a period code; raises PeriodError with a Chinese message."""
    text = (text or "").strip()
    if ".." in text:
        start, _sep, end = text.partition("..")
        first, last = _parse_month(start, text), _parse_month(end, text)
        if last < first:
            raise PeriodError(_("期间“%(code)s”的结束月份早于开始月份。") % {"code": text})
        return Period.range(first, last)
    for pattern, build in (
        (_MONTH_RE, lambda y, m: Period.month(y, m)),
        (_QUARTER_RE, lambda y, q: Period.quarter(y, q)),
        (_HALF_RE, lambda y, h: Period.half(y, h)),
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
        % {"code": text}
    )


def _parse_month(text, whole):
    match = _MONTH_RE.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise PeriodError(
            _("期间“%(code)s”中的月份“%(month)s”无法识别，应为 2023-05 这样的写法。")
            % {
                "code": whole,
                "month": text,
            }
        )
    _check_year(int(match.group(1)), whole)
    return month_start(int(match.group(1)), int(match.group(2)))


def _check_year(year, text):
    if not 1900 <= year <= 2999:
        raise PeriodError(_("期间“%(code)s”的年份超出范围。") % {"code": text})
