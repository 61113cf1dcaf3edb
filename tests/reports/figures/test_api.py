"""GET /api/v1/summary and `manage.py summary`: the report's figures, errors, tokens and permissions."""

import csv
import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from metrics.models import DataValue, Status
from reports.figures.models import ApiToken
from reports.figures.tokens import create_api_token, hash_token
from tests.factories import grow_catalogue

pytestmark = pytest.mark.django_db

URL = "/api/v1/summary"


def by_code(payload):
    return {i["code"]: i for i in payload["indicators"]}


@pytest.fixture
def reviewer_client(client, login_as):
    login_as("reviewer")
    return client


# --- the figures of the 2023 half-year report ---------------------------------------------------


def test_url_name_resolves():
    assert reverse("api_summary") == URL


def test_api_reproduces_the_report_for_2023h1(reviewer_client):
    response = reviewer_client.get(URL, {"period": "2023H1"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    payload = response.json()
    assert payload["period"] == {
        "code": "2023H1",
        "label": "2023年上半年",
        "first": "2023-01",
        "last": "2023-06",
        "through": "2023-06",
        "complete": True,
    }
    assert payload["previous_period"]["code"] == "2022H1"
    assert payload["scope"] == {"department": None, "name": "全县", "include_children": False}
    assert payload["include_submitted"] is False
    figures = by_code(payload)
    cases = figures["anti_fraud.cases"]
    assert (cases["value"], cases["yoy_pct"], cases["unit"], cases["kind"]) == (127, -11.81, "件", "flow")
    assert set(cases) >= {"code", "name", "area", "unit", "kind", "value", "previous", "yoy_pct"}
    assert set(cases) >= {"target", "completion_pct", "missing", "change"}
    assert figures["anti_fraud.losses"]["value"] == 1043.5
    assert figures["anti_fraud.losses"]["yoy_pct"] == -10.96
    # The report gives these two to one decimal; the API gives two.
    assert round(figures["enforcement.conclusion_rate"]["value"], 1) == 93.6
    assert round(figures["anti_fraud.myanmar_reduction_rate"]["value"], 1) == 88.1
    assert figures["anti_fraud.app_registration_rate"]["value"] == 49.39
    assert figures["traffic.hazard_fix_rate"]["value"] == 44.86
    backlog = figures["stability.petition_backlog_resolved"]
    assert (backlog["value"], backlog["target"], backlog["completion_pct"]) == (4, 10, 40)


def test_numbers_are_json_numbers_and_blanks_are_null(reviewer_client):
    text = reviewer_client.get(URL, {"period": "2023H1"}).content.decode()
    assert '"value": 127,' in text and '"yoy_pct": -11.81,' in text
    figures = by_code(json.loads(text))
    blank = figures["leadership.major_matter_filings"]
    assert blank["missing"] is True
    assert blank["value"] is None and blank["yoy_pct"] is None and blank["change"] is None
    assert figures["anti_fraud.cases"]["missing"] is False
    for figure in figures.values():
        for key in ("value", "previous", "change", "yoy_pct", "target", "completion_pct"):
            assert figure[key] is None or isinstance(figure[key], int | float), (figure["code"], key)


def test_each_figure_says_its_direction_and_whether_that_is_good(reviewer_client):
    figures = by_code(reviewer_client.get(URL, {"period": "2023H1"}).json())
    cases = figures["anti_fraud.cases"]  # fewer cases is better
    assert (cases["direction"], cases["is_good"]) == ("down", True)
    blank = figures["leadership.major_matter_filings"]
    assert (blank["direction"], blank["is_good"]) == (None, None)


def test_a_change_that_rounds_to_nothing_is_flat_and_neutral_in_the_api(reviewer_client, nearly_flat_cases):
    cases = by_code(reviewer_client.get(URL, {"period": "2023H1"}).json())[nearly_flat_cases]
    assert (cases["value"], cases["previous"], cases["yoy_pct"]) == (100001, 100000, 0)
    assert cases["direction"] == "flat" and cases["is_good"] is None


def test_percentages_have_no_yoy_pct_but_a_change_in_points(reviewer_client):
    rate = by_code(reviewer_client.get(URL, {"period": "2023H1"}).json())["enforcement.conclusion_rate"]
    assert rate["yoy_pct"] is None
    assert rate["change"] == round(rate["value"] - rate["previous"], 2)


def test_department_scope_lists_the_departments_indicators(reviewer_client):
    payload = reviewer_client.get(URL, {"period": "2023H1", "department": "police"}).json()
    assert payload["scope"]["department"] == "police"
    assert payload["scope"]["name"] == "县公安局"
    figures = by_code(payload)
    assert figures["anti_fraud.cases"]["value"] == 127
    assert "stability.petition_backlog_resolved" not in figures


def test_area_filter(reviewer_client):
    payload = reviewer_client.get(URL, {"period": "2023H1", "area": "anti_fraud"}).json()
    assert {i["area"] for i in payload["indicators"]} == {"anti_fraud"}


# --- bad requests -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params,needle",
    [
        ({"period": "2023H3"}, "无法识别的期间"),
        ({"period": "2023-13"}, "无法识别的期间"),
        ({"period": "2023-05..2023-01"}, "早于开始月份"),
        ({}, "缺少参数 period"),
        ({"period": "2023H1", "department": "nowhere"}, "没有代码为“nowhere”的单位"),
        ({"period": "2023H1", "area": "nowhere"}, "工作领域"),
    ],
)
def test_bad_parameters_are_400_with_a_chinese_message(reviewer_client, params, needle):
    response = reviewer_client.get(URL, params)
    assert response.status_code == 400
    assert needle in response.json()["error"]


def test_post_is_not_allowed(reviewer_client):
    assert reviewer_client.post(URL, {"period": "2023H1"}).status_code == 405


# --- authentication -----------------------------------------------------------------------------


def test_anonymous_gets_401_json_not_a_redirect(client, demo):
    response = client.get(URL, {"period": "2023H1"})
    assert response.status_code == 401
    assert "接口令牌" in response.json()["error"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_bearer_token_gives_machine_access(client, demo):
    from reports.models import User

    _token, raw = create_api_token(user=User.objects.get(username="leader"), name="大数据中心")
    response = client.get(URL, {"period": "2023H1"}, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert by_code(response.json())["anti_fraud.cases"]["value"] == 127
    assert ApiToken.objects.get().last_used_at is not None


def test_only_the_hash_of_a_token_is_stored(demo):
    from reports.models import User

    token, raw = create_api_token(user=User.objects.get(username="leader"), name="x")
    assert raw not in (token.key_hash, token.prefix)
    assert token.key_hash == hash_token(raw)


@pytest.mark.parametrize("header", ["Bearer wrong-token", "Basic YWRtaW46emhlbmdmYTIwMjM=", "Bearer ", "Token abc"])
def test_bad_credentials_are_401(client, demo, header):
    response = client.get(URL, {"period": "2023H1"}, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_inactive_token_or_user_is_refused(client, demo):
    from reports.models import User

    user = User.objects.get(username="leader")
    token, raw = create_api_token(user=user, name="x")
    token.active = False
    token.save()
    assert client.get(URL, {"period": "2023H1"}, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    token.active = True
    token.save()
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get(URL, {"period": "2023H1"}, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


# --- permissions --------------------------------------------------------------------------------


@pytest.fixture
def submitted_june(demo):
    """June 2023's 发生电信网络诈骗案件 submitted, not yet approved."""
    DataValue.objects.filter(indicator__code="anti_fraud.cases", month=datetime.date(2023, 6, 1)).update(
        status=Status.SUBMITTED
    )


@pytest.mark.parametrize("username,counted", [("reviewer", 127), ("admin", 127), ("leader", 109)])
def test_include_submitted_is_only_honoured_for_reviewers_and_admins(
    client, login_as, submitted_june, username, counted
):
    login_as(username)
    payload = client.get(URL, {"period": "2023H1", "include_submitted": "1"}).json()
    assert by_code(payload)["anti_fraud.cases"]["value"] == counted
    assert payload["include_submitted"] is (username != "leader")


def test_approved_only_by_default(reviewer_client, submitted_june):
    assert by_code(reviewer_client.get(URL, {"period": "2023H1"}).json())["anti_fraud.cases"]["value"] == 109


def test_clerk_sees_own_department_by_default(client, login_as):
    login_as("clerk_police")
    payload = client.get(URL, {"period": "2023H1"}).json()
    assert payload["scope"]["department"] == "police"
    assert by_code(payload)["anti_fraud.cases"]["value"] == 127


def test_clerk_may_not_ask_for_another_department_or_the_county(client, login_as):
    login_as("clerk_police")
    response = client.get(URL, {"period": "2023H1", "department": "court"})
    assert response.status_code == 403
    assert "本单位" in response.json()["error"]


def test_clerk_token_is_held_to_the_clerks_department(client, demo):
    from reports.models import User

    _token, raw = create_api_token(user=User.objects.get(username="clerk_court"), name="x")
    response = client.get(URL, {"period": "2023H1", "department": "police"}, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 403


# --- query count --------------------------------------------------------------------------------


def test_api_query_count_does_not_grow_with_the_catalogue(reviewer_client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        reviewer_client.get(URL, {"period": "2023H1"})
    grow_catalogue()
    with django_assert_max_num_queries(len(before)):
        response = reviewer_client.get(URL, {"period": "2023H1"})
    assert len(response.json()["indicators"]) > 126


# --- the command --------------------------------------------------------------------------------


def run(*args):
    out = io.StringIO()
    call_command("summary", *args, stdout=out)
    return out.getvalue()


def test_command_prints_the_apis_json(demo):
    payload = json.loads(run("--period", "2023H1"))
    figures = by_code(payload)
    assert figures["anti_fraud.cases"]["yoy_pct"] == -11.81
    assert figures["anti_fraud.losses"]["value"] == 1043.5
    assert figures["leadership.major_matter_filings"]["value"] is None


def test_command_csv(demo):
    rows = list(csv.DictReader(io.StringIO(run("--period", "2023H1", "--format", "csv"))))
    figures = {r["code"]: r for r in rows}
    assert figures["anti_fraud.cases"]["value"] == "127"
    assert figures["anti_fraud.cases"]["yoy_pct"] == "-11.81"
    assert figures["enforcement.conclusion_rate"]["value"] == "93.6"
    assert figures["leadership.major_matter_filings"]["value"] == ""
    assert figures["leadership.major_matter_filings"]["missing"] == "true"


def test_command_department_and_include_submitted(submitted_june):
    figures = by_code(json.loads(run("--period", "2023H1", "--department", "police", "--include-submitted")))
    assert figures["anti_fraud.cases"]["value"] == 127
    figures = by_code(json.loads(run("--period", "2023H1", "--department", "police")))
    assert figures["anti_fraud.cases"]["value"] == 109


@pytest.mark.parametrize(
    "args,needle",
    [
        (["--period", "2023H3"], "无法识别的期间"),
        (["--period", "2023H1", "--department", "nowhere"], "没有代码为“nowhere”的单位"),
        (["--period", " "], "--period"),
    ],
)
def test_command_errors(demo, args, needle):
    with pytest.raises(CommandError, match=needle):
        run(*args)


def test_command_exit_code_is_non_zero(demo):
    import subprocess
    import sys
    from pathlib import Path

    manage = Path(__file__).resolve().parents[3] / "manage.py"
    result = subprocess.run(
        [sys.executable, str(manage), "summary", "--period", "2023H9"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "无法识别的期间" in result.stderr


def test_answers_are_not_cached(reviewer_client):
    assert "no-store" in reviewer_client.get(URL, {"period": "2023H1"})["Cache-Control"]


def test_admin_creates_a_token_and_shows_it_once(client, login_as):
    from reports.models import User

    login_as("admin")
    leader = User.objects.get(username="leader")
    response = client.post(
        reverse("admin:reports_apitoken_add"), {"name": "大数据中心", "user": leader.pk, "active": "on"}, follow=True
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(name="大数据中心")
    raw = next(m.message for m in response.context["messages"]).split("：", 1)[1].split(" ", 1)[0]
    assert raw.startswith(token.prefix) and token.key_hash == hash_token(raw)
    assert raw not in client.get(reverse("admin:reports_apitoken_change", args=[token.pk])).content.decode()
    client.logout()
    assert client.get(URL, {"period": "2023H1"}, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
