"""Period codes, labels and comparison periods."""

import datetime

import pytest

from metrics.periods import Period, PeriodError, parse_period


@pytest.mark.parametrize(
    "code,label,first,last,yoy,previous",
    [
        ("2023-05", "2023年5月", (2023, 5), (2023, 5), "2022-05", "2023-04"),
        ("2023-01", "2023年1月", (2023, 1), (2023, 1), "2022-01", "2022-12"),
        ("2023Q2", "2023年第二季度", (2023, 4), (2023, 6), "2022Q2", "2023Q1"),
        ("2023Q1", "2023年第一季度", (2023, 1), (2023, 3), "2022Q1", "2022Q4"),
        ("2023H1", "2023年上半年", (2023, 1), (2023, 6), "2022H1", "2022H2"),
        ("2023H2", "2023年下半年", (2023, 7), (2023, 12), "2022H2", "2023H1"),
        ("2023", "2023年", (2023, 1), (2023, 12), "2022", "2022"),
        ("2023-01..2023-05", "2023年1—5月", (2023, 1), (2023, 5), "2022-01..2022-05", "2022-08..2022-12"),
        ("2022-11..2023-02", "2022年11月—2023年2月", (2022, 11), (2023, 2), "2021-11..2022-02", "2022-07..2022-10"),
    ],
)
def test_parse_label_and_comparisons(code, label, first, last, yoy, previous):
    period = parse_period(code)
    assert period.code == code
    assert period.label == label
    assert period.first == datetime.date(*first, 1)
    assert period.last == datetime.date(*last, 1)
    assert period.year_ago().code == yoy
    assert period.previous().code == previous
    assert parse_period(period.code) == period


def test_months_lists_every_month():
    assert parse_period("2022-11..2023-02").months() == [
        datetime.date(2022, 11, 1),
        datetime.date(2022, 12, 1),
        datetime.date(2023, 1, 1),
        datetime.date(2023, 2, 1),
    ]


@pytest.mark.parametrize(
    "bad", ["", "2023-13", "2023-00", "2023H3", "2023Q5", "abc", "2023-05..2023-01", "23-01", "0999"]
)
def test_bad_codes_raise_a_chinese_message(bad):
    with pytest.raises(PeriodError) as excinfo:
        parse_period(bad)
    assert "期间" in str(excinfo.value)


def test_period_must_be_whole_months():
    with pytest.raises(PeriodError):
        Period(datetime.date(2023, 1, 2), datetime.date(2023, 2, 1))
