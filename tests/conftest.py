"""Shared fixtures: the demo county loaded once per test database, users per role."""

import io
import os

import pytest
from django.core.management import call_command

from metrics.models import Indicator
from reports.demo import DEMO_PASSWORD
from reports.models import User

# Django refuses synchronous ORM calls from a thread with a running event loop;
# Playwright's sync API runs one, so browser tests need this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _load_demo():
    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the demo county into the test database once; each test rolls back its changes."""
    with django_db_blocker.unblock():
        _load_demo()


@pytest.fixture
def demo(db):
    """The demo county (reloaded if a transactional test flushed the database)."""
    if not Indicator.objects.exists():
        _load_demo()


@pytest.fixture
def password():
    return DEMO_PASSWORD


@pytest.fixture
def login_as(client, demo):
    """Log the test client in as a demo user; returns the user."""

    def _login(username):
        user = User.objects.get(username=username)
        client.force_login(user)
        return user

    return _login
