"""Chinese display of figures and their changes. Pure functions on Decimal; rounding half up."""

import unicodedata
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

MISSING = "—"
# 同比 % and 个百分点 are shown to two decimals; a change that rounds to 0.00 is 持平.
CHANGE_PLACES = 2
UP, DOWN, FLAT = "up", "down", "flat"
FROM_ZERO = "from_zero"  # a change from a zero base: a direction, but no % to give


def quantize(value, places):
    """Round half up to `places` decimals."""
    return Decimal(value).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def _trimmed(text):
    """Decimal text without trailing zeros after the point: 1043.5000 → 1043.5, 100.00 → 100."""
    return text.rstrip("0").rstrip(".") if "." in text else text


def plain(value):
    """A number as a person writes it: no exponent, separators or trailing zeros (1043.5, 100, 0); '' for None."""
    if value is None:
        return ""
    text = _trimmed(format(Decimal(value), "f"))
    return "0" if text == "-0" else text


def as_number(value):
    """A Decimal as a JSON number or spreadsheet cell: int when whole, float otherwise; None stays None."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def format_number(value, decimals=0, *, separators=True, trim=False):
    """1234567 → '1,234,567'; 1043.5 with 4 decimals and trim → '1,043.5'. None → '—'."""
    if value is None:
        return MISSING
    rounded = quantize(value, decimals)
    text = f"{rounded:,.{decimals}f}" if separators else f"{rounded:.{decimals}f}"
    return _trimmed(text) if trim else text


def format_value(value, indicator, *, separators=True, with_unit=True):
    """An indicator's value for display: counts whole with separators, 万元 with their decimals, % with two."""
    if value is None:
        return MISSING
    if indicator.is_percentage:
        text = format_number(value, 2, separators=separators)
    else:
        text = format_number(value, indicator.decimals, separators=separators, trim=bool(indicator.decimals))
    return f"{text}{indicator.unit}" if with_unit else text


def with_unit(label, unit):
    """A title or column heading with its unit: 本期（万元）; the label alone when there is no unit."""
    return f"{label}（{unit}）" if unit else label


def change_unit(indicator):
    """What a change of the indicator is counted in: its unit, 个百分点 for rates and ratios."""
    return _("个百分点") if indicator.is_percentage else indicator.unit


def format_pct(value, places=2):
    """A percentage with two decimals: 93.5979 → '93.60%'."""
    if value is None:
        return MISSING
    return f"{format_number(value, places, separators=False)}%"


# --- the direction of a change: one rule for cards, tables, movers, the API and documents --------


def direction(figure):
    """'up', 'down' or 'flat' as the 同比 change reads once rounded; None with nothing to compare.

    The change is judged as shown: 同比 % (个百分点 for percentages) to two decimals, so that
    100001 against 100000 (+0.001%) is 持平, neither good nor bad. From a zero base any change counts.
    """
    change = figure.change
    if change is None:
        return None
    if figure.indicator.is_percentage:
        shown = quantize(change, CHANGE_PLACES)
    elif figure.previous:
        shown = quantize(figure.yoy_pct, CHANGE_PLACES)
    else:
        shown = change
    return UP if shown > 0 else DOWN if shown < 0 else FLAT


def tone(figure):
    """'good', 'bad' or 'neutral': how a change is coloured (the figure's `is_good`, from its direction)."""
    return {True: "good", False: "bad"}.get(figure.is_good, "neutral")


def _reading(figure):
    """How a change reads: its direction, or FROM_ZERO for a change from a zero base (no % of nothing)."""
    way = direction(figure)
    if way in (UP, DOWN) and not figure.indicator.is_percentage and not figure.previous:
        return FROM_ZERO
    return way


def change_verb(figure):
    """上升 / 下降 / 持平 (percentages: 提高 / 降低 / 持平); '—' with nothing to compare or from a zero base."""
    reading = _reading(figure)
    if reading in (UP, DOWN):
        if figure.indicator.is_percentage:
            return _("提高") if reading == UP else _("降低")
        return _("上升") if reading == UP else _("下降")
    return _("持平") if reading == FLAT else MISSING


def change_size(figure, *, decimals=CHANGE_PLACES):
    """The size of the 同比 change without its direction: 11.81% (percentages: 1.20个百分点); '—' when none."""
    change = figure.change
    if change is None:
        return MISSING
    if figure.indicator.is_percentage:
        return _("%(n)s个百分点") % {"n": format_number(abs(change), decimals, separators=False)}
    if not figure.previous:
        return MISSING
    return f"{format_number(abs(figure.yoy_pct), decimals, separators=False)}%"


def change_phrase(figure, *, decimals=CHANGE_PLACES):
    """同比上升5.23% / 同比下降11.81% / 同比持平 / 上年同期为0 / 同比提高1.20个百分点; '—' with nothing to compare.

    Percentages (rates and ratios) change in 个百分点, never in a % of a %.
    """
    reading = _reading(figure)
    if reading in (UP, DOWN):
        return _("同比%(verb)s%(size)s") % {"verb": change_verb(figure), "size": change_size(figure, decimals=decimals)}
    return {None: MISSING, FLAT: _("同比持平"), FROM_ZERO: _("上年同期为0")}[reading]


def change_short(figure):
    """The 同比 of a table cell: +5.23% / −11.81% / 持平 / 上年同期为0 / +1.20个百分点; '—' with nothing to compare."""
    reading = _reading(figure)
    if reading in (UP, DOWN):
        return ("+" if reading == UP else "−") + change_size(figure)
    return {None: MISSING, FLAT: _("持平"), FROM_ZERO: _("上年同期为0")}[reading]


# --- phrases for written documents (the half-year summary) ------------------
# Documents follow the 2023 report's habits: no thousands separators, counts
# whole, 万元 with their significant decimals, percentages with two decimals
# unless the writer asks for fewer (93.6%). `decimals=None` keeps those defaults.

TEN_THOUSAND = Decimal(10000)
MONEY_UNIT_TEXT = "万元"
# Amounts are stored to 4 decimals; a document writes them to 2 (2231.15万元, never 2231.1454万元).
DOCUMENT_AMOUNT_PLACES = 2
# Qualifiers of a rounded figure: 余/多 after it (floor: 200余篇), 近/约 before it (ceiling: 近60次; half up).
AFTER, BEFORE = ("余", "多"), ("近", "约")
_ROUNDING = {"余": ROUND_FLOOR, "多": ROUND_FLOOR, "近": ROUND_CEILING, "约": ROUND_HALF_UP}


def document_places(indicator):
    """How many decimals a document writes by default: counts 0, percentages 2, amounts 2."""
    if indicator.is_percentage:
        return CHANGE_PLACES
    return min(indicator.decimals, DOCUMENT_AMOUNT_PLACES)


def approximate(value, *, places=0, step=None, about=None):
    """(shown, qualifier): `value` rounded to `places` decimals (or to a multiple of `step`, e.g. 100) the way
    its qualifier says — 余/多 down, 近 up, 约 or none half up — and the qualifier only when rounding changed it.

    A qualifier that would round to nothing (3 → "0余") is dropped and the value shown as it is.
    """
    value = Decimal(value)
    quantum = Decimal(step) if step else Decimal(1).scaleb(-places)
    shown = (value / quantum).quantize(Decimal(1), _ROUNDING.get(about, ROUND_HALF_UP)) * quantum
    if about and shown == 0 and value != 0:
        return quantize(value, places), ""
    return shown, (about if about and shown != value else "")


def document_value(value, indicator, *, decimals=None, with_unit=True, in_wan=False, about=None, step=None):
    """A value as written in a document: 127件, 1043.5万元, 93.60% (93.6% with decimals=1), 14.5万起 (in_wan),
    200余篇 (about="余", step=100, from 213), 近60次 (about="近", step=10, from 58).

    None → '—'. Counts are whole, amounts to DOCUMENT_AMOUNT_PLACES, percentages to two decimals;
    an explicit `decimals` rounds to that many places (at most that many for amounts and 万).
    """
    if value is None:
        return MISSING
    unit = indicator.unit
    trim = not indicator.is_percentage and (in_wan or indicator.decimals > 0)
    if in_wan and not indicator.is_percentage:
        value = Decimal(value) / TEN_THOUSAND
        unit = f"万{unit}" if unit != MONEY_UNIT_TEXT else "亿元"
        places = 4 if decimals is None else decimals
    else:
        places = document_places(indicator) if decimals is None else decimals
    shown, qualifier = approximate(value, places=places, step=step, about=about)
    text = format_number(shown, 0 if step else places, separators=False, trim=trim)
    if qualifier in BEFORE:
        text = qualifier + text
    after = qualifier if qualifier in AFTER else ""
    if not with_unit:
        return text + after
    # 14.5万余起, 1.2亿余元, 150多万元: the qualifier goes between the number (with its 万/亿) and the unit.
    lead, base = (unit[:1], unit[1:]) if in_wan and not indicator.is_percentage else ("", unit)
    return f"{text}{lead}{after}{base}"


def completion_text(figure, *, decimals=None):
    """Target completion as written: 40% (4 of 10), 93.75%; '—' with no target or no value.

    Without `decimals`, two places with trailing zeros dropped.
    """
    pct = figure.completion_pct
    if pct is None:
        return MISSING
    places = 2 if decimals is None else decimals
    return f"{format_number(pct, places, separators=False, trim=decimals is None)}%"


def echo(text, limit=20):
    """What someone typed, safe to quote back in a message: control characters shown as �, long text cut."""
    text = "".join("\ufffd" if unicodedata.category(ch)[0] == "C" else ch for ch in str(text))
    return text if len(text) <= limit else text[:limit] + "…"


def coverage_text(coverage, include_submitted=False):
    """How complete a figure's 截至 month is: 7月：6/11 单位已审核 (已上报 with submitted ones); '' when complete."""
    if coverage is None or coverage.complete:
        return ""
    values = {"month": coverage.month.month, "reported": coverage.reported, "expected": coverage.expected}
    if include_submitted:
        return _("%(month)d月：%(reported)d/%(expected)d 单位已上报") % values
    return _("%(month)d月：%(reported)d/%(expected)d 单位已审核") % values
