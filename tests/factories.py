"""factory_boy factories for the catalogue, values and users.

`IndicatorFactory(department=d)` puts the indicator in d's own form ("<d>_monthly", assigned to d),
as the migration made them; `department=None` leaves it in no form. `assign(indicator, *departments)`
adds reporters later.
"""

import datetime

import factory
from factory.django import DjangoModelFactory

from metrics import assignments
from metrics.models import Area, DataValue, Department, Form, FormAssignment, FormIndicator, Indicator, Kind, Status
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


def department_form(department):
    """The department's own form ("<code>_monthly", assigned to it by name), created when missing."""
    form, created = Form.objects.get_or_create(
        code=f"{department.code}_monthly", defaults={"name": f"{department.name}月报", "order": department.order}
    )
    if created:
        FormAssignment.objects.create(form=form, department=department)
    return form


def assign(indicator, *departments):
    """Make each department report the indicator, through its own form; returns the indicator."""
    for department in departments:
        form = department_form(department)
        FormIndicator.objects.get_or_create(form=form, indicator=indicator, defaults={"order": indicator.order})
    return indicator


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = Indicator
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"area.indicator{n}")
    area = factory.SubFactory(AreaFactory)
    name = factory.Sequence(lambda n: f"指标{n}")
    unit = "件"
    kind = Kind.FLOW
    # Not a field: the department that reports it (see assign); None for none.
    department = factory.SubFactory(DepartmentFactory)
    order = factory.Sequence(int)

    @classmethod
    def _create(cls, model_class, *args, department=None, **kwargs):
        indicator = super()._create(model_class, *args, **kwargs)
        if department is not None and indicator.kind != Kind.RATIO:
            assign(indicator, department)
        return indicator

    @classmethod
    def _build(cls, model_class, *args, department=None, **kwargs):
        return super()._build(model_class, *args, **kwargs)


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
    # The first department that reports the indicator.
    department = factory.LazyAttribute(lambda o: assignments.reporters_of(o.indicator)[0])
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
