"""Report forms and their assignments: who reports what (metrics.assignments)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from metrics import assignments
from metrics.assignments import Node, resolve
from metrics.models import DataValue, DepartmentKind, Form, FormAssignment, FormIndicator, Indicator
from metrics.services import add_to_form
from tests.factories import AreaFactory, DepartmentFactory, IndicatorFactory, RatioFactory

pytestmark = pytest.mark.django_db


def _form(code, *indicators, departments=(), kind="", parent=None, order=0, active=True):
    form = Form.objects.create(code=code, name=f"{code}报表", order=order, active=active)
    for n, indicator in enumerate(indicators, start=1):
        FormIndicator.objects.create(form=form, indicator=indicator, order=n)
    for department in departments:
        FormAssignment.objects.create(form=form, department=department)
    if kind:
        FormAssignment.objects.create(form=form, kind=kind)
    if parent is not None:
        FormAssignment.objects.create(form=form, parent=parent)
    return form


# --- resolve (pure) -----------------------------------------------------------------------------


def test_resolve_names_kinds_and_everything_under_a_parent():
    nodes = [
        Node(1, "county", None, True),
        Node(2, "town", 1, True),
        Node(3, "town", 1, False),  # inactive: never a member
        Node(4, "", 2, True),  # a village under a town
        Node(5, "police", None, True),
    ]
    assert resolve([(5, "", None)], nodes) == {5}
    assert resolve([(None, "town", None)], nodes) == {2}
    assert resolve([(None, "", 1)], nodes) == {2, 4}  # the whole subtree, not the parent itself
    assert resolve([(3, "", None)], nodes) == set()
    assert resolve([(5, "", None), (None, "town", None)], nodes) == {2, 5}
    assert resolve([], nodes) == set()


def test_resolve_survives_a_cycle_in_the_parents():
    nodes = [Node(1, "", 2, True), Node(2, "", 1, True)]
    assert resolve([(None, "", 1)], nodes) == {1, 2}


# --- the questions ------------------------------------------------------------------------------


def test_an_indicator_reported_by_four_departments():
    court, procuratorate, police, justice, education = (DepartmentFactory() for _ in range(5))
    shared = IndicatorFactory(department=None, name="涉法涉诉风险隐患排查")
    form = _form("zf_units", shared, departments=[court, procuratorate, police, justice])
    assert assignments.reporters_of(shared) == sorted([court, procuratorate, police, justice], key=lambda d: d.order)
    assert assignments.form_departments(form) == assignments.reporters_of(shared)
    assert assignments.forms_for(police) == [form]
    assert assignments.forms_for(education) == []
    assert assignments.refusal(police, shared) == ""
    reason = assignments.refusal(education, shared)
    assert reason.startswith(f"指标「涉法涉诉风险隐患排查」不在{education.name}的任何报表中（报表：zf_units报表由")
    assert "等4个单位填报" in reason


def test_assignment_by_kind_picks_up_a_town_added_later():
    hazards = IndicatorFactory(department=None)
    # "Other": a kind the demo county (loaded for every test) has no department of.
    form = _form("others", hazards, kind=DepartmentKind.OTHER)
    first = DepartmentFactory(kind=DepartmentKind.OTHER)
    DepartmentFactory(kind=DepartmentKind.BUREAU)
    assert assignments.form_departments(form) == [first]
    later = DepartmentFactory(kind=DepartmentKind.OTHER)
    assert assignments.form_departments(form) == [first, later]
    assert assignments.indicators_for(later) == [hazards]
    later.active = False
    later.save()
    assert assignments.form_departments(form) == [first]
    assert assignments.refusal(later, hazards) == f"{later.name}已停用，不能填报。"


def test_assignment_by_parent_covers_every_level_under_it():
    county = DepartmentFactory()
    town = DepartmentFactory(parent=county)
    village = DepartmentFactory(parent=town)
    form = _form("grid", IndicatorFactory(department=None), parent=county)
    assert assignments.form_departments(form) == [town, village]
    assert assignments.forms_for(county) == []


def test_indicators_for_orders_by_area_then_form_and_joins_forms():
    early, late = AreaFactory(order=1), AreaFactory(order=2)
    department = DepartmentFactory()
    a1 = IndicatorFactory(area=late, department=None, order=1)
    a2 = IndicatorFactory(area=early, department=None, order=2)
    b1 = IndicatorFactory(area=early, department=None, order=3)
    b2 = IndicatorFactory(area=late, department=None, order=4)
    inactive = IndicatorFactory(area=early, department=None, active=False)
    second = _form("second", b1, b2, a2, departments=[department], order=2)
    first = _form("first", a1, a2, inactive, departments=[department], order=1)
    _form("other", IndicatorFactory(area=early, department=None), departments=[DepartmentFactory()])
    # Area first; inside an area the first form's order, then the second's; a2 is in both: first form's place.
    assert assignments.indicators_for(department) == [a2, b1, a1, b2]
    assert assignments.indicators_for(department, first) == [a2, a1]
    # The second form's report leaves out a2: the department reports it through the first form.
    assert assignments.indicators_for(department, second) == [b1, b2]
    assert assignments.indicators_for(DepartmentFactory(), first) == []
    assert assignments.refusal(department, inactive) == f"指标「{inactive.name}」已停用，不能填报。"


def test_inactive_forms_assign_nothing():
    department = DepartmentFactory()
    indicator = IndicatorFactory(department=None)
    form = _form("old", indicator, departments=[department], active=False)
    assert assignments.forms_for(department) == []
    assert assignments.form_departments(form) == []
    assert assignments.reporters_of(indicator) == []
    assert "不在任何报表中" in assignments.refusal(department, indicator)


def test_a_ratio_is_reported_by_its_components_reporters_and_never_entered():
    a, b = DepartmentFactory(), DepartmentFactory()
    ratio = RatioFactory(numerator__department=None, denominator__department=None)
    _form("num", ratio.numerator, departments=[a])
    _form("den", ratio.denominator, departments=[b])
    assert assignments.reporters_of(ratio) == [a, b]
    assert "计算比率" in assignments.refusal(a, ratio)


def test_a_form_with_no_assignment_is_named_in_the_refusal():
    indicator = IndicatorFactory(department=None, name="网格事件")
    _form("unassigned", indicator)
    reason = assignments.refusal(DepartmentFactory(name="某局"), indicator)
    assert reason == "指标「网格事件」不在某局的任何报表中（报表：unassigned报表尚未分配给任何单位）。"


def test_reporting_departments_need_an_active_entered_indicator():
    reporting, idle, empty = DepartmentFactory(), DepartmentFactory(), DepartmentFactory()
    _form("live", IndicatorFactory(department=None), departments=[reporting])
    _form("dead", IndicatorFactory(department=None, active=False), departments=[idle])
    _form("empty", departments=[empty])
    assert reporting in assignments.reporting_departments()
    assert idle not in assignments.reporting_departments()
    assert empty not in assignments.reporting_departments()


def test_queries_do_not_grow_with_forms_departments_and_indicators():
    def count():
        department = DepartmentFactory()
        indicators = [IndicatorFactory(department=None) for _ in range(3)]
        _form(f"f{department.pk}", *indicators, departments=[department], kind="town", parent=department)
        with CaptureQueriesContext(connection) as queries:
            found = assignments.indicators_for(department)
            reporters = assignments.reporters_by_indicator(found)
            assignments.refusal(DepartmentFactory.build(pk=0, name="x"), found[0])
        assert len(reporters) >= 3
        return len(queries)

    first = count()
    for _ in range(5):
        DepartmentFactory(kind="town", parent=DepartmentFactory())
        count()
    assert count() == first == 4 + 1 + 4 + 4


# --- the tables' own rules -----------------------------------------------------------------------


def test_an_assignment_names_exactly_one_target():
    form = _form("f")
    department = DepartmentFactory()
    for fields in ({}, {"department": department, "kind": "town"}, {"kind": "town", "parent": department}):
        with pytest.raises(IntegrityError), transaction.atomic():
            FormAssignment.objects.create(form=form, **fields)
    with pytest.raises(ValidationError, match="只能指定一项"):
        FormAssignment(form=form, department=department, kind="town").full_clean()


def test_an_indicator_is_in_a_form_once_and_a_ratio_never():
    ratio = RatioFactory()
    form = _form("f", ratio.numerator)
    with pytest.raises(IntegrityError), transaction.atomic():
        FormIndicator.objects.create(form=form, indicator=ratio.numerator)
    with pytest.raises(ValidationError, match="计算比率不能加入报表"):
        FormIndicator(form=form, indicator=ratio, order=9).full_clean()


def test_adding_a_ratio_brings_its_components():
    ratio = RatioFactory()
    other = IndicatorFactory(department=None)
    form = _form("f", ratio.numerator)
    added = add_to_form(form=form, indicators=[other, ratio])
    assert added == [other, ratio.denominator]
    assert list(form.items.values_list("indicator_id", flat=True)) == [
        ratio.numerator.pk,
        other.pk,
        ratio.denominator.pk,
    ]
    assert add_to_form(form=form, indicators=[ratio]) == []


def test_a_value_for_an_unassigned_department_fails_validation():
    """The admin's validation: a value may only be entered by a department that reports the indicator."""
    indicator = IndicatorFactory(name="安全隐患")
    stranger = DepartmentFactory(name="某局")
    value = DataValue(indicator=indicator, department=stranger, month=datetime.date(2023, 1, 1), value=1)
    with pytest.raises(ValidationError, match="不在某局的任何报表中"):
        value.full_clean()
    value.department = assignments.reporters_of(indicator)[0]
    value.full_clean()


def test_a_validation_rule_needs_a_department_reporting_all_its_indicators():
    from metrics.models import ValidationRule

    a, b = DepartmentFactory(), DepartmentFactory()
    left, right = IndicatorFactory(department=a), IndicatorFactory(department=b)
    with pytest.raises(ValidationError, match="同一单位"):
        ValidationRule(name="r", left=left, operator="lte", right=right).full_clean()
    _form("both", left, right, departments=[b])
    ValidationRule(name="r", left=left, operator="lte", right=right).full_clean()


# --- the admin ----------------------------------------------------------------------------------


def test_the_admin_makes_a_form_assigned_by_kind_with_a_ratio_and_its_components(client, login_as):
    from django.urls import reverse

    login_as("admin")
    ratio = Indicator.objects.get(code="traffic.hazard_fix_rate")
    response = client.post(
        reverse("admin:metrics_form_add"),
        {
            "code": "road_towns",
            "name": "乡镇道路隐患月报",
            "deadline_day": 3,
            "order": 99,
            "active": "on",
            "ratios": [ratio.pk],
            "items-TOTAL_FORMS": 0,
            "items-INITIAL_FORMS": 0,
            "assignments-TOTAL_FORMS": 1,
            "assignments-INITIAL_FORMS": 0,
            "assignments-0-kind": DepartmentKind.TOWN,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    form = Form.objects.get(code="road_towns")
    assert [i.indicator.code for i in form.items.order_by("order")] == [
        "traffic.hazards_fixed",
        "traffic.hazards_found",
    ]
    assert len(assignments.form_departments(form)) == 33
    for page in ("admin:metrics_form_changelist", "admin:metrics_indicator_changelist"):
        assert client.get(reverse(page)).status_code == 200
    assert "乡镇道路隐患月报" in client.get(reverse("admin:metrics_indicator_changelist")).content.decode()


def test_the_admin_refuses_an_assignment_naming_two_targets(client, login_as):
    from django.urls import reverse

    login_as("admin")
    response = client.post(
        reverse("admin:metrics_form_add"),
        {
            "code": "bad",
            "name": "坏报表",
            "deadline_day": 5,
            "order": 1,
            "items-TOTAL_FORMS": 0,
            "items-INITIAL_FORMS": 0,
            "assignments-TOTAL_FORMS": 1,
            "assignments-INITIAL_FORMS": 0,
            "assignments-0-kind": DepartmentKind.TOWN,
            "assignments-0-department": DepartmentFactory().pk,
        },
    )
    assert response.status_code == 200 and "只能指定一项" in response.content.decode()
    assert not Form.objects.filter(code="bad").exists()
