"""The data and catalogue versions follow every committed change, whatever the writer, and nothing else."""

import datetime

import pytest
from django.db import connection, transaction

from metrics import versions
from metrics.models import DataValue, Department, Kind, Status, Target
from tests.factories import DataValueFactory, DepartmentFactory, IndicatorFactory

pytestmark = pytest.mark.django_db

JAN, FEB = datetime.date(2023, 1, 1), datetime.date(2023, 2, 1)


def data():
    return versions.current()[versions.DATA]


def catalogue():
    return versions.current()[versions.CATALOGUE]


@pytest.fixture
def flow():
    return IndicatorFactory(kind=Kind.FLOW)


def test_every_writer_of_values_bumps_the_data_version(flow):
    """Insert, bulk_create, save, QuerySet.update (a report's status) and delete each bump it."""
    steps = [
        lambda: DataValueFactory(indicator=flow, month=JAN, value=5),
        lambda: DataValue.objects.bulk_create(
            DataValue(indicator=flow, department=DepartmentFactory(), month=FEB, value=n, status=Status.SUBMITTED)
            for n in range(3)
        ),
        lambda: DataValue.objects.filter(month=FEB).update(status=Status.APPROVED),
        lambda: DataValue.objects.filter(month=JAN).update(note="核实"),
        lambda: DataValue.objects.filter(month=FEB).delete(),
    ]
    for step in steps:
        before = data()
        step()
        assert data() > before, step


def test_one_bump_per_statement_on_postgresql(flow):
    """A bulk write of 150 values is one bump on PostgreSQL (statement trigger); SQLite counts rows."""
    before = data()
    DataValue.objects.bulk_create(
        DataValue(indicator=flow, department=DepartmentFactory(), month=JAN, value=n) for n in range(5)
    )
    assert data() - before == (1 if connection.vendor == "postgresql" else 5)


def test_a_rolled_back_write_leaves_the_version_alone(flow):
    before = data(), catalogue()
    with pytest.raises(RuntimeError), transaction.atomic():
        DataValueFactory(indicator=flow, month=JAN, value=5)
        DepartmentFactory()
        assert data() > before[0]
        raise RuntimeError("rolled back")
    assert (data(), catalogue()) == before


def test_catalogue_changes_bump_the_catalogue_version_only(flow):
    """Renaming an indicator, a target, a department moved between units: the catalogue version."""
    a, b = DepartmentFactory(), DepartmentFactory()
    DepartmentFactory(parent=a)

    def move():
        moved = Department.objects.get(pk=a.pk)
        moved.parent = b
        moved.save()

    steps = [
        lambda: IndicatorFactory(kind=Kind.FLOW),
        lambda: type(flow).objects.filter(pk=flow.pk).update(name="改名"),
        lambda: Target.objects.create(indicator=flow, year=2023, value=10),
        move,
    ]
    for step in steps:
        before = data(), catalogue()
        step()
        assert catalogue() > before[1], step
        assert data() == before[0], step


def test_a_flushed_counter_starts_again():
    """The bump is an upsert: a table emptied by a flush gets its row back with the next change."""
    from metrics.derived import Version

    Version.objects.all().delete()
    assert versions.current() == {versions.DATA: 0, versions.CATALOGUE: 0}
    DepartmentFactory()
    assert catalogue() > 0


def test_a_reader_waits_for_the_entry_another_is_computing(monkeypatch):
    """While one reader computes an entry, another waits for its result instead of computing it again."""
    from django.core.cache import cache

    calls = []
    key = versions.cache_key("x", 1)
    cache.add(f"{key}:computing", 1)  # another reader is at it

    def finish(_seconds):
        cache.set(key, "theirs")  # …and done

    monkeypatch.setattr(versions.time, "sleep", finish)
    assert versions.cached("x", 1, compute=lambda: calls.append(2) or "mine") == "theirs"
    assert calls == []


def test_a_reader_computes_when_the_other_never_finishes(monkeypatch):
    from django.core.cache import cache

    key = versions.cache_key("y")
    cache.add(f"{key}:computing", 1)
    monkeypatch.setattr(versions.time, "sleep", lambda _seconds: None)
    assert versions.cached("y", compute=lambda: "mine") == "mine"
    assert cache.get(f"{key}:computing") is None
