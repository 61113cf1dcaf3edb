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


def pytest_configure(config):
    # With DATABASE_TEST_NAME the tests use a real database (the one a Celery worker
    # uses); without --reuse-db pytest-django would drop and recreate it.
    if os.environ.get("DATABASE_TEST_NAME") and not config.getoption("reuse_db", False):
        raise pytest.UsageError("DATABASE_TEST_NAME needs --reuse-db (see .ci/run), or the database is recreated.")


@pytest.fixture(autouse=True)
def _checked_afresh():
    """Each test tries the broker and checks health anew: an earlier test's dead broker is not this one's."""
    from reports.operations.health import forget_answer
    from zhengfa.queueing import forget_broker_failure

    forget_broker_failure()
    forget_answer()
    yield
    forget_broker_failure()
    forget_answer()


@pytest.fixture
def worker_broker(settings):
    """The broker URL of a running Celery worker (ZHENGFA_WORKER_BROKER); skips without one, fails under CI.

    The worker must use the same database and MEDIA_ROOT as the tests: see the worker step of .ci/run.
    """
    broker = os.environ.get("ZHENGFA_WORKER_BROKER")
    if not broker:
        if os.environ.get("CI") == "true":
            pytest.fail("CI 需要运行中的 Celery worker：设置 ZHENGFA_WORKER_BROKER（见 .ci/run）。")
        pytest.skip("no Celery worker: set ZHENGFA_WORKER_BROKER (see .ci/run)")
    assert broker == settings.CELERY_BROKER_URL, "CELERY_BROKER_URL must name the worker's broker"
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    return broker


@pytest.fixture(autouse=True, scope="session")
def _uncollected_static_files(tmp_path_factory):
    """Pages name the static files as in a checkout, never by a manifest a local `rundemo` collected
    (zhengfa/staticfiles.py): its hashed names would be stale after an edit, and unknown to the live server."""
    from django.test import override_settings

    with override_settings(STATIC_ROOT=tmp_path_factory.mktemp("static-root")):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: a rolled-back test leaves the data versions where they were,
    so the next test's figures would otherwise find the entries made for the previous test's data."""
    from django.core.cache import cache

    cache.clear()


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


@pytest.fixture
def browser_page():
    """A Chromium page at 1280 × 900 in Chinese; closed after the test."""
    from playwright.sync_api import sync_playwright

    from tests.browser import launch_chromium

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = context.new_page()
        yield page
        context.close()
        browser.close()
