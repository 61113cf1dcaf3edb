"""The demo county: its catalogue (from metrics/data/*.csv) and deterministic monthly values.

The catalogue files are the sheets of the catalogue workbook (README, 指标目录):
areas, departments, indicators (with the report's figures beside them), forms,
form_indicators and assignments. Values for 2022-01 to 2023-06 are made so that
the 2023 half-year adds up to the 2023 half-year report exactly: January–June
sum to the report's figure (flow) or June holds it (stock, rate); where the
report states a 同比, the 2022 half-year is chosen so that it rounds to the
same two decimals; where the report left a blank, 2023 H1 stays empty. The
county's figure of each month is then split between the departments that
report the indicator (its forms' assignments), so that they add up to it
exactly. Everything is derived from the codes, so every run produces the same numbers.
"""

import csv
import datetime
import random
import zlib
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from . import catalogue
from .assignments import Node, resolve
from .catalogue import SHEETS
from .models import MONEY_UNIT, PERCENT_UNIT, DataValue, Department, Indicator, Kind, ValidationRule
from .periods import Period, month_list

DATA_DIR = Path(__file__).resolve().parent / "data"
FIRST_MONTH = datetime.date(2022, 1, 1)
LAST_MONTH = datetime.date(2023, 6, 1)
H1_2023 = Period.half(2023, 1).months()
H1_2022 = Period.half(2022, 1).months()
H2_2022 = Period.half(2022, 2).months()

# Stocks that must satisfy remaining = total − reduced every month.
STOCK_DIFFERENCES = {
    "anti_fraud.myanmar_stranded_remaining": (
        "anti_fraud.myanmar_stranded_total",
        "anti_fraud.myanmar_stranded_reduced",
    ),
    "anti_fraud.sea_stranded_remaining": ("anti_fraud.sea_stranded_total", "anti_fraud.sea_stranded_reduced"),
}


@dataclass(frozen=True)
class IndicatorRow:
    """One row of metrics/data/indicators.csv."""

    code: str
    area: str
    name: str
    unit: str
    kind: str
    numerator: str
    denominator: str
    better: str
    h1_2023: Decimal | None
    yoy_pct: Decimal | None
    note: str
    headline: bool

    @property
    def decimals(self):
        return decimals_for_unit(self.unit)


def decimals_for_unit(unit):
    """Money in 万元 keeps 4 decimals, percentages 2; counts are whole numbers."""
    if unit == MONEY_UNIT:
        return 4
    if unit == PERCENT_UNIT:
        return 2
    return 0


def _read(name):
    with open(DATA_DIR / name, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _decimal_or_none(text):
    text = (text or "").strip()
    return Decimal(text) if text else None


def indicator_rows():
    """The catalogue's indicators, in file order."""
    return [
        IndicatorRow(
            code=r["code"],
            area=r["area"],
            name=r["name"],
            unit=r["unit"],
            kind=r["kind"],
            numerator=r["numerator"],
            denominator=r["denominator"],
            better=r["better"],
            h1_2023=_decimal_or_none(r["h1_2023"]),
            yoy_pct=_decimal_or_none(r["yoy_pct"]),
            note=r["note"],
            headline=r.get("headline", "") == "yes",
        )
        for r in _read("indicators.csv")
    ]


def load_catalogue():
    """Create or update areas, departments, indicators and forms from metrics/data; idempotent.

    The files are the catalogue workbook's sheets and go through the same import
    (metrics.catalogue.apply): the demo's forms hold exactly the files' indicators
    and assignments. Then the cross-field rules.
    """
    sheets = {sheet: _numbered(_read(f"{sheet}.csv")) for sheet in SHEETS}
    for _n, row in sheets["indicators"]:
        row["decimals"] = decimals_for_unit(row["unit"])
    catalogue.apply(sheets)
    load_rules()


def _numbered(rows):
    """[(line number in the file, row)], the header being line 1."""
    return list(enumerate(rows, start=2))


def demo_reporters():
    """{indicator code: [department code]}: who reports each indicator, resolved from the files' forms and
    assignments as metrics.assignments resolves the database's; departments in file order."""
    department_rows = _read("departments.csv")
    nodes = [Node(r["code"], r["kind"], r["parent"] or None, True) for r in department_rows]
    position = {r["code"]: n for n, r in enumerate(department_rows)}
    targets = defaultdict(list)
    for row in _read("assignments.csv"):
        targets[row["form"]].append((row["department"], row["kind"], row["parent"]))
    members = {form: resolve(form_targets, nodes) for form, form_targets in targets.items()}
    reporters = defaultdict(set)
    for row in _read("form_indicators.csv"):
        reporters[row["indicator"]] |= members.get(row["form"], set())
    return {code: sorted(codes, key=position.get) for code, codes in reporters.items()}


def load_rules():
    """Create the catalogue's cross-field rules (metrics/data/rules.csv) that do not exist yet, by name.

    Existing rules are left as an administrator edited them.
    """
    indicators = {i.code: i for i in Indicator.objects.all()}
    existing = set(ValidationRule.objects.values_list("name", flat=True))
    for row in _read("rules.csv"):
        if row["name"] in existing:
            continue
        rule = ValidationRule(
            name=row["name"],
            left=indicators[row["left"]],
            operator=row["operator"],
            right=indicators[row["right"]],
            minus=indicators.get(row["minus"]) if row["minus"] else None,
        )
        rule.full_clean()
        rule.save()


# --- values -----------------------------------------------------------------


def _rng(code, salt=""):
    return random.Random(zlib.crc32(f"{code}|{salt}".encode()))


def _quantum(decimals):
    return Decimal(1).scaleb(-decimals)


def split_total(total, weights, decimals):
    """Split `total` into len(weights) parts with `decimals` places that add up exactly (largest remainder)."""
    q = _quantum(decimals)
    units = int((total / q).to_integral_value(ROUND_HALF_UP))
    weight_sum = sum(weights)
    shares = [units * w / weight_sum for w in weights]
    parts = [int(s) for s in shares]
    rest = units - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: (shares[i] - parts[i], -i), reverse=True)
    for i in by_remainder[:rest]:
        parts[i] += 1
    return [Decimal(p) * q for p in parts]


def cap_parts(parts, caps):
    """Move units so that every part stays at or below its cap, keeping the sum (parts ≤ caps in total)."""
    parts = list(parts)
    for i in range(len(parts)):
        while parts[i] > caps[i]:
            excess = parts[i] - caps[i]
            j = max(range(len(parts)), key=lambda k: caps[k] - parts[k])
            move = min(excess, caps[j] - parts[j])
            parts[i] -= move
            parts[j] += move
    return parts


def round_pct(value):
    return value.quantize(Decimal("0.01"), ROUND_HALF_UP)


def previous_for_yoy(current, yoy_pct, decimals):
    """A previous-period total for which (current − previous) / previous × 100 rounds to yoy_pct."""
    q = _quantum(decimals)
    guess = (current / (1 + yoy_pct / 100)).quantize(q, ROUND_HALF_UP)
    for step in range(0, 10_000):
        for candidate in (guess + step * q, guess - step * q):
            if candidate > 0 and round_pct((current - candidate) / candidate * 100) == yoy_pct:
                return candidate
    raise ValueError(f"no previous value gives 同比 {yoy_pct}% for {current}")


def _weights(code, salt, n=6):
    rng = _rng(code, salt)
    return [Decimal(str(round(0.7 + 0.6 * rng.random(), 3))) for _ in range(n)]


def _scaled(total, code, salt, low, high, decimals):
    factor = Decimal(str(round(low + (high - low) * _rng(code, salt).random(), 3)))
    return (total * factor).quantize(_quantum(decimals), ROUND_HALF_UP)


def _flow_series(row, weights_of, denominator_totals=None):
    """Monthly values of a flow indicator, or None for 2023 H1 where the report left a blank.

    `denominator_totals` (2023 H1, 2022 H1, 2022 H2 of the ratio's denominator)
    keeps a numerator's 2022 half-years at a plausible share of its denominator.
    """
    decimals = row.decimals
    h1 = row.h1_2023
    reference = h1 if h1 is not None else Decimal(_rng(row.code, "base").randint(3, 40))
    if row.yoy_pct is not None:
        h1_2022 = previous_for_yoy(h1, row.yoy_pct, decimals)
        h2_2022 = _scaled(h1_2022, row.code, "2022H2", 0.9, 1.2, decimals)
    elif denominator_totals is not None:
        den_h1, den_h1_2022, den_h2_2022 = denominator_totals
        share = h1 / den_h1 if h1 is not None and den_h1 else Decimal("0.9")
        h1_2022 = min(_scaled(den_h1_2022 * share, row.code, "2022H1", 0.93, 1.05, decimals), den_h1_2022)
        h2_2022 = min(_scaled(den_h2_2022 * share, row.code, "2022H2", 0.93, 1.05, decimals), den_h2_2022)
    else:
        h1_2022 = _scaled(reference, row.code, "2022H1", 0.8, 1.15, decimals)
        if h1_2022 == 0 and reference == 0:
            h1_2022 = Decimal(_rng(row.code, "zero").randint(1, 2))
        h2_2022 = _scaled(h1_2022 or reference, row.code, "2022H2", 0.9, 1.2, decimals)
    totals = (h1 if h1 is not None else reference, h1_2022, h2_2022)
    series = {}
    for months, total, salt in ((H1_2022, h1_2022, "2022H1"), (H2_2022, h2_2022, "2022H2"), (H1_2023, h1, "2023H1")):
        if total is None:
            series.update(dict.fromkeys(months))
            continue
        weights = weights_of(row.code, salt)
        series.update(zip(months, split_total(total, weights, decimals), strict=False))
    return series, totals


def _level_series(row):
    """Monthly values of a stock or rate: June 2023 holds the report's figure, other months drift near it."""
    decimals = row.decimals
    june = row.h1_2023 if row.h1_2023 is not None else Decimal(_rng(row.code, "base").randint(5, 60))
    rng = _rng(row.code, "level")
    series = {}
    months = month_list(FIRST_MONTH, LAST_MONTH)
    for n, month in enumerate(months):
        steps = len(months) - 1 - n  # months to go until June 2023
        if month == LAST_MONTH:
            value = june
        else:
            drift = Decimal(str(round(rng.uniform(-0.02, 0.04) * steps / 6, 4)))
            value = (june * (1 - drift)).quantize(_quantum(decimals), ROUND_HALF_UP)
        if row.unit == PERCENT_UNIT:
            value = min(max(value, Decimal(0)), Decimal(100))
        series[month] = value
        if row.h1_2023 is None and month >= H1_2023[0]:
            series[month] = None
    return series


def demo_values():
    """{(indicator code, department code, month): Decimal or None} for the whole demo county."""
    rows = {row.code: row for row in indicator_rows()}
    ratio_pairs = {row.numerator: row.denominator for row in rows.values() if row.kind == Kind.RATIO and row.numerator}
    series = {}
    flow_totals = {}

    def weights_of(code, salt):
        # A numerator shares its denominator's monthly pattern so each month stays numerator ≤ denominator.
        return _weights(ratio_pairs.get(code, code), salt)

    # Denominators before numerators: a numerator's 2022 totals follow its denominator's.
    for row in sorted(rows.values(), key=lambda r: r.code in ratio_pairs):
        if row.kind == Kind.FLOW:
            den_totals = flow_totals.get(ratio_pairs.get(row.code))
            series[row.code], flow_totals[row.code] = _flow_series(row, weights_of, den_totals)
        elif row.kind in (Kind.STOCK, Kind.RATE):
            series[row.code] = _level_series(row)

    for numerator, denominator in ratio_pairs.items():
        if rows[numerator].kind == Kind.FLOW:
            _cap_flow(series[numerator], series[denominator], rows[numerator].decimals)
        else:
            for month, value in series[numerator].items():
                cap = series[denominator][month]
                if value is not None and cap is not None and value > cap:
                    series[numerator][month] = cap
    for remaining, (total, reduced) in STOCK_DIFFERENCES.items():
        for month in series[remaining]:
            t, r = series[total][month], series[reduced][month]
            if t is not None and r is not None:
                series[reduced][month] = min(r, t)
                series[remaining][month] = t - series[reduced][month]

    return _split_between_reporters(rows, series, ratio_pairs, demo_reporters())


# Stocks that every reporter holds in equal shares (one station per town).
EVEN_SPLITS = {"legal_service.town_stations"}


def _share_key(code, ratio_pairs):
    """Indicators whose parts must stay in step (a ratio's components, a total and what is taken from it)
    split with the same weights."""
    for remaining, (total, reduced) in STOCK_DIFFERENCES.items():
        if code in (remaining, total, reduced):
            return total
    return ratio_pairs.get(code, code)


def _split_between_reporters(rows, series, ratio_pairs, reporters):
    """{(code, department, month): value}: each month's county figure split between the indicator's reporters.

    Flows and stocks split exactly (largest remainder, weights fixed per department and month, so a big
    town is big in every indicator); a rate is reported alike by each. Then, per department and month,
    a numerator stays at or below its denominator and remaining = total − reduced, as the rules ask.
    """
    parts = {}
    for code, by_month in series.items():
        row, who = rows[code], reporters.get(code, [])
        for month, value in by_month.items():
            if value is None or row.kind == Kind.RATE or len(who) == 1:
                shares = [value] * len(who)
            else:
                key = _share_key(code, ratio_pairs)
                weights = [Decimal(1)] * len(who) if code in EVEN_SPLITS else _department_weights(key, who, month)
                shares = split_total(value, weights, row.decimals)
            parts.update({(code, d, month): v for d, v in zip(who, shares, strict=True)})

    def capped(low, high, decimals):
        if reporters.get(low) != reporters.get(high) or len(reporters.get(low, [])) < 2:
            return
        q = _quantum(decimals)
        for month in series[low]:
            lows = [parts[(low, d, month)] for d in reporters[low]]
            highs = [parts[(high, d, month)] for d in reporters[low]]
            if None in lows or None in highs or sum(lows) > sum(highs):
                continue
            units = cap_parts([int(v / q) for v in lows], [int(v / q) for v in highs])
            for d, u in zip(reporters[low], units, strict=True):
                parts[(low, d, month)] = Decimal(u) * q

    for numerator, denominator in ratio_pairs.items():
        capped(numerator, denominator, rows[numerator].decimals)
    for remaining, (total, reduced) in STOCK_DIFFERENCES.items():
        capped(reduced, total, rows[reduced].decimals)
        for d in reporters.get(remaining, []):
            for month in series[remaining]:
                t, r = parts.get((total, d, month)), parts.get((reduced, d, month))
                if t is not None and r is not None:
                    parts[(remaining, d, month)] = t - r
    return parts


def _department_weights(code, departments, month):
    return [
        Decimal(
            str(round(0.5 + _rng(department, "size").random() + 0.3 * _rng(code, f"{department}|{month}").random(), 3))
        )
        for department in departments
    ]


def _cap_flow(numerator, denominator, decimals):
    """Keep each month's numerator at or below the denominator, half-year totals unchanged."""
    q = _quantum(decimals)
    for months in (H1_2022, H2_2022, H1_2023):
        nums = [numerator[m] for m in months]
        dens = [denominator[m] for m in months]
        if None in nums or None in dens or sum(nums) > sum(dens):
            continue
        units = cap_parts([int(n / q) for n in nums], [int(d / q) for d in dens])
        for m, u in zip(months, units, strict=False):
            numerator[m] = Decimal(u) * q


def load_demo_values(*, status):
    """Write the demo values (2022-01 to 2023-06) with the given status; a rerun writes nothing.

    Returns (created, updated). Each write keeps a history record.
    """
    from simple_history.utils import bulk_create_with_history

    indicators = {i.code: i for i in Indicator.objects.all()}
    departments = {d.code: d for d in Department.objects.all()}
    existing = {
        (v.indicator.code, v.department.code, v.month): v
        for v in DataValue.objects.select_related("indicator", "department").filter(
            month__gte=FIRST_MONTH, month__lte=LAST_MONTH
        )
    }
    to_create, updated = [], 0
    for (code, department, month), value in demo_values().items():
        current = existing.get((code, department, month))
        if current is None:
            if value is not None:
                to_create.append(
                    DataValue(
                        indicator=indicators[code],
                        department=departments[department],
                        month=month,
                        value=value,
                        status=status,
                    )
                )
        elif current.value != value or current.status != status:
            current.value, current.status = value, status
            current.save()
            updated += 1
    bulk_create_with_history(to_create, DataValue, batch_size=500)
    return len(to_create), updated
