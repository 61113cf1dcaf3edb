"""Number validation shared by every way figures come in (entry form, spreadsheet import).

Pure functions on plain values: a field is described by a `FieldSpec` (built
from an Indicator with `spec_for`), one department's month by a mapping
{indicator code: Decimal or None}. None means missing, never zero: a rule
with a missing operand is not evaluated.

- `parse_number(text)` turns what a clerk typed into a Decimal (or None for
  an empty box), raising `NumberError` with a Chinese message.
- `check_value(value, spec)` lists the per-field problems (negative, not a
  whole number for counted units, too many decimals, a rate over 100).
- `check_rules(values, rules)` evaluates the administrator's cross-field
  rules (metrics.models.ValidationRule.as_rule()).
- `validate(values, specs, rules)` does both and returns a `Validation`.
- `find_outliers(values, history)` warns (never blocks) about figures far
  above the last 12 months or jumping up from a run of zeros.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from metrics.formatting import plain

PERCENT_UNIT = "%"
MONEY_UNIT = "万元"
# DataValue.value is max_digits=20, decimal_places=4.
MAX_INTEGER_DIGITS = 16
# A figure above this multiple of the last 12 months' highest asks for a note.
OUTLIER_FACTOR = Decimal(3)
# Fewer known months than this and there is no pattern to compare with.
OUTLIER_MIN_HISTORY = 3

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


class NumberError(ValueError):
    """What a clerk typed is not an acceptable figure; `message` says why, in Chinese."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FieldSpec:
    """What validation needs to know about an indicator."""

    code: str
    name: str
    unit: str
    decimals: int
    kind: str = "flow"

    @property
    def is_percentage(self):
        return self.unit == PERCENT_UNIT or self.kind in ("rate", "ratio")

    @property
    def is_count(self):
        return self.decimals == 0 and not self.is_percentage


def spec_for(indicator):
    """The FieldSpec of a metrics.models.Indicator (or anything with the same attributes)."""
    return FieldSpec(
        code=indicator.code, name=indicator.name, unit=indicator.unit, decimals=indicator.decimals, kind=indicator.kind
    )


@dataclass(frozen=True)
class Rule:
    """left (operator) right [− minus]; `operator` is one of lte, gte, eq."""

    left: str
    operator: str
    right: str
    minus: str | None = None
    left_name: str = ""
    right_name: str = ""
    minus_name: str = ""
    message: str = ""

    @property
    def codes(self):
        return tuple(c for c in (self.left, self.right, self.minus) if c)


@dataclass(frozen=True)
class RuleViolation:
    codes: tuple
    message: str


@dataclass
class Validation:
    """Per-field errors {code: [message]} and cross-field violations; `ok` when there are none."""

    errors: dict = field(default_factory=dict)
    violations: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors and not self.violations

    def messages(self, names=None):
        """Every problem as one Chinese sentence, field errors prefixed with the indicator's name."""
        names = names or {}
        lines = [f"{names.get(code, code)}：{msg}" for code, msgs in self.errors.items() for msg in msgs]
        return lines + [v.message for v in self.violations]


def parse_number(text):
    """Decimal for what was typed, None for an empty box; NumberError for anything else.

    Full-width digits and thousands separators (1,234 or 1，234) are accepted,
    because that is how figures arrive from Word and Excel.
    """
    if text is None:
        return None
    if isinstance(text, Decimal | int | float):
        # A spreadsheet cell may hold NaN or an infinity (<v>NaN</v>, 1e309): no figure is either.
        value = Decimal(str(text)) if isinstance(text, float) else Decimal(text)
        if not value.is_finite():
            raise NumberError(_("请填写有限的数字，不能填写 NaN 或无穷大。"))
        return value
    cleaned = unicodedata.normalize("NFKC", str(text)).strip().replace(" ", "")
    if not cleaned:
        return None
    if _GROUPED.match(cleaned):
        cleaned = cleaned.replace(",", "")
    if not _NUMBER.match(cleaned):
        raise NumberError(_("请填写数字（如 12 或 3.5），不能填写文字或符号。"))
    try:
        return Decimal(cleaned)
    except InvalidOperation as error:  # pragma: no cover - the pattern already excludes this
        raise NumberError(_("请填写数字（如 12 或 3.5），不能填写文字或符号。")) from error


def check_value(value, spec):
    """Problems with one figure, as Chinese messages; [] when fine or missing."""
    if value is None:
        return []
    errors = []
    if value < 0:
        errors.append(_("不能为负数。"))
    exponent = value.normalize().as_tuple().exponent if value != 0 else 0
    places = max(0, -exponent)
    if spec.is_count and places:
        errors.append(_("单位为「%(unit)s」，只能填写整数。") % {"unit": spec.unit})
    elif places > spec.decimals:
        errors.append(_("最多保留 %(n)d 位小数。") % {"n": spec.decimals})
    if spec.is_percentage and not (0 <= value <= 100):
        errors.append(_("百分比应在 0 到 100 之间。"))
    if abs(value) >= Decimal(10) ** MAX_INTEGER_DIGITS:
        errors.append(_("数值过大。"))
    return errors


def parse_value(text, spec):
    """parse_number then check_value; raises NumberError with the first problem."""
    value = parse_number(text)
    errors = check_value(value, spec)
    if errors:
        raise NumberError(errors[0])
    return value


def _violation_message(rule, left, right, minus, rhs):
    if rule.message:
        return rule.message
    names = {"left": rule.left_name or rule.left, "right": rule.right_name or rule.right}
    numbers = {"l": plain(left), "r": plain(right), "m": plain(minus), "rhs": plain(rhs)}
    if rule.minus:
        names["minus"] = rule.minus_name or rule.minus
        target = _("「%(right)s」减「%(minus)s」") % names
        shown = "{r} − {m} = {rhs}".format(**numbers)
    else:
        target = _("「%(right)s」") % names
        shown = numbers["r"]
    verb = {"lte": _("不能大于"), "gte": _("不能小于"), "eq": _("应等于")}[rule.operator]
    return _("「%(left)s」（%(l)s）%(verb)s%(target)s（%(shown)s）。") % {
        "left": names["left"],
        "l": numbers["l"],
        "verb": verb,
        "target": target,
        "shown": shown,
    }


def check_rules(values, rules):
    """The cross-field rules that `values` ({code: Decimal or None}) break; missing operands skip a rule."""
    violations = []
    for rule in rules:
        left, right = values.get(rule.left), values.get(rule.right)
        minus = values.get(rule.minus) if rule.minus else Decimal(0)
        if left is None or right is None or minus is None:
            continue
        rhs = right - minus
        broken = {"lte": left > rhs, "gte": left < rhs, "eq": left != rhs}[rule.operator]
        if broken:
            shown_minus = minus if rule.minus else None
            violations.append(RuleViolation(rule.codes, _violation_message(rule, left, right, shown_minus, rhs)))
    return violations


def validate(values, specs, rules):
    """Per-field checks for every spec with a value, then the cross-field rules."""
    result = Validation()
    for code, spec in specs.items():
        errors = check_value(values.get(code), spec)
        if errors:
            result.errors[code] = errors
    result.violations = check_rules(values, rules)
    return result


def find_outliers(values, history, *, factor=OUTLIER_FACTOR):
    """{code: warning} for figures far above the last 12 months, or rising from a run of zeros.

    `history` is {code: [Decimal or None, ...]} for the 12 months before;
    missing months are ignored and too little history gives no warning.
    """
    warnings = {}
    for code, value in values.items():
        if value is None or value <= 0:
            continue
        known = [h for h in history.get(code, []) if h is not None]
        if len(known) < OUTLIER_MIN_HISTORY:
            continue
        highest = max(known)
        if highest == 0:
            warnings[code] = _("近12个月均为 0，本月为 %(v)s，请核实并在备注中说明。") % {"v": plain(value)}
        elif value > highest * factor:
            warnings[code] = _("明显高于近12个月（最高 %(max)s），请核实并在备注中说明。") % {"max": plain(highest)}
    return warnings


def has_control_characters(text):
    """Whether text holds a control character other than a line break or a tab (a NUL byte, an escape)."""
    return any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in text)


def text_problem(text, *, limit):
    """What is wrong with free text someone typed (a note, a reason), as the end of a Chinese sentence, or ''.

    Control characters (a NUL byte, say) are refused: the database cannot store some and no one types them;
    line breaks and tabs are text.
    """
    if len(text) > limit:
        return _("不能超过 %(n)d 字。") % {"n": limit}
    if has_control_characters(text):
        return _("不能包含控制字符（如 NUL）。")
    return ""
