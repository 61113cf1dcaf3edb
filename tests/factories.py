"""factory_boy factories for the catalogue, values and users."""

import datetime

import factory
from factory.django import DjangoModelFactory

from metrics.models import Area, DataValue, Department, Indicator, Kind, Status
from reports.models import Role, User


class AreaFactory(DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"area{n}")
    name = factory.Sequence(lambda n: f"领域{n}")
    order = factory.Sequence(int)


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept{n}")
    name = factory.Sequence(lambda n: f"单位{n}")
    order = factory.Sequence(int)


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = Indicator
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"area.indicator{n}")
    area = factory.SubFactory(AreaFactory)
    name = factory.Sequence(lambda n: f"指标{n}")
    unit = "件"
    kind = Kind.FLOW
    department = factory.SubFactory(DepartmentFactory)
    order = factory.Sequence(int)


class RatioFactory(IndicatorFactory):
    unit = "%"
    kind = Kind.RATIO
    decimals = 2
    department = None
    numerator = factory.SubFactory(IndicatorFactory)
    denominator = factory.SubFactory(IndicatorFactory)


class DataValueFactory(DjangoModelFactory):
    class Meta:
        model = DataValue

    indicator = factory.SubFactory(IndicatorFactory)
    department = factory.SelfAttribute("indicator.department")
    month = datetime.date(2023, 1, 1)
    value = 1
    status = Status.APPROVED


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.REVIEWER
    password = factory.django.Password("secret-password-1")


class ClerkFactory(UserFactory):
    role = Role.CLERK
    department = factory.SubFactory(DepartmentFactory)


def grow_catalogue(n_departments=12, n_indicators=40):
    """Many more departments and indicators (flows, stocks, a ratio) with values in 2022 and 2023 H1."""
    area = AreaFactory(code="bulk", name="批量领域")
    departments = [DepartmentFactory() for _ in range(n_departments)]
    for n in range(n_indicators):
        department = departments[n % n_departments]
        indicator = IndicatorFactory(area=area, department=department, kind=[Kind.FLOW, Kind.STOCK][n % 2])
        for month in (datetime.date(2022, 3, 1), datetime.date(2023, 3, 1)):
            DataValueFactory(indicator=indicator, department=department, month=month, value=n + 1)
    flows = list(area.indicators.filter(kind=Kind.FLOW)[:2])
    RatioFactory(area=area, numerator=flows[0], denominator=flows[1])
    return area, departments
