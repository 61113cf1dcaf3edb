"""Fixtures for the reporting workflow: a small department of its own, with a user of every role."""

import datetime

import pytest

from metrics.models import DataValue, Kind, ValidationRule
from reports.models import Role
from tests.factories import (
    AreaFactory,
    ClerkFactory,
    DepartmentFactory,
    IndicatorFactory,
    UserFactory,
    department_form,
)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """The factories set passwords; a cheap hasher keeps these tests quick."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # the demo users' passwords
    ]


@pytest.fixture
def unit(db):
    """A department with a count, a money and a rate indicator, a rule, its clerk and a reviewer."""
    department = DepartmentFactory(code="testcourt", name="测试法院")
    area = AreaFactory(code="testarea", name="测试领域")
    received = IndicatorFactory(code="t.received", name="受理案件", unit="件", area=area, department=department)
    concluded = IndicatorFactory(code="t.concluded", name="执结案件", unit="件", area=area, department=department)
    money = IndicatorFactory(code="t.money", name="到位金额", unit="万元", decimals=4, area=area, department=department)
    rate = IndicatorFactory(
        code="t.rate", name="在线率", unit="%", decimals=2, kind=Kind.RATE, area=area, department=department
    )
    ValidationRule.objects.create(name="执结≤受理", left=concluded, operator="lte", right=received)
    clerk = ClerkFactory(username="t_clerk", department=department)
    other_clerk = ClerkFactory(username="t_other", department=DepartmentFactory(code="testother"))
    reviewer = UserFactory(username="t_reviewer", role=Role.REVIEWER)
    leader = UserFactory(username="t_leader", role=Role.LEADER)
    admin = UserFactory(username="t_admin", role=Role.ADMIN)
    return {
        "department": department,
        "form": department_form(department),
        "indicators": [received, concluded, money, rate],
        "clerk": clerk,
        "other_clerk": other_clerk,
        "reviewer": reviewer,
        "leader": leader,
        "admin": admin,
    }


@pytest.fixture
def nearly_flat_cases(demo):
    """发生电信网络诈骗案件 (fewer is better): 100001 in 2023H1 against 100000 in 2022H1, +0.001 %: 持平.

    Returns the indicator's code. The police enter it; June holds each half-year's total, other months 0.
    """
    code = "anti_fraud.cases"
    for year, total in ((2023, 100001), (2022, 100000)):
        values = DataValue.objects.filter(
            indicator__code=code, month__gte=datetime.date(year, 1, 1), month__lte=datetime.date(year, 6, 1)
        )
        values.update(value=0)
        values.filter(department__code="police", month=datetime.date(year, 6, 1)).update(value=total)
    return code
