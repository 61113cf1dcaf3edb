"""Period codes, labels and comparison periods."""

import datetime

import pytest

from metrics.periods import (
    Covered,
    Period,
    PeriodError,
    add_months,
    deadline,
    default_period,
    first_of_month,
    last_month_over,
    month_count,
    month_list,
    month_of,
    parse_month,
    parse_period,
    parse_year,
)

D = datetime.date


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


# --- months ---------------------------------------------------------------------------------------


def test_first_of_month_and_add_months_cross_years_both_ways():
    assert first_of_month(D(2023, 7, 31)) == D(2023, 7, 1)
    assert add_months(D(2023, 11, 1), 2) == D(2024, 1, 1)
    assert add_months(D(2023, 1, 1), -1) == D(2022, 12, 1)
    assert add_months(D(2023, 5, 1), -17) == D(2021, 12, 1)
    assert add_months(D(2023, 5, 20), 0) == D(2023, 5, 1)


def test_month_count_counts_and_month_list_lists():
    assert month_count(D(2022, 11, 1), D(2023, 2, 1)) == 4
    assert month_list(D(2022, 11, 1), D(2023, 2, 1)) == [D(2022, 11, 1), D(2022, 12, 1), D(2023, 1, 1), D(2023, 2, 1)]
    assert month_count(D(2023, 5, 1), D(2023, 5, 1)) == 1 and month_list(D(2023, 5, 1), D(2023, 5, 1)) == [
        D(2023, 5, 1)
    ]
    assert month_count(D(2023, 5, 1), D(2023, 4, 1)) == 0 and month_list(D(2023, 5, 1), D(2023, 4, 1)) == []


@pytest.mark.parametrize(
    "month,day,expected",
    [
        ((2023, 7), 5, (2023, 8, 5)),
        ((2023, 12), 5, (2024, 1, 5)),  # into the next year
        ((2023, 1), 31, (2023, 2, 28)),  # clamped to February's length
        ((2024, 1), 31, (2024, 2, 29)),  # a leap year
        ((2023, 3), 31, (2023, 4, 30)),
        ((2023, 8), 1, (2023, 9, 1)),
    ],
)
def test_deadline_is_that_day_of_the_following_month_clamped_to_its_length(month, day, expected):
    assert deadline(D(*month, 1), day) == D(*expected)


def test_last_month_over_and_the_months_of_a_period_that_are_over():
    assert last_month_over(D(2024, 1, 1)) == D(2023, 12, 1)
    assert last_month_over(D(2023, 7, 31)) == D(2023, 6, 1)
    h2 = parse_period("2023H2")
    assert h2.months_over(D(2023, 9, 10)) == [D(2023, 7, 1), D(2023, 8, 1)]
    assert h2.months_over(D(2023, 7, 1)) == []
    assert h2.months_over(D(2024, 3, 1)) == h2.months()


# --- the default period ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "latest,today,expected",
    [
        # January: December's figures are in, so last year's second half; January itself is not over.
        ((2023, 12), (2024, 1, 10), "2023H2"),
        ((2024, 1), (2024, 1, 10), "2023H2"),  # January's early figures do not open a half-year not yet begun
        (None, (2024, 1, 10), "2023H2"),  # no data at all: the half-year of the last month over
        # June: the first half is under way, so the last complete one, last year's second.
        ((2023, 5), (2023, 6, 15), "2022H2"),
        (None, (2023, 6, 15), "2022H2"),
        # July: June is over, and the first half is complete; one approved July report does not open the second.
        ((2023, 6), (2023, 7, 3), "2023H1"),
        ((2023, 7), (2023, 7, 3), "2023H1"),
        ((2023, 7), (2023, 8, 3), "2023H1"),
        (None, (2023, 7, 3), "2023H1"),
        # December: November is the latest over, the second half is not complete.
        ((2023, 11), (2023, 12, 31), "2023H1"),
        (None, (2023, 12, 1), "2023H1"),
        # Data that stopped long ago: the last half-year complete by then, not an empty recent one.
        ((2021, 3), (2023, 12, 1), "2020H2"),
        ((2021, 6), (2023, 12, 1), "2021H1"),
    ],
)
def test_default_period(latest, today, expected):
    assert default_period(D(*latest, 1) if latest else None, D(*today)).code == expected


@pytest.mark.parametrize(
    "latest,today,expected",
    [
        ((2023, 7), (2023, 8, 3), "2023Q2"),
        ((2023, 9), (2023, 10, 2), "2023Q3"),
        ((2023, 8), (2023, 10, 2), "2023Q2"),
        (None, (2024, 1, 2), "2023Q4"),
        ((2023, 2), (2023, 3, 2), "2022Q4"),
    ],
)
def test_default_period_by_quarter(latest, today, expected, settings):
    """settings.ZHENGFA_DEFAULT_PERIOD = "quarter" opens on the last complete quarter."""
    settings.ZHENGFA_DEFAULT_PERIOD = "quarter"
    assert default_period(D(*latest, 1) if latest else None, D(*today)).code == expected


@pytest.mark.parametrize(
    "code,through,label,year_ago",
    [
        ("2023", (2023, 7), "2023年（1—7月）", "2022年（1—7月）"),
        ("2023", (2023, 1), "2023年（1月）", "2022年（1月）"),
        ("2023H2", (2023, 7), "2023年下半年（7月）", "2022年下半年（7月）"),
        ("2023Q3", (2023, 8), "2023年第三季度（7—8月）", "2022年第三季度（7—8月）"),
        ("2023H1", (2023, 6), "2023年上半年", "2022年上半年"),
        ("2023H1", None, "2023年上半年", "2022年上半年"),
        (
            "2022-11..2023-03",
            (2022, 12),
            "2022年11月—2023年3月（2022年11—12月）",
            "2021年11月—2022年3月（2021年11—12月）",
        ),
        ("2022-11..2023-03", (2023, 1), "2022年11月—2023年3月（2022年11月—2023年1月）", None),
    ],
)
def test_covered_label_and_year_ago(code, through, label, year_ago):
    """A period still in progress names its months; 同比 takes the same months a year earlier."""
    covered = Covered(parse_period(code), D(*through, 1) if through else None)
    assert covered.label == label
    if year_ago:
        assert covered.year_ago().label == year_ago
    span, previous = covered.span, covered.year_ago().span
    assert span.length == previous.length
    assert (previous.first, previous.last) == (add_months(span.first, -12), add_months(span.last, -12))


def test_covered_previous_compares_the_same_months_of_the_period_before():
    """环比 of 2023Q3 through August is 2023Q2's April–May."""
    previous = Covered(parse_period("2023Q3"), D(2023, 8, 1)).previous()
    assert (previous.span.first, previous.span.last) == (D(2023, 4, 1), D(2023, 5, 1))
    assert previous.label == "2023年第二季度（4—5月）"


# --- hostile input: every parser refuses it with a clear message, never an exception of another kind ----

HOSTILE = [
    "",
    " ",
    "0000-05",
    "0-05",
    "1899-12",
    "9999-12",
    "10000-01",
    "2023-13",
    "2023-00",
    "2023-7-1",
    "2023-07-01",
    "２０２３-0７",
    "２０２３-０７",
    "٢٠٢٣-٠٥",
    "𝟚𝟘𝟚𝟛-𝟘𝟝",
    "2023\x00-05",
    "\x00",
    "2023-05\x00",
    "2023‐05",
    "2023/05",
    "2023-5.0",
    "-2023-05",
    "2023--05",
    "2023-05..",
    "..2023-05",
    "2023-05..2023-13",
    "2023-05..9999-01",
    "2023-05..2023-05..2023-06",
    "9999H2",
    "0000Q1",
    "2023Q0",
    "2023H3",
    "1e3",
    "2023\n2024",
    "9" * 10000,
    "<script>alert(1)</script>",
    "2023-05' OR '1'='1",
]


def _assert_clear(error):
    message = str(error)
    assert message and len(message) < 200
    assert not any(ord(ch) < 32 for ch in message)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)  # Chinese


@pytest.mark.parametrize("text", HOSTILE + ["2023", "2023H1", "2023Q2"])
def test_parse_month_refuses_hostile_input_clearly(text):
    with pytest.raises(PeriodError) as excinfo:
        parse_month(text)
    _assert_clear(excinfo.value)


@pytest.mark.parametrize("text", HOSTILE)
def test_parse_period_refuses_hostile_input_clearly(text):
    with pytest.raises(PeriodError) as excinfo:
        parse_period(text)
    _assert_clear(excinfo.value)


@pytest.mark.parametrize(
    "text", ["", "0", "0000", "1899", "3000", "9999", "10000", "２０２３", "²", "2023\x00", "20 23", None]
)
def test_parse_year_refuses_hostile_input_clearly(text):
    with pytest.raises(PeriodError) as excinfo:
        parse_year(text)
    _assert_clear(excinfo.value)


@pytest.mark.parametrize(
    "year,month", [(0, 5), (1899, 12), (3000, 1), (9999, 12), (10000, 1), (2023, 13), (2023, 0), (2023, -1)]
)
def test_month_of_refuses_months_that_do_not_exist_here(year, month):
    with pytest.raises(PeriodError) as excinfo:
        month_of(year, month)
    _assert_clear(excinfo.value)


def test_parsers_read_what_people_write():
    assert parse_month("2023-05") == parse_month(" 2023-5 ") == D(2023, 5, 1)
    assert parse_year(" 2023 ") == 2023 and month_of(2023, 12) == D(2023, 12, 1)
    assert parse_period("2999H2").last == D(2999, 12, 1)


def test_today_is_the_local_date_unless_the_demo_pins_it(settings):
    from django.utils import timezone

    from metrics import periods

    settings.ZHENGFA_TODAY = None
    assert periods.today() == timezone.localdate()
    settings.ZHENGFA_TODAY = datetime.date(2023, 8, 3)
    assert periods.today() == datetime.date(2023, 8, 3)


def test_now_is_the_time_of_day_on_the_pinned_date(settings):
    """What the pinned demo records (a submission, a value's history) happens on its day."""
    from django.utils import timezone

    from metrics import periods

    settings.ZHENGFA_TODAY = None
    assert timezone.localdate(periods.now()) == periods.today()
    settings.ZHENGFA_TODAY = datetime.date(2024, 2, 29)
    assert timezone.localdate(periods.now()) == datetime.date(2024, 2, 29)


def test_production_refuses_a_pinned_today(tmp_path):
    import os
    import subprocess
    import sys

    environment = dict(
        os.environ,
        ZHENGFA_ENV="production",
        ZHENGFA_TODAY="2023-08-03",
        SECRET_KEY="k" * 64,
        DEBUG="false",
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'zhengfa.settings'); django.setup()",
        ],
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "ZHENGFA_TODAY" in result.stderr
