"""Constraints of the catalogue and data values."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from metrics.assignments import reporters_of
from metrics.models import DataValue, Kind
from tests.factories import DataValueFactory, IndicatorFactory, RatioFactory

pytestmark = pytest.mark.django_db


def test_one_value_per_indicator_department_and_month():
    """A second value for the same indicator, department and month is refused by the database."""
    value = DataValueFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        DataValue.objects.create(indicator=value.indicator, department=value.department, month=value.month, value=2)


def test_same_indicator_other_month_is_allowed():
    value = DataValueFactory()
    DataValueFactory(indicator=value.indicator, month=datetime.date(2023, 2, 1))
    assert DataValue.objects.filter(indicator=value.indicator).count() == 2


def test_ratio_cannot_hold_a_value_through_validation():
    """full_clean() explains that a ratio is computed, not entered."""
    ratio = RatioFactory()
    value = DataValue(
        indicator=ratio, department=reporters_of(ratio.numerator)[0], month=datetime.date(2023, 1, 1), value=5
    )
    with pytest.raises(ValidationError, match="计算比率"):
        value.full_clean()


def test_ratio_cannot_hold_a_value_even_without_validation():
    """save() refuses a ratio's value even when a caller skips full_clean()."""
    ratio = RatioFactory()
    with pytest.raises(ValidationError):
        DataValue.objects.create(
            indicator=ratio, department=reporters_of(ratio.numerator)[0], month=datetime.date(2023, 1, 1), value=5
        )
    assert not DataValue.objects.filter(indicator=ratio).exists()


def test_negative_value_refused_by_model_validation():
    value = DataValueFactory.build(indicator=IndicatorFactory(), value=Decimal("-1"))
    with pytest.raises(ValidationError) as excinfo:
        value.full_clean()
    assert "数值不能为负数" in str(excinfo.value)


def test_negative_value_refused_by_the_database():
    value = DataValueFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        DataValue.objects.filter(pk=value.pk).update(value=Decimal("-3"))


def test_missing_value_is_null_not_zero():
    value = DataValueFactory(value=None)
    value.refresh_from_db()
    assert value.value is None
    assert value.is_missing


def test_month_must_be_first_day():
    value = DataValueFactory.build(indicator=IndicatorFactory(), month=datetime.date(2023, 1, 15))
    with pytest.raises(ValidationError):
        value.full_clean()


def test_ratio_needs_numerator_and_denominator():
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorFactory(kind=Kind.RATIO, department=None)


def test_value_changes_are_kept_in_history():
    value = DataValueFactory(value=Decimal("5"))
    value.value = Decimal("7")
    value.save()
    old, new = value.history.order_by("history_date")
    assert (old.value, new.value) == (Decimal("5"), Decimal("7"))
