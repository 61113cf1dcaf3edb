"""Number validation shared by the entry form and imports: per field, across fields, outliers."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from metrics.demo import demo_values
from metrics.models import Indicator, ValidationRule
from metrics.validation import (
    FieldSpec,
    NumberError,
    Rule,
    check_rules,
    check_value,
    find_outliers,
    parse_number,
    parse_value,
    validate,
)

COUNT = FieldSpec(code="a.cases", name="受理案件", unit="件", decimals=0)
PERSONS = FieldSpec(code="a.persons", name="涉案人员", unit="人", decimals=0)
MONEY = FieldSpec(code="a.money", name="执行到位金额", unit="万元", decimals=4)
RATE = FieldSpec(code="a.rate", name="在线率", unit="%", decimals=2, kind="rate")

D = Decimal


@pytest.mark.parametrize(
    "text,expected",
    [
        ("12", D("12")),
        ("  3.5 ", D("3.5")),
        ("", None),
        ("   ", None),
        (None, None),
        ("１２３", D("123")),  # full-width digits from a Chinese input method
        ("1,234", D("1234")),
        ("1，234.5", D("1234.5")),
        ("0", D("0")),
        (".5", D("0.5")),
    ],
)
def test_parse_number_accepts_what_clerks_type(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["十二", "12件", "abc", "1e5", "NaN", "Infinity", "1.2.3", "12,34", "6（？）"])
def test_parse_number_refuses_text_with_a_chinese_message(text):
    with pytest.raises(NumberError) as error:
        parse_number(text)
    assert error.value.message == "请填写数字（如 12 或 3.5），不能填写文字或符号。"


def test_missing_is_not_zero():
    assert parse_number("") is None
    assert check_value(None, COUNT) == []


@pytest.mark.parametrize(
    "spec,value,message",
    [
        (COUNT, "-1", "不能为负数。"),
        (PERSONS, "1.5", "单位为「人」，只能填写整数。"),
        (MONEY, "1.23456", "最多保留 4 位小数。"),
        (RATE, "101", "百分比应在 0 到 100 之间。"),
        (RATE, "99.999", "最多保留 2 位小数。"),
        (COUNT, "12345678901234567", "数值过大。"),
    ],
)
def test_per_field_messages(spec, value, message):
    assert message in check_value(D(value), spec)
    with pytest.raises(NumberError):
        parse_value(value, spec)


@pytest.mark.parametrize(
    "spec,value", [(COUNT, "0"), (COUNT, "12.000"), (MONEY, "63666.7755"), (RATE, "100"), (RATE, "0"), (RATE, "93.6")]
)
def test_valid_values_pass(spec, value):
    assert check_value(D(value), spec) == []


CONCLUDED = Rule(
    left="e.concluded",
    left_name="执结执行案件",
    operator="lte",
    right="e.received",
    right_name="受理执行案件",
)
REMAINING = Rule(
    left="s.remaining",
    left_name="现存人员",
    operator="eq",
    right="s.total",
    right_name="人员总数",
    minus="s.reduced",
    minus_name="已核减",
)


def test_rule_concluded_not_above_received():
    assert check_rules({"e.concluded": D(10), "e.received": D(12)}, [CONCLUDED]) == []
    assert check_rules({"e.concluded": D(12), "e.received": D(12)}, [CONCLUDED]) == []
    [violation] = check_rules({"e.concluded": D(13), "e.received": D(12)}, [CONCLUDED])
    assert violation.message == "「执结执行案件」（13）不能大于「受理执行案件」（12）。"
    assert violation.codes == ("e.concluded", "e.received")


def test_rule_remaining_equals_total_minus_reduced():
    ok = {"s.total": D(328), "s.reduced": D(289), "s.remaining": D(39)}
    assert check_rules(ok, [REMAINING]) == []
    [violation] = check_rules({**ok, "s.remaining": D(40)}, [REMAINING])
    assert violation.message == "「现存人员」（40）应等于「人员总数」减「已核减」（328 − 289 = 39）。"
    assert set(violation.codes) == {"s.remaining", "s.total", "s.reduced"}


def test_rule_with_a_missing_operand_is_skipped():
    assert check_rules({"e.concluded": D(13)}, [CONCLUDED]) == []
    assert check_rules({"e.concluded": D(13), "e.received": None}, [CONCLUDED]) == []
    assert check_rules({"s.total": D(5), "s.remaining": D(9), "s.reduced": None}, [REMAINING]) == []


def test_rule_custom_message_wins():
    rule = Rule(left="x", operator="gte", right="y", message="x 不得少于 y")
    [violation] = check_rules({"x": D(1), "y": D(2)}, [rule])
    assert violation.message == "x 不得少于 y"


def test_validate_collects_field_errors_and_rule_violations():
    specs = {"e.concluded": COUNT, "e.received": COUNT}
    result = validate({"e.concluded": D("13.5"), "e.received": D(12)}, specs, [CONCLUDED])
    assert not result.ok
    assert result.errors == {"e.concluded": ["单位为「件」，只能填写整数。"]}
    assert len(result.violations) == 1
    assert result.messages({"e.concluded": "执结"})[0] == "执结：单位为「件」，只能填写整数。"
    assert validate({"e.concluded": D(1), "e.received": D(2)}, specs, [CONCLUDED]).ok


def test_outlier_far_above_the_last_twelve_months():
    history = {"a": [D(10), D(12), None, D(9)] + [D(11)] * 8}
    assert find_outliers({"a": D(30)}, history) == {}
    warning = find_outliers({"a": D(37)}, history)["a"]
    assert "明显高于近12个月（最高 12）" in warning and "备注" in warning


def test_outlier_jump_from_zero():
    assert "近12个月均为 0，本月为 4" in find_outliers({"a": D(4)}, {"a": [D(0)] * 12})["a"]
    assert find_outliers({"a": D(0)}, {"a": [D(0)] * 12}) == {}


def test_no_outlier_without_enough_history_or_value():
    assert find_outliers({"a": D(400)}, {"a": [D(1), None, D(1)]}) == {}
    assert find_outliers({"a": None}, {"a": [D(1)] * 12}) == {}
    assert find_outliers({"a": D(5)}, {}) == {}


# --- rules as catalogue data --------------------------------------------------------


@pytest.mark.django_db
def test_demo_catalogue_holds_the_issue_rules(demo):
    rules = ValidationRule.objects.all()
    pairs = {(r.left.code, r.operator, r.right.code, r.minus.code if r.minus else None) for r in rules}
    assert ("enforcement.cases_concluded", "lte", "enforcement.cases_received", None) in pairs
    assert ("mediation.enterprise_disputes_resolved", "lte", "mediation.enterprise_disputes_found", None) in pairs
    assert ("traffic.hazards_fixed", "lte", "traffic.hazards_found", None) in pairs
    assert ("anti_fraud.myanmar_stranded_reduced", "lte", "anti_fraud.myanmar_stranded_total", None) in pairs
    assert (
        "anti_fraud.myanmar_stranded_remaining",
        "eq",
        "anti_fraud.myanmar_stranded_total",
        "anti_fraud.myanmar_stranded_reduced",
    ) in pairs


@pytest.mark.django_db
def test_every_demo_month_passes_the_rules(demo):
    rules = [r.as_rule() for r in ValidationRule.objects.select_related("left", "right", "minus")]
    by_month = {}
    for (code, department, month), value in demo_values().items():
        by_month.setdefault((department, month), {})[code] = value
    for key, values in by_month.items():
        assert check_rules(values, rules) == [], key


@pytest.mark.django_db
def test_a_rule_that_the_administrator_edits_takes_effect(demo):
    rule = ValidationRule.objects.get(left__code="enforcement.cases_concluded")
    values = {"enforcement.cases_concluded": D(5), "enforcement.cases_received": D(4)}
    assert check_rules(values, [rule.as_rule()])
    rule.active = False
    rule.save()
    assert not check_rules(values, [r.as_rule() for r in ValidationRule.objects.active()])


@pytest.mark.django_db
def test_a_rule_cannot_use_a_ratio_or_mix_departments(demo):
    ratio = Indicator.objects.get(code="enforcement.conclusion_rate")
    received = Indicator.objects.get(code="enforcement.cases_received")
    with pytest.raises(ValidationError, match="计算比率"):
        ValidationRule(name="x", left=ratio, operator="lte", right=received).full_clean()
    police = Indicator.objects.get(code="anti_fraud.cases")
    with pytest.raises(ValidationError, match="同一单位"):
        ValidationRule(name="y", left=police, operator="lte", right=received).full_clean()
