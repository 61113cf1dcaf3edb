"""Hostile values to every parameter of every URL, as every role: never a 5xx, always Chinese, nothing changed.

The URLs come from the URL resolver and the access matrix's tables (ACCESS, URL_KWARGS,
QUERY in test_access_matrix): a new URL pattern without a row in FIELDS below makes
test_every_url_has_fuzz_fields fail. FIELDS names what each view reads besides its
address: query parameters (GET) and form fields (POST), each with a kind:

    CODE   a code, number, period, month, id, action...: any hostile value is invalid
    TEXT   free text (a note, a title): printable text is valid, so hostile means a
           control character in it, or a length no field accepts
    FILE   an uploaded file (hostile name and bytes)

Each request carries the view's valid BASE data with one value replaced by a hostile one
(or one address argument replaced), runs in a rolled-back savepoint, and must:
answer below 500; say why in Chinese when it refuses (4xx page, or a queued message);
answer JSON from the API; and change no row of the domain tables (FINGERPRINT).
"""

import json
import re
from urllib.parse import quote, urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.models import DataValue, Department, Indicator
from reports.imports.models import ImportBatch
from reports.notifications.models import Notification
from reports.reporting.models import MonthlyReport, ReportEvent
from reports.summary.models import SummaryExport, SummaryTemplate, SummaryTemplateVersion
from tests.zhengfa.test_access_matrix import (
    ACCESS,
    QUERY,
    ROLES,
    URL_KWARGS,
    _client,
    _patterns,
    _url_names,
)
from tests.zhengfa.test_access_matrix import world as matrix_world

world = matrix_world  # the access matrix's objects (department A's), as a fixture of this module too

CODE, TEXT, FILE = "code", "text", "file"

# Query parameters of the figure views (the filter form and the export switch).
_FIGURES = {"period": CODE, "department": CODE, "area": CODE, "include_submitted": CODE, "export": CODE}

# url name -> {"GET": {param: kind}, "POST": {field: kind}}: what the view reads besides its address.
FIELDS = {
    "home": {},
    "login": {"GET": {"next": CODE}, "POST": {"username": CODE, "password": CODE}},
    "logout": {},
    "dashboard": {"GET": {"period": CODE, "from": CODE, "to": CODE, "department": CODE, "include_submitted": CODE}},
    "summary_table": {"GET": {**_FIGURES, "sort": CODE, "page": CODE}},
    "breakdown_table": {"GET": {**_FIGURES, "sort": CODE, "page": CODE}},
    "monthly_table": {"GET": {**_FIGURES, "sort": CODE, "page": CODE}},
    "api_summary": {"GET": {"period": CODE, "department": CODE, "area": CODE, "include_submitted": CODE}},
    "entry_list": {"GET": {"month": CODE, "form": CODE}},
    "report_entry": {
        "POST": {"action": CODE, "version": CODE, "v_anti_fraud.cases": CODE, "n_anti_fraud.cases": TEXT},
    },
    "report_review": {"POST": {"action": CODE, "version": CODE, "reason": TEXT}},
    "report_history": {},
    "review_queue": {"GET": {"late": CODE}},
    "review_bulk_approve": {"POST": {"report": CODE, "next": CODE}},
    "report_chase": {"POST": {"month": CODE, "form": CODE, "department": CODE, "next": CODE}},
    "report_value_comment": {"POST": {"indicator": CODE, "text": TEXT, "follow_up": CODE, "next": CODE}},
    "completeness": {"GET": {"start": CODE, "end": CODE}},
    "import_home": {},
    "import_template": {"GET": {"department": CODE, "form": CODE, "year": CODE}},
    "import_upload": {"POST": {"file": FILE}},
    "import_preview": {},
    "import_commit": {"POST": {"fingerprint": CODE}},
    "import_submit": {"POST": {"month": CODE, "every": CODE, "confirm_blanks": CODE}},
    "notification_list": {"GET": {"page": CODE}},
    "notification_mark_read": {"POST": {"id": CODE, "next": CODE}},
    "summary_documents": {},
    "summary_new": {"POST": {"period": CODE, "base": CODE}},
    "summary_preview": {},
    "summary_edit": {
        "POST": {"title": TEXT, "body": TEXT, "signatory": TEXT, "dated": TEXT, "note": TEXT},
    },
    "summary_restore": {},
    "summary_export": {"POST": {"format": CODE}},
    "summary_exports_json": {},
    "summary_download": {},
    "summary_retry": {},
    "healthz": {},
    "task_status": {},
}


def _report_base(world):
    report = world.report_a
    return {"action": "save", "version": str(report.version), "v_anti_fraud.cases": "1", "n_anti_fraud.cases": ""}


def _edit_base(world):
    template = SummaryTemplate.objects.get(period=world.summary_period)
    return {
        "title": template.title,
        "body": template.body,
        "signatory": template.signatory,
        "dated": template.dated,
        "note": "",
    }


# url name -> the valid POST data a hostile value replaces one field of (built from the World).
BASE = {
    "login": lambda w: {"username": "admin", "password": "wrong"},
    "report_entry": _report_base,
    "report_review": lambda w: {"action": "return", "reason": "请补充说明", "version": str(w.report_a.version)},
    "summary_new": lambda w: {"period": "2031H1", "base": str(SummaryTemplate.objects.get(period=w.summary_period).pk)},
    "summary_edit": _edit_base,
    "summary_export": lambda w: {"format": "docx"},
    "report_value_comment": lambda w: {"indicator": "anti_fraud.cases", "text": "请核实此数"},
    # An id no one has: marking it changes nothing, so a hostile `next` is all that is judged.
    "notification_mark_read": lambda w: {"id": str((Notification.objects.aggregate(top=Max("pk"))["top"] or 0) + 1000)},
}

# Controls a person never types (line breaks and tabs are text).
CONTROLS = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x1b", "\x7f", "\x85"]
HUGE = ["x" * 100_000, "中" * 10_001, "9" * 5_000]
HOSTILE_CODES = [
    "\x00",
    "police\x00",
    "2023H1\x00",
    "²",
    "١٢",
    "２０２３",
    "-1",
    "0",
    "1",
    "13",
    "9999",
    "99999999999",
    "1e309",
    "1E400",
    "NaN",
    "inf",
    "-inf",
    "0001-01",
    "0000-01",
    "1899-06",
    "9999-12",
    "99999999999-01",
    "1H1",
    "99999999999H1",
    "abc",
    " ",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "%00",
    "' OR 1=1 --",
    "\u202e",
    "\ufeff",
    *HUGE,
]
HOSTILE_TEXTS = [*CONTROLS, "含\x00空字符", "\x1b[31m红字", "行\x0b行", *HUGE]

# Out-of-range numbers: negative, or larger than any version, year, page or primary key here.
_numbers = st.one_of(st.integers(max_value=-1), st.integers(min_value=10**6)).map(str)
# Text of digits, marks and symbols but no ASCII digit: never a code, a version or a year.
_odd_text = st.text(
    alphabet=st.characters(codec="utf-8", categories=["Cc", "Nd", "No", "Nl", "Lo", "Zs", "P", "S"]).filter(
        lambda ch: ch not in "0123456789"
    ),
    min_size=1,
    max_size=30,
)
_codes = st.one_of(st.sampled_from(HOSTILE_CODES), _numbers, _odd_text)
_texts = st.one_of(
    st.sampled_from(HOSTILE_TEXTS),
    st.tuples(st.text(max_size=20), st.sampled_from(CONTROLS), st.text(max_size=20)).map("".join),
)
STRATEGIES = {CODE: _codes, TEXT: _texts, FILE: _codes}

# The address arguments: every value is out of range or not of the argument's shape.
_ADDRESS_VALUES = st.one_of(st.sampled_from([v for v in HOSTILE_CODES if len(v) < 300]), _numbers, _odd_text)

CJK = re.compile("[\u4e00-\u9fff]")


def _fingerprint():
    """Cheap aggregates that move whenever a domain row is added, removed or changed by the product."""
    return (
        DataValue.objects.aggregate(n=Count("pk"), top=Max("pk")),
        DataValue.history.count(),
        MonthlyReport.objects.aggregate(n=Count("pk"), v=Sum("version"), top=Max("pk")),
        ReportEvent.objects.count(),
        SummaryTemplate.objects.aggregate(n=Count("pk"), v=Sum("version")),
        SummaryTemplateVersion.objects.count(),
        SummaryExport.objects.aggregate(n=Count("pk"), top=Max("pk")),
        sorted(SummaryExport.objects.values_list("pk", "state")),
        ImportBatch.objects.aggregate(n=Count("pk"), top=Max("pk")),
        sorted(ImportBatch.objects.values_list("pk", "committed_at")),
        Notification.objects.unread().count(),
        Department.objects.count(),
        Indicator.objects.count(),
    )


def _address(url_name, world, argument, value):
    """The URL of `url_name` for department A's objects with `argument` replaced by `value` (quoted)."""
    kwargs = URL_KWARGS[url_name](world)
    path = reverse(url_name, kwargs=kwargs)
    old = f"/{quote(str(kwargs[argument]))}/"
    assert old in path, (path, old)
    return path.replace(old, f"/{quote(value, safe='')}/", 1)


def _query(url_name):
    return dict(pair.split("=", 1) for pair in QUERY.get(url_name, "?").lstrip("?").split("&") if pair)


def _targets(url_name):
    """(method, where, name, kind) for everything of the URL a hostile value can go into."""
    targets = []
    arguments = {a for n, p in _patterns() if n == url_name for a in p.pattern.regex.groupindex}
    for method, row in ACCESS[url_name].items():
        if all(outcome == "NOPE" for outcome in row[1:]):
            continue  # the method is refused before anything is read
        targets += [(method, "address", argument, CODE) for argument in sorted(arguments)]
        targets += [(method, "field", name, kind) for name, kind in FIELDS[url_name].get(method, {}).items()]
        if method == "GET":
            targets += [
                ("GET", "field", name, CODE) for name in _query(url_name) if name not in FIELDS[url_name].get("GET", {})
            ]
    return targets


def _send(role, method, url_name, world, where, name, kind, value):
    client = _client(role)
    url = _url(url_name, world)
    data = _query(url_name) if method == "GET" else (BASE[url_name](world) if url_name in BASE else {})
    if where == "address":
        url = _address(url_name, world, name, value)
    elif kind == FILE:
        data[name] = SimpleUploadedFile((value[:250] or "x") + ".xlsx", value.encode("utf-8", "surrogatepass"))
    else:
        data[name] = value
    if method == "GET":
        return client.get(url.split("?")[0] + ("?" + urlencode(data) if data else ""))
    return client.post(url.split("?")[0], data)


def _url(url_name, world):
    kwargs = URL_KWARGS[url_name](world) if url_name in URL_KWARGS else {}
    return reverse(url_name, kwargs=kwargs)


def _check(response, url_name):
    status = response.status_code
    assert status < 500, f"HTTP {status}"
    if url_name.startswith("api_"):
        assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
        body = json.loads(response.content)
        if status >= 400:
            assert CJK.search(body.get("error", "")), body
        return
    if status >= 400:
        assert CJK.search(response.content.decode("utf-8", "replace")), "a refusal without a Chinese word"
    queued = list(getattr(getattr(response.wsgi_request, "_messages", None), "_queued_messages", []))
    for message in queued:
        assert CJK.search(str(message)), f"a message not in Chinese: {message}"


def test_every_url_has_fuzz_fields():
    """Each URL of the access matrix says what it reads (FIELDS), so that the fuzz test reaches it."""
    names = _url_names()
    missing = sorted(names - set(FIELDS))
    assert not missing, (
        f"URL(s) without fuzz coverage: {missing}. Add each to FIELDS in {__file__}: the query parameters "
        "(GET) and form fields (POST) the view reads, each CODE, TEXT or FILE ({} if it reads only its address)."
    )
    stale = sorted(set(FIELDS) - names)
    assert not stale, f"FIELDS has rows for URLs that no longer exist: {stale}; remove them."


# Examples per URL: ~30 URLs × EXAMPLES requests; the fixed HOSTILE_CODES and HOSTILE_TEXTS come first.
EXAMPLES = 15


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", sorted(FIELDS))
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_hostile_values(url_name, world, data):
    """Hostile values into each of the URL's arguments and fields, as each role."""
    targets = _targets(url_name)
    if not targets:
        pytest.skip("reads nothing but its fixed address")
    method, where, name, kind = data.draw(st.sampled_from(targets), label="target")
    strategy = _ADDRESS_VALUES if where == "address" else STRATEGIES[kind]
    value = data.draw(strategy, label="value")
    role = data.draw(st.sampled_from(ROLES), label="role")
    with transaction.atomic():
        before = _fingerprint()
        response = _send(role, method, url_name, world, where, name, kind, value)
        after = _fingerprint()
        transaction.set_rollback(True)
    _check(response, url_name)
    assert after == before, f"{method} {name}={value[:60]!r} as {role} changed rows"
