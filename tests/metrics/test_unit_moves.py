"""Moving a department between top-level units: its top unit, its subtree's, and the units' rollup.

Found by an independent review: stale parent objects, save(update_fields=...), and moves that race
with writers of values or with each other.
"""

import datetime
import threading

import pytest
from django.db import connection, transaction

from metrics import rollup
from metrics.aggregation import by_unit
from metrics.models import Department, Kind
from metrics.periods import Period
from tests.factories import DataValueFactory, DepartmentFactory, IndicatorFactory

JAN = datetime.date(2023, 1, 1)
H1 = Period.half(2023, 1)
POSTGRESQL_ONLY = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers")


def units(flow):
    return {unit: f.value for unit, f in by_unit([flow], H1)[flow.code].items()}


def top_units(*departments):
    return dict(Department.objects.filter(pk__in=[d.pk for d in departments]).values_list("pk", "top_unit_id"))


@pytest.mark.django_db
def test_a_stale_parent_object_does_not_file_a_child_under_the_old_unit():
    a, b = DepartmentFactory(code="ra"), DepartmentFactory(code="rb")
    c = DepartmentFactory(code="rc", parent=a)
    flow = IndicatorFactory(kind=Kind.FLOW, department=a)
    DataValueFactory(indicator=flow, department=c, month=JAN, value=5)
    stale = Department.objects.select_related("parent").get(pk=c.pk)  # a cached while top-level
    a.parent = b
    a.save()
    stale.name = "改名"
    stale.save()
    assert top_units(c) == {c.pk: b.pk}
    assert units(flow) == {b.pk: 5}
    assert rollup.differences() == {}


@pytest.mark.django_db
def test_save_with_update_fields_parent_moves_the_department_too():
    a, b = DepartmentFactory(code="ua"), DepartmentFactory(code="ub")
    c = DepartmentFactory(code="uc", parent=a)
    grandchild = DepartmentFactory(code="ug", parent=c)
    c.parent = b
    c.save(update_fields=["parent"])
    assert top_units(c, grandchild) == {c.pk: b.pk, grandchild.pk: b.pk}
    c.parent = None
    c.save(update_fields=["parent"])
    assert top_units(c, grandchild) == {c.pk: None, grandchild.pk: c.pk}


def _in_thread(work):
    """Run `work` in a thread with its own connection; returns (thread, errors)."""
    errors = []

    def run():
        try:
            work()
        except Exception as error:  # reported by the test
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


@POSTGRESQL_ONLY
@pytest.mark.django_db(transaction=True)
def test_a_value_written_while_its_department_moves_lands_in_the_new_unit():
    a, b = DepartmentFactory(code="ca"), DepartmentFactory(code="cb")
    c = DepartmentFactory(code="cc", parent=a)
    flow = IndicatorFactory(kind=Kind.FLOW, department=a)
    written = threading.Event()

    def writer():
        with transaction.atomic():
            DataValueFactory(indicator=flow, department_id=c.pk, month=JAN, value=5)
            written.set()
            threading.Event().wait(0.5)  # still open while the move starts

    thread, errors = _in_thread(writer)
    assert written.wait(10)
    c.parent = b
    c.save()  # waits for the writer to commit, then recounts both units
    thread.join(30)
    assert not errors
    assert units(flow) == {b.pk: 5}
    assert rollup.differences() == {}


@POSTGRESQL_ONLY
@pytest.mark.django_db(transaction=True)
def test_two_moves_out_of_the_same_unit_take_turns():
    a, b, e = (DepartmentFactory(code=f"m{x}") for x in "abe")
    c = DepartmentFactory(code="mc", parent=a)
    d = DepartmentFactory(code="md", parent=a)
    flow = IndicatorFactory(kind=Kind.FLOW, department=a)
    for department in (a, c, d):
        DataValueFactory(indicator=flow, department=department, month=JAN, value=1)
    moved = threading.Event()

    def first():
        with transaction.atomic():
            c.parent = b
            c.save()
            moved.set()
            threading.Event().wait(0.5)

    thread, errors = _in_thread(first)
    assert moved.wait(10)
    d.parent = e
    d.save()  # waits for the first move to commit
    thread.join(30)
    assert not errors
    assert units(flow) == {a.pk: 1, b.pk: 1, e.pk: 1}
    assert rollup.differences() == {}
