"""Chinese display of values and changes."""

from decimal import Decimal as D

import pytest

from metrics.aggregation import Figure
from metrics.formatting import (
    as_number,
    change_phrase,
    change_short,
    change_size,
    change_verb,
    completion_text,
    direction,
    document_value,
    format_number,
    format_pct,
    format_value,
    plain,
    quantize,
    tone,
)
from metrics.models import Better, Indicator, Kind

COUNT = Indicator(code="c", name="案件", unit="件", kind=Kind.FLOW, decimals=0)
MONEY = Indicator(code="m", name="金额", unit="万元", kind=Kind.FLOW, decimals=4)
RATIO = Indicator(code="r", name="率", unit="%", kind=Kind.RATIO, decimals=2)
RATE = Indicator(code="t", name="在线率", unit="%", kind=Kind.RATE, decimals=2)


def test_rounding_is_half_up():
    assert quantize(D("2.345"), 2) == D("2.35")
    assert quantize(D("0.125"), 2) == D("0.13")
    assert format_pct(D("93.5979")) == "93.60%"


@pytest.mark.parametrize(
    "value,indicator,expected",
    [
        (D("145000"), COUNT, "145,000件"),
        (D("1043.5"), MONEY, "1,043.5万元"),
        (D("63666.7755"), MONEY, "63,666.7755万元"),
        (D("150"), MONEY, "150万元"),
        (D("93.5979"), RATIO, "93.60%"),
        (None, COUNT, "—"),
    ],
)
def test_format_value(value, indicator, expected):
    assert format_value(value, indicator) == expected


def test_format_number_without_separators():
    assert format_number(D("22852"), 0, separators=False) == "22852"


@pytest.mark.parametrize(
    "indicator,value,previous,expected",
    [
        (COUNT, D(127), D(144), "同比下降11.81%"),
        (MONEY, D("1043.5"), D("1171.9452"), "同比下降10.96%"),
        (COUNT, D(4), D(3), "同比上升33.33%"),
        (COUNT, D(12), D(12), "同比持平"),
        (COUNT, D(5), D(0), "上年同期为0"),
        (COUNT, D(0), D(0), "同比持平"),
        (COUNT, D(5), None, "—"),
        (COUNT, None, D(5), "—"),
        (RATIO, D("93.5979"), D("90.6"), "同比提高3.00个百分点"),
        (RATE, D("95"), D("98.5"), "同比降低3.50个百分点"),
        (RATE, D("95"), D("95"), "同比持平"),
    ],
)
def test_change_phrase(indicator, value, previous, expected):
    assert change_phrase(Figure(indicator, value, previous)) == expected


def test_percentages_have_no_percent_of_percent():
    assert Figure(RATIO, D(50), D(40)).yoy_pct is None
    assert Figure(RATIO, D(50), D(40)).change == D(10)


# --- phrases for written documents -----------------------------------------------


@pytest.mark.parametrize(
    "value,indicator,options,expected",
    [
        (D("145000"), COUNT, {}, "145000件"),
        (D("145000"), COUNT, {"in_wan": True, "decimals": 1}, "14.5万件"),
        (D("1043.5"), MONEY, {}, "1043.5万元"),
        (D("1043.5"), MONEY, {"with_unit": False}, "1043.5"),
        # Amounts to two decimals unless asked for more (at most that many, trailing zeros dropped).
        (D("2231.1454"), MONEY, {}, "2231.15万元"),
        (D("63666.7755"), MONEY, {"decimals": 4}, "63666.7755万元"),
        (D("1043.5"), MONEY, {"decimals": 4}, "1043.5万元"),
        (D("93.5979"), RATIO, {}, "93.60%"),
        (D("93.5979"), RATIO, {"decimals": 1}, "93.6%"),
        (D("98"), RATE, {"decimals": 0}, "98%"),
        (None, COUNT, {}, "—"),
    ],
)
def test_document_value_writes_as_the_report_does(value, indicator, options, expected):
    assert document_value(value, indicator, **options) == expected


@pytest.mark.parametrize(
    "value,indicator,options,expected",
    [
        # 余/多: floor to the shown precision, the qualifier only when something was dropped.
        (D("145386"), COUNT, {"in_wan": True, "decimals": 1, "about": "余"}, "14.5万余件"),
        (D("145000"), COUNT, {"in_wan": True, "decimals": 1, "about": "余"}, "14.5万件"),
        (D("213"), COUNT, {"step": 100, "about": "余"}, "200余件"),
        (D("200"), COUNT, {"step": 100, "about": "余"}, "200件"),
        (D("104"), COUNT, {"about": "余"}, "104件"),  # never 104余 for an exact 104
        (D("3"), COUNT, {"step": 10, "about": "余"}, "3件"),  # never 0余
        (D("153.6"), MONEY, {"step": 10, "about": "多"}, "150多万元"),
        (D("64.4933"), MONEY, {"decimals": 0, "about": "多"}, "64多万元"),
        (D("213"), COUNT, {"step": 100, "about": "余", "with_unit": False}, "200余"),
        # 近: ceiling; 约: half up; each only when the shown figure differs from the value.
        (D("58"), COUNT, {"step": 10, "about": "近"}, "近60件"),
        (D("60"), COUNT, {"step": 10, "about": "近"}, "60件"),
        (D("31"), COUNT, {"about": "近"}, "31件"),
        (D("1043.5"), MONEY, {"decimals": 0, "about": "约"}, "约1044万元"),
        (D("88.1098"), RATIO, {"decimals": 1, "about": "约"}, "约88.1%"),
        (D("123456789"), MONEY, {"in_wan": True, "decimals": 1, "about": "余"}, "12345.6亿余元"),
    ],
)
def test_document_value_qualifies_a_rounded_figure_from_its_value(value, indicator, options, expected):
    assert document_value(value, indicator, **options) == expected


def test_change_verb_and_size_for_counts_and_rates():
    fewer = Figure(COUNT, D(127), D(144))
    assert (change_verb(fewer), change_size(fewer)) == ("下降", "11.81%")
    assert change_verb(Figure(COUNT, D(5), D(5))) == "持平"
    assert change_verb(Figure(COUNT, D(5), D(0))) == "—" and change_size(Figure(COUNT, D(5), D(0))) == "—"
    assert change_verb(Figure(RATIO, D("93.6"), D("92.4"))) == "提高"
    assert change_size(Figure(RATIO, D("93.6"), D("92.4"))) == "1.20个百分点"
    assert change_verb(Figure(COUNT, D(5), None)) == "—"


def test_completion_text_trims_and_needs_a_target():
    assert completion_text(Figure(COUNT, D(4), target=D(10))) == "40%"
    assert completion_text(Figure(COUNT, D(2), target=D(3))) == "66.67%"
    assert completion_text(Figure(COUNT, D(2), target=D(3)), decimals=1) == "66.7%"
    assert completion_text(Figure(COUNT, D(2))) == "—"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (D("12.0000"), "12"),
        (D("0.0000"), "0"),
        (D("-0.00"), "0"),
        (D("32.9600"), "32.96"),
        (D("1043.5000"), "1043.5"),
        (D("1E+3"), "1000"),
        (D("0.0001"), "0.0001"),
        (D("-11.81"), "-11.81"),
        (7, "7"),
    ],
)
def test_plain_writes_a_number_as_a_person_does(value, text):
    assert plain(value) == text


def test_as_number_gives_whole_numbers_as_int_and_keeps_none():
    assert as_number(D("127.0000")) == 127 and isinstance(as_number(D("127.0000")), int)
    assert as_number(D("1043.5")) == 1043.5 and isinstance(as_number(D("1043.5")), float)
    assert as_number(None) is None


# --- direction and flatness: one rule -------------------------------------------------------------


@pytest.mark.parametrize(
    "indicator,value,previous,expected",
    [
        (COUNT, D(100001), D(100000), "flat"),  # +0.001 % rounds to 0.00 %
        (COUNT, D(99999), D(100000), "flat"),
        (COUNT, D(100005), D(100000), "up"),  # +0.005 % rounds (half up) to 0.01 %
        (COUNT, D(12), D(12), "flat"),
        (COUNT, D(127), D(144), "down"),
        (COUNT, D(5), D(0), "up"),  # from a zero base any change counts
        (COUNT, D(0), D(0), "flat"),
        (COUNT, D(5), None, None),
        (RATE, D("95.004"), D("95"), "flat"),  # +0.004 个百分点
        (RATE, D("95.01"), D("95"), "up"),
        (RATIO, D("90"), D("93.5"), "down"),
    ],
)
def test_direction_is_judged_on_the_rounded_change(indicator, value, previous, expected):
    assert direction(Figure(indicator, value, previous)) == expected
    assert Figure(indicator, value, previous).direction == expected


def test_a_change_that_rounds_to_nothing_is_flat_and_neither_good_nor_bad_in_every_phrase():
    fewer_is_better = Indicator(code="c", name="案件", unit="件", kind=Kind.FLOW, decimals=0, better=Better.DOWN)
    more_is_better = Indicator(code="d", name="调解", unit="件", kind=Kind.FLOW, decimals=0, better=Better.UP)
    for indicator in (fewer_is_better, more_is_better):
        figure = Figure(indicator, D(100001), D(100000))
        assert figure.is_good is None and tone(figure) == "neutral"
        assert change_phrase(figure) == "同比持平"
        assert change_short(figure) == "持平"
        assert change_verb(figure) == "持平"
    assert tone(Figure(more_is_better, D(110), D(100))) == "good"
    assert tone(Figure(fewer_is_better, D(110), D(100))) == "bad"


@pytest.mark.parametrize(
    "indicator,value,previous,expected",
    [
        (COUNT, D(127), D(144), "−11.81%"),
        (COUNT, D("88.1945"), D(100), "−11.81%"),  # −11.8055 % rounds half up
        (COUNT, D(105), D(100), "+5.00%"),
        (COUNT, D(4), D(3), "+33.33%"),
        (COUNT, D(100001), D(100000), "持平"),
        (COUNT, D(5), D(0), "上年同期为0"),
        (COUNT, D(0), D(0), "持平"),
        (COUNT, None, D(5), "—"),
        (RATIO, D("93.5979"), D("90.6"), "+3.00个百分点"),
        (RATE, D("95"), D("98.5"), "−3.50个百分点"),
    ],
)
def test_change_short_for_table_cells(indicator, value, previous, expected):
    assert change_short(Figure(indicator, value, previous)) == expected


def test_change_phrase_with_fewer_decimals_for_documents():
    assert change_phrase(Figure(COUNT, D(127), D(144)), decimals=1) == "同比下降11.8%"
    assert change_phrase(Figure(RATIO, D("93.6"), D("92.4")), decimals=0) == "同比提高1个百分点"
