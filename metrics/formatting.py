"""Chinese display of figures and their changes. Pure functions on Decimal; rounding half up."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

MISSING = "—"


def quantize(value, places):
    """Round half up to `places` decimals."""
    return Decimal(value).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def format_number(value, decimals=0, *, separators=True, trim=False):
    """1234567 → '1,234,567'; 1043.5 with 4 decimals and trim → '1,043.5'. None → '—'."""
    if value is None:
        return MISSING
    rounded = quantize(value, decimals)
    text = f"{rounded:,.{decimals}f}" if separators else f"{rounded:.{decimals}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_value(value, indicator, *, separators=True, with_unit=True):
    """An indicator's value for display: counts whole with separators, 万元 with their decimals, % with two."""
    if value is None:
        return MISSING
    if indicator.is_percentage:
        text = format_number(value, 2, separators=separators)
    elif indicator.decimals:
        text = format_number(value, indicator.decimals, separators=separators, trim=True)
    else:
        text = format_number(value, 0, separators=separators)
    return f"{text}{indicator.unit}" if with_unit else text


def format_pct(value, places=2):
    """A percentage with two decimals: 93.5979 → '93.60%'."""
    if value is None:
        return MISSING
    return f"{format_number(value, places, separators=False)}%"


def change_phrase(figure, *, prefix=None):
    """同比上升5.23% / 同比下降11.81% / 同比持平 / 上年同期为0 / 同比增加1.20个百分点; '—' with nothing to compare.

    Percentages (rates and ratios) change in 个百分点, never in a % of a %.
    """
    prefix = _("同比") if prefix is None else prefix
    if figure.value is None or figure.previous is None:
        return MISSING
    change = figure.change
    if figure.indicator.is_percentage:
        points = quantize(abs(change), 2)
        if points == 0:
            return _("%(p)s持平") % {"p": prefix}
        verb = _("提高") if change > 0 else _("降低")
        return _("%(p)s%(verb)s%(n)s个百分点") % {"p": prefix, "verb": verb, "n": format_number(points, 2)}
    if figure.previous == 0:
        return _("上年同期为0") if figure.value else _("%(p)s持平") % {"p": prefix}
    pct = quantize(abs(figure.yoy_pct), 2)
    if pct == 0:
        return _("%(p)s持平") % {"p": prefix}
    verb = _("上升") if change > 0 else _("下降")
    return _("%(p)s%(verb)s%(n)s%%") % {"p": prefix, "verb": verb, "n": format_number(pct, 2, separators=False)}


def signed_pct(value, places=2):
    """+5.23% / −11.81% for tables; '—' for None."""
    if value is None:
        return MISSING
    rounded = quantize(value, places)
    sign = "+" if rounded > 0 else "−" if rounded < 0 else ""
    return f"{sign}{format_number(abs(rounded), places, separators=False)}%"


# --- phrases for written documents (the half-year summary) ------------------
# Documents follow the 2023 report's habits: no thousands separators, counts
# whole, 万元 with their significant decimals, percentages with two decimals
# unless the writer asks for fewer (93.6%). `decimals=None` keeps those defaults.

TEN_THOUSAND = Decimal(10000)
MONEY_UNIT_TEXT = "万元"


def document_value(value, indicator, *, decimals=None, with_unit=True, in_wan=False):
    """A value as written in a document: 127件, 1043.5万元, 93.60% (93.6% with decimals=1), 14.5万起 (in_wan).

    None → '—'. An explicit `decimals` rounds to exactly that many places (trimmed for 万元 and 万 values).
    """
    if value is None:
        return MISSING
    unit = indicator.unit
    if in_wan and not indicator.is_percentage:
        value = Decimal(value) / TEN_THOUSAND
        unit = f"万{unit}" if unit != MONEY_UNIT_TEXT else "亿元"
        text = format_number(value, 4 if decimals is None else decimals, separators=False, trim=decimals is None)
    elif decimals is not None:
        text = format_number(value, decimals, separators=False)
    elif indicator.is_percentage:
        text = format_number(value, 2, separators=False)
    elif indicator.decimals:
        text = format_number(value, indicator.decimals, separators=False, trim=True)
    else:
        text = format_number(value, 0, separators=False)
    return f"{text}{unit}" if with_unit else text


def change_verb(figure):
    """上升 / 下降 / 持平 (percentages: 提高 / 降低 / 持平); '—' with nothing to compare or a zero base."""
    change = figure.change
    if change is None:
        return MISSING
    if figure.indicator.is_percentage:
        if quantize(change, 2) == 0:
            return _("持平")
        return _("提高") if change > 0 else _("降低")
    if not figure.previous:
        return _("持平") if not figure.value else MISSING
    if quantize(figure.yoy_pct, 2) == 0:
        return _("持平")
    return _("上升") if change > 0 else _("下降")


def change_size(figure, *, decimals=2):
    """The size of the 同比 change without its direction: 11.81% (percentages: 1.20个百分点); '—' when none."""
    change = figure.change
    if change is None:
        return MISSING
    if figure.indicator.is_percentage:
        return _("%(n)s个百分点") % {"n": format_number(abs(change), decimals, separators=False)}
    if not figure.previous:
        return MISSING
    return f"{format_number(abs(figure.yoy_pct), decimals, separators=False)}%"


def completion_text(figure, *, decimals=None):
    """Target completion as written: 40% (4 of 10), 93.75%; '—' with no target or no value.

    Without `decimals`, two places with trailing zeros dropped.
    """
    pct = figure.completion_pct
    if pct is None:
        return MISSING
    places = 2 if decimals is None else decimals
    return f"{format_number(pct, places, separators=False, trim=decimals is None)}%"
