"""The demo county reproduces the 2023 half-year report, reported the way a county really reports."""

import datetime
import io
import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse

from metrics import assignments
from metrics.models import DataValue, Department, DepartmentKind, Form, Indicator, Kind, Status, Target
from reports.demo import DEMO_PASSWORD
from reports.models import Role, User

pytestmark = pytest.mark.django_db

# The report's January–June 2023 figures (our own copy of the seed catalogue). Where the report
# rounds (200余篇, 20余个, 150多万元, 600多万元, 近60次, 14.5万余起) the demo holds a value that makes
# its qualifier true, since the summary now writes 余/多/近 only when the value calls for them.
REPORT_H1_2023 = {
    "leadership.plenary_meetings": "2",
    "leadership.committee_meetings": "13",
    "leadership.ideology_analyses": "5",
    "leadership.party_committee_hearings": "2",
    "leadership.government_studies": "1",
    "leadership.integrity_meetings": "1",
    "security.terror_cases": "5",
    "security.terror_case_persons": "6",
    "security.counter_terror_drills": "18",
    "security.key_targets_accepted": "66",
    "security.key_persons_controlled": "6",
    "security.informants": "3515",
    "stability.litigation_risks_found": "56",
    "stability.litigation_risks_referred": "12",
    "stability.petition_backlog_resolved": "4",
    "mediation.fulltime_mediators": "7",
    "mediation.parttime_mediators": "41",
    "mediation.tribunal_cases_closed": "2149",
    "mediation.enterprise_disputes_found": "128",
    "mediation.enterprise_disputes_resolved": "120",
    "mediation.enterprise_dispute_success_rate": "93.75",
    "mediation.debts_recovered": "153.6",
    "mediation.losses_recovered": "612.8",
    "cyber.sentiment_analyses": "6",
    "cyber.wechat_posts": "213",
    "cyber.weekly_themes": "23",
    "cyber.emergency_drills": "1",
    "cyber.negative_posts_handled": "349",
    "cyber.negative_incidents": "0",
    "legal_service.new_service_stations": "1",
    "legal_service.new_aid_stations": "4",
    "legal_service.aid_cases": "359",
    "legal_service.aid_subsidies": "32.96",
    "legal_service.town_stations": "33",
    "legal_service.village_stations": "462",
    "legal_service.enterprise_checkups": "21",
    "legal_service.legal_opinions": "13",
    "legal_service.contracts_reviewed": "12",
    "enforcement.cases_received": "2343",
    "enforcement.cases_concluded": "2193",
    "enforcement.conclusion_rate": "93.6",
    "enforcement.amount_recovered": "63666.7755",
    "enforcement.defaulters_listed": "93",
    "enforcement.consumption_restricted": "1045",
    "enforcement.judicial_detentions": "16",
    "business.enterprise_cases_closed": "1284",
    "business.output_recovered": "4620",
    "business.enterprise_problems_solved": "8",
    "business.old_enforcement_cases_cleared": "2",
    "business.admin_disputes_resolved": "2",
    "business.traffic_enforcement_leads": "6",
    "business.seals_filed": "22852",
    "business.permit_applications_online": "58",
    "business.green_channels": "37",
    "business.id_cards_extended_hours": "16",
    "law_gov.legality_reviews": "105",
    "law_gov.review_feedback_forms": "45",
    "law_gov.reconsideration_cases": "30",
    "law_gov.reconsideration_closed_on_time": "30",
    "law_gov.reconsideration_on_time_rate": "100",
    "law_gov.lawsuits_handled": "14",
    "law_gov.lawsuits_head_appeared": "14",
    "law_gov.head_appearance_rate": "100",
    "campus.vice_principals": "216",
    "campus.problems_found": "21",
    "campus.schools_involved": "60",
    "traffic.violations_handled": "145386",
    "traffic.hazards_found": "185",
    "traffic.hazards_fixed": "83",
    "traffic.hazard_fix_rate": "44.86",
    "vice.porn_cases": "10",
    "vice.porn_dens_destroyed": "2",
    "vice.porn_prosecuted": "5",
    "vice.porn_admin_penalties": "37",
    "vice.gambling_cases": "7",
    "vice.gambling_dens_destroyed": "32",
    "vice.gambling_machines_seized": "48",
    "vice.gambling_prosecuted": "20",
    "vice.gambling_admin_penalties": "286",
    "vice.drug_offenders_struck": "43",
    "vice.drug_users_caught": "123",
    "vice.compulsory_rehab": "28",
    "vice.precursor_case_suspects": "15",
    "anti_gang.cases": "24",
    "anti_gang.persons_prosecuted": "28",
    "anti_fraud.cases": "127",
    "anti_fraud.losses": "1043.5",
    "anti_fraud.cases_solved": "24",
    "anti_fraud.suspects_caught": "75",
    "anti_fraud.two_cards_punished": "139",
    "anti_fraud.accounts_stopped": "4188",
    "anti_fraud.amount_stopped": "9974.9",
    "anti_fraud.accounts_frozen": "538",
    "anti_fraud.amount_frozen": "1349.9",
    "anti_fraud.myanmar_stranded_total": "328",
    "anti_fraud.myanmar_stranded_reduced": "289",
    "anti_fraud.myanmar_stranded_remaining": "39",
    "anti_fraud.myanmar_reduction_rate": "88.1",
    "anti_fraud.myanmar_rank_national": "213",
    "anti_fraud.myanmar_rank_provincial": "35",
    "anti_fraud.sea_stranded_total": "59",
    "anti_fraud.sea_stranded_reduced": "20",
    "anti_fraud.sea_stranded_remaining": "39",
    "anti_fraud.sea_rank_provincial": "15",
    "anti_fraud.app_registrations": "468572",
    "anti_fraud.resident_population": "948718",
    "anti_fraud.app_registration_rate": "49.39",
    "governance.camera_online_rate": "98",
    "governance.camera_image_rate": "95",
}

# Indicators the report left blank: they stay missing for 2023 H1.
REPORT_BLANKS = [
    "leadership.major_matter_filings",
    "stability.risk_assessments",
    "stability.situation_analyses",
    "stability.consultation_meetings",
    "stability.irregular_petitioners_resolved",
    "stability.key_petitioners_controlled",
    "traffic.accidents",
    "traffic.deaths",
    "traffic.injuries",
    "traffic.direct_losses",
    "anti_gang.leads_received",
    "anti_gang.leads_verified",
    "anti_gang.rewards_paid",
    "governance.center_trainings",
]


def _months(year):
    return datetime.date(year, 1, 1), datetime.date(year, 6, 1)


def _h1(indicator, year):
    """The half-year's figure in plain Python: flows summed; stocks each department's last month, summed."""
    first, last = _months(year)
    values = DataValue.objects.filter(indicator=indicator, month__gte=first, month__lte=last, value__isnull=False)
    if indicator.kind == Kind.FLOW:
        return values.aggregate(total=Sum("value"))["total"]
    latest = {}
    for department, value in values.order_by("month").values_list("department_id", "value"):
        latest[department] = value
    if not latest:
        return None
    if indicator.kind == Kind.RATE:
        assert len(latest) == 1  # the demo shares no rate: their average would be another question
    return sum(latest.values())


def _figure(indicator, year):
    if indicator.kind == Kind.RATIO:
        numerator, denominator = _h1(indicator.numerator, year), _h1(indicator.denominator, year)
        return numerator / denominator * 100
    return _h1(indicator, year)


@pytest.mark.parametrize("code,expected", sorted(REPORT_H1_2023.items()))
def test_h1_2023_equals_the_report(demo, code, expected):
    """January–June 2023 sum to the report's figure (flow), June holds it (stock, rate), ratios compute to it."""
    indicator = Indicator.objects.get(code=code)
    expected = Decimal(expected)
    got = _figure(indicator, 2023)
    if indicator.kind == Kind.RATIO:
        places = Decimal(1).scaleb(expected.as_tuple().exponent)
        assert got.quantize(places, ROUND_HALF_UP) == expected
    else:
        assert got == expected


@pytest.mark.parametrize("code", REPORT_BLANKS)
def test_report_blanks_stay_missing(demo, code):
    """What the report left blank has no figure for 2023 H1 (missing, not zero)."""
    assert _h1(Indicator.objects.get(code=code), 2023) is None


@pytest.mark.parametrize("code,yoy", [("anti_fraud.cases", "-11.81"), ("anti_fraud.losses", "-10.96")])
def test_stated_yoy_is_reproduced(demo, code, yoy):
    indicator = Indicator.objects.get(code=code)
    current, previous = _h1(indicator, 2023), _h1(indicator, 2022)
    assert ((current - previous) / previous * 100).quantize(Decimal("0.01"), ROUND_HALF_UP) == Decimal(yoy)


def test_every_department_has_monthly_values_2022_to_mid_2023(demo):
    """The approved history; July 2023 is the reporting demo's mix of states (tests/reports)."""
    months_per_department = {}
    approved = DataValue.objects.approved()
    for department_id, month in approved.values_list("department__code", "month").distinct():
        months_per_department.setdefault(department_id, set()).add(month)
    assert len(months_per_department) == 44
    for months in months_per_department.values():
        assert min(months) == datetime.date(2022, 1, 1)
        assert max(months) == datetime.date(2023, 6, 1)


def test_demo_values_are_approved_and_ratios_hold_none(demo):
    history = DataValue.objects.filter(month__lte=datetime.date(2023, 6, 1))
    assert not history.exclude(status=Status.APPROVED).exists()
    assert not DataValue.objects.filter(indicator__kind=Kind.RATIO).exists()


def test_target_and_users(demo):
    target = Target.objects.get(indicator__code="stability.petition_backlog_resolved", year=2023)
    assert target.value == 10
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert User.objects.filter(role=Role.CLERK).count() == 44


def test_running_load_demo_again_changes_nothing(demo):
    counts = (DataValue.objects.count(), DataValue.history.count(), User.objects.count(), Indicator.objects.count())
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "新增 0 条，更新 0 条" in out.getvalue()
    assert (
        DataValue.objects.count(),
        DataValue.history.count(),
        User.objects.count(),
        Indicator.objects.count(),
    ) == counts


def test_months_respect_the_cross_field_rules(demo):
    """Each department's month: concluded ≤ received, fixed ≤ found, remaining = total − reduced."""
    values = {
        (v.indicator.code, v.department_id, v.month): v.value
        for v in DataValue.objects.select_related("indicator").exclude(value=None)
    }
    checked = 0
    for ratio in Indicator.objects.filter(kind=Kind.RATIO).select_related("numerator", "denominator"):
        for (code, department, month), value in values.items():
            if code == ratio.numerator.code and (ratio.denominator.code, department, month) in values:
                assert value <= values[(ratio.denominator.code, department, month)], (ratio.code, department, month)
                checked += 1
    for (code, department, month), remaining in values.items():
        if code == "anti_fraud.myanmar_stranded_remaining":
            total = values[("anti_fraud.myanmar_stranded_total", department, month)]
            reduced = values[("anti_fraud.myanmar_stranded_reduced", department, month)]
            assert remaining == total - reduced
    assert checked > 33 * 18  # the towns' mediation figures among them


# --- the county as it reports: 11 departments and 33 towns, shared indicators -------------------------

SHARED = {
    # 政法各部门共排查涉法涉诉风险隐患56件: the court, the procuratorate, the police and the justice bureau.
    "stability.litigation_risks_found": {"court", "procuratorate", "police", "justice"},
    # 政法各单位选派法制副校长216人.
    "campus.vice_principals": {"court", "procuratorate", "police", "justice"},
    # Road hazards are found by the transport bureau and by the traffic police.
    "traffic.hazards_found": {"transport", "police"},
    "traffic.hazards_fixed": {"transport", "police"},
}
TOWN_SUMS = [
    "legal_service.town_stations",
    "legal_service.village_stations",
    "mediation.disputes_found",
    "governance.grid_workers",
]


def test_44_departments_11_units_and_33_towns(demo):
    assert Department.objects.active().count() == 44
    towns = Department.objects.filter(kind=DepartmentKind.TOWN)
    assert towns.count() == 33 and len({t.name for t in towns}) == 33
    form = Form.objects.get(code="town_monthly")
    assert form.name == "乡镇综治月报"
    assert list(form.assignments.values_list("kind", flat=True)) == [DepartmentKind.TOWN]
    assert assignments.form_departments(form) == list(towns.order_by("order", "code"))


@pytest.mark.parametrize("code,reporters", sorted(SHARED.items()))
def test_shared_indicators_have_several_reporters_adding_up_to_the_report(demo, code, reporters):
    indicator = Indicator.objects.get(code=code)
    assert {d.code for d in assignments.reporters_of(indicator)} == reporters
    first, last = _months(2023)
    reported = set(
        DataValue.objects.filter(indicator=indicator, month__gte=first, month__lte=last, value__gt=0)
        .values_list("department__code", flat=True)
        .distinct()
    )
    assert reported == reporters  # each of them contributes, and nobody else
    assert _h1(indicator, 2023) == Decimal(REPORT_H1_2023[code])


@pytest.mark.parametrize("code", TOWN_SUMS)
def test_town_figures_are_summed_over_the_towns(demo, code):
    indicator = Indicator.objects.get(code=code)
    reporters = assignments.reporters_of(indicator)
    assert len(reporters) == 33 and {d.kind for d in reporters} == {DepartmentKind.TOWN}
    expected = REPORT_H1_2023.get(code) or {"mediation.disputes_found": "1268", "governance.grid_workers": "1386"}[code]
    assert _h1(indicator, 2023) == Decimal(expected)


@pytest.mark.parametrize("code", ["mediation.enterprise_disputes_found", "mediation.enterprise_disputes_resolved"])
def test_enterprise_disputes_are_summed_over_the_justice_bureau_and_the_towns(demo, code):
    indicator = Indicator.objects.get(code=code)
    reporters = assignments.reporters_of(indicator)
    assert {d.code for d in reporters if d.kind != DepartmentKind.TOWN} == {"justice"} and len(reporters) == 34
    assert _h1(indicator, 2023) == Decimal(REPORT_H1_2023[code])


def test_every_town_has_one_legal_service_station(demo):
    june = DataValue.objects.filter(indicator__code="legal_service.town_stations", month=datetime.date(2023, 6, 1))
    assert sorted(june.values_list("value", flat=True)) == [1] * 33


def test_summary_command_equals_the_report(demo):
    """manage.py summary --period 2023H1 gives every figure of the report (ratios to the report's decimals)."""
    out = io.StringIO()
    call_command("summary", "--period", "2023H1", stdout=out)
    figures = {i["code"]: i["value"] for i in json.loads(out.getvalue())["indicators"]}
    for code, expected in REPORT_H1_2023.items():
        expected = Decimal(expected)
        got = Decimal(str(figures[code])).quantize(Decimal(1).scaleb(expected.as_tuple().exponent), ROUND_HALF_UP)
        assert got == expected, code
    for code in REPORT_BLANKS:
        assert figures[code] is None, code


def test_a_town_clerk_logs_in_and_sees_the_town_form(client, demo):
    assert client.login(username="clerk_chengguan", password=DEMO_PASSWORD)
    page = client.get(reverse("report_entry", args=["chengguan", "town_monthly", 2023, 6]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "城关镇" in text and "排查矛盾纠纷" in text and "专兼职网格员" in text
    assert "矛盾纠纷化解率" in text  # both components are in the form: the ratio is shown
    assert "电信网络诈骗" not in text  # the police's indicators are not the town's
