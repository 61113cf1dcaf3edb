"""Operational hardening: the API answers JSON for every status, signed-in pages and downloads
are never cached, a connection lost during COMMIT is reported as uncertain, and ZHENGFA_ENV
is read case-insensitively."""

import json
import secrets
from unittest import mock

import pytest
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import OperationalError
from django.test import Client
from django.urls import reverse

from metrics.models import DataValue
from reports.models import User
from reports.reporting.models import MonthlyReport
from tests.zhengfa.test_security import PRODUCTION, _manage

pytestmark = pytest.mark.django_db

API = "/api/v1/summary"
PRIVATE = "private, no-store"


def _json_error(response, status):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    assert response["Cache-Control"] == PRIVATE
    message = json.loads(response.content)["error"]
    assert message and any("\u4e00" <= ch <= "\u9fff" for ch in message), message  # said in Chinese
    return message


def _client(username="reviewer", **kwargs):
    client = Client(raise_request_exception=False, **kwargs)
    client.force_login(User.objects.get(username=username))
    return client


# --- the API answers JSON, whatever the status ------------------------------------------------


def test_the_api_answers_json_when_the_database_is_down(demo):
    client = _client()
    with mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=OperationalError("could not connect")):
        response = client.get(API, {"period": "2023H1"})
    _json_error(response, 503)
    assert response["Retry-After"] == "60"


def test_the_api_answers_json_to_a_post_without_csrf_token(demo):
    _json_error(_client(enforce_csrf_checks=True).post(API, {"period": "2023H1"}), 403)


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_the_api_answers_json_to_another_method(demo, method):
    response = getattr(_client(), method)(API)
    _json_error(response, 405)
    assert response["Allow"] == "GET, HEAD"


def test_the_api_answers_json_for_an_unknown_address_and_a_crash(demo):
    _json_error(_client().get("/api/v1/no-such-thing"), 404)
    with mock.patch("reports.figures.api.resolve_request", side_effect=RuntimeError("secret internals")):
        response = _client().get(API, {"period": "2023H1"})
    assert "secret internals" not in _json_error(response, 500)


def test_pages_outside_the_api_keep_their_html_error_pages(demo):
    response = _client(enforce_csrf_checks=True).post(reverse("home"))
    assert response.status_code == 403 and response["Content-Type"].startswith("text/html")


# --- no cache keeps a signed-in user's pages or downloads -------------------------------------


@pytest.mark.parametrize(
    "name,args,query",
    [
        ("home", [], {}),
        ("dashboard", [], {}),
        ("report_entry", ["police", "police_monthly", 2023, 7], {}),
        ("summary_table", [], {"period": "2023H1"}),
        ("summary_table", [], {"period": "2023H1", "export": "csv"}),
        ("summary_table", [], {"period": "2023H1", "export": "xlsx"}),
        ("import_template", [], {"department": "police", "year": "2023"}),
    ],
)
def test_signed_in_pages_and_downloads_are_private_and_never_stored(demo, name, args, query):
    response = _client("admin").get(reverse(name, args=args), query)
    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE


def test_an_exported_summary_download_is_private_and_never_stored(demo, settings, tmp_path):
    from django.core.files.base import ContentFile

    from reports.summary.models import ExportState, SummaryExport

    settings.MEDIA_ROOT = tmp_path
    export = SummaryExport(period="2023H1", format="docx", state=ExportState.DONE, progress=100)
    export.file.save("x.docx", ContentFile(b"PK fake"), save=True)
    response = _client("leader").get(reverse("summary_download", args=[export.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == PRIVATE


def test_static_files_stay_cacheable_even_for_a_signed_in_user(demo):
    assert "no-store" not in _client().get("/static/css/app.css").get("Cache-Control", "")


# --- a connection lost during COMMIT ----------------------------------------------------------


# Transactional: the save must really COMMIT (in a test transaction it would be a savepoint).
@pytest.mark.django_db(transaction=True)
def test_a_connection_lost_during_commit_says_the_outcome_is_uncertain(demo):
    client = _client("clerk_police")
    address = reverse("report_entry", args=["police", "police_monthly", 2023, 8])
    data = {"v_anti_fraud.cases": "12", "version": "0", "action": "save"}
    lost = OperationalError("server closed the connection unexpectedly")
    with mock.patch.object(BaseDatabaseWrapper, "_commit", side_effect=lost):
        response = client.post(address, data)
    page = response.content.decode()
    assert response.status_code == 503
    assert "没有保存任何内容" not in page
    assert "无法确定本次操作是否已经保存" in page
    assert f'href="{address}"' in page  # reload: the report as it now is
    # The reload shows the report's current state (here: the COMMIT did not happen).
    current = client.get(address)
    assert current.status_code == 200
    report = MonthlyReport.objects.filter(department__code="police", month__year=2023, month__month=8).first()
    assert report is None or report.version == 0
    assert not DataValue.objects.filter(department__code="police", month__year=2023, month__month=8).exists()


def test_a_database_that_cannot_be_reached_still_says_nothing_was_saved(demo):
    client = _client()
    with mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=OperationalError("could not connect")):
        page = client.get(reverse("home")).content.decode()
    assert "没有保存任何内容" in page and "无法确定" not in page


# --- ZHENGFA_ENV ------------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["Production", "PRODUCTION", " production "])
def test_production_checks_apply_whatever_the_case_of_zhengfa_env(spelling):
    env = {**PRODUCTION, "ZHENGFA_ENV": spelling, "DEBUG": "true", "SECRET_KEY": secrets.token_urlsafe(64)}
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "DEBUG" in result.stderr
