"""The access matrix: what every role gets from every URL of the project, on GET and on POST.

Every named URL pattern outside the admin must have a row in ACCESS below, and
every pattern with arguments an entry in URL_KWARGS (real demo objects, so that
"own department" and "other department" mean something). A new view without a
row makes test_every_url_has_an_access_expectation fail, saying what to add.

Roles (columns, in this order):
    anon      not signed in
    clerk_a   clerk_police, the clerk of department A (the objects' department)
    clerk_b   clerk_court, the clerk of department B (someone else's objects)
    reviewer  审核员
    leader    领导
    admin     管理员 (staff and superuser: the only role allowed into /admin/)

Outcomes (what the response means, not its exact status):
    OK      the view did its work: 2xx, or a redirect elsewhere than the login page
    BAD     400: refused as bad input with a message (e.g. a department the clerk may not choose)
    LOGIN   redirected to the login page
    DENIED  403 or 404: forbidden, or hidden as if absent
    NOPE    405: the method is not accepted (checked before permissions)
    UNAUTH  401: the JSON API without credentials (no login redirect for machines)

POSTs are sent with no data and without CSRF enforcement (CSRF is tested on its
own); each request runs in its own rolled-back savepoint, so an allowed POST that
changes something does not affect the next cell.
"""

import os
import re
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from metrics.assignments import indicators_for, reporters_of
from metrics.models import Department, Indicator
from reports.models import User
from reports.reporting.models import MonthlyReport
from tests.factories import department_form

ROLES = ("anon", "clerk_a", "clerk_b", "reviewer", "leader", "admin")
USERNAMES = {
    "clerk_a": "clerk_police",
    "clerk_b": "clerk_court",
    "reviewer": "reviewer",
    "leader": "leader",
    "admin": "admin",
}
DEPARTMENT_A, DEPARTMENT_B = "police", "court"

OK, BAD, LOGIN, DENIED, NOPE, UNAUTH = "OK", "BAD", "LOGIN", "DENIED", "NOPE", "UNAUTH"

# Shorthands for common rows (anon, clerk_a, clerk_b, reviewer, leader, admin).
EVERYONE = (LOGIN, OK, OK, OK, OK, OK)
READERS = (LOGIN, DENIED, DENIED, OK, OK, OK)  # the committee: reviewer, leader, admin
REVIEWERS = (LOGIN, DENIED, DENIED, OK, DENIED, OK)  # reviewer and admin
OWN_DEPARTMENT = (LOGIN, OK, DENIED, OK, OK, OK)  # clerk of A yes, clerk of B no, committee yes
OWN_DEPARTMENT_CHOICE = (LOGIN, OK, BAD, OK, OK, OK)  # the same where B's choice is a 400 form error
NOT_ALLOWED = (LOGIN, NOPE, NOPE, NOPE, NOPE, NOPE)
IMPORTERS_OF_A = (LOGIN, OK, DENIED, OK, DENIED, OK)  # A's clerk, reviewers, admin; not B's clerk nor leaders

# url name -> {"GET": row, "POST": row}; a row lists the outcome per role in ROLES order.
ACCESS = {
    "home": {"GET": EVERYONE, "POST": EVERYONE},
    # The login page is public; signed-in users are sent on to the home page.
    "login": {"GET": (OK,) * 6, "POST": (OK,) * 6},
    # Logout only by POST (a link cannot sign anyone out); it lands on the login page.
    "logout": {"GET": NOT_ALLOWED, "POST": (LOGIN,) * 6},
    "dashboard": {"GET": READERS, "POST": READERS},
    # Tables asked for department A (QUERY): clerk B's department choice holds only their own,
    # so the request is refused as bad input with the filter's message, and no figure is shown.
    # (POST renders the same table as GET: it reads nothing from the body.)
    "summary_table": {"GET": OWN_DEPARTMENT_CHOICE, "POST": OWN_DEPARTMENT_CHOICE},
    "breakdown_table": {"GET": OWN_DEPARTMENT_CHOICE, "POST": OWN_DEPARTMENT_CHOICE},
    "monthly_table": {"GET": OWN_DEPARTMENT_CHOICE, "POST": OWN_DEPARTMENT_CHOICE},
    # JSON API asked for department A: 401 instead of a login redirect, 403 for clerk B; GET only.
    "api_summary": {"GET": (UNAUTH, OK, DENIED, OK, OK, OK), "POST": (NOPE,) * 6},
    # Monthly reporting (department A's latest report, submitted in the demo). A clerk's month list;
    # the committee is sent on to the completeness grid.
    "entry_list": {"GET": EVERYONE, "POST": EVERYONE},
    # Clerk B gets 404 for A's report, as if it did not exist. Only A's clerk (and the administrator)
    # may save figures; reviewers and leaders read. (A's POST passes the check and is then told the
    # submitted report is locked.)
    "report_entry": {"GET": OWN_DEPARTMENT, "POST": (LOGIN, OK, DENIED, DENIED, DENIED, OK)},
    "report_history": {"GET": OWN_DEPARTMENT, "POST": OWN_DEPARTMENT},
    # Approve/return/reopen: reviewers and administrators only, by POST.
    "report_review": {"GET": NOT_ALLOWED, "POST": REVIEWERS},
    # The queue and the grid: the committee (leaders read them; only reviewers act).
    "review_queue": {"GET": READERS, "POST": READERS},
    "completeness": {"GET": READERS, "POST": READERS},
    # Imports (department A's workbook and A's uploaded batch): clerks for their own department,
    # reviewers and administrators for any; leaders do not import. An empty upload is a 400.
    "import_home": {"GET": (LOGIN, OK, OK, OK, DENIED, OK), "POST": (LOGIN, OK, OK, OK, DENIED, OK)},
    "import_template": {"GET": IMPORTERS_OF_A, "POST": IMPORTERS_OF_A},
    "import_upload": {"GET": NOT_ALLOWED, "POST": (LOGIN, BAD, BAD, BAD, DENIED, BAD)},
    "import_preview": {"GET": IMPORTERS_OF_A, "POST": IMPORTERS_OF_A},
    "import_commit": {"GET": NOT_ALLOWED, "POST": IMPORTERS_OF_A},
    # 上报 of the months a batch wrote (the workflow then decides each month); an empty POST changes nothing.
    "import_submit": {"GET": NOT_ALLOWED, "POST": IMPORTERS_OF_A},
    # Each user's own notifications.
    "notification_list": {"GET": EVERYONE, "POST": EVERYONE},
    # Health for a monitor: no login, read-only (no broker in the tests: every check ok or off).
    "healthz": {"GET": (OK,) * 6, "POST": (NOPE,) * 6},
    "task_status": {"GET": REVIEWERS, "POST": NOT_ALLOWED},
    "notification_mark_read": {"GET": NOT_ALLOWED, "POST": EVERYONE},
    # Half-year summary: the committee reads, reviewers and admins edit and export.
    "summary_documents": {"GET": READERS, "POST": (LOGIN, NOPE, NOPE, NOPE, NOPE, NOPE)},
    "summary_new": {"GET": NOT_ALLOWED, "POST": REVIEWERS},
    "summary_preview": {"GET": READERS, "POST": NOT_ALLOWED},
    # An empty edit is refused as bad input (400) once past the permission check.
    "summary_edit": {"GET": REVIEWERS, "POST": (LOGIN, DENIED, DENIED, BAD, DENIED, BAD)},
    "summary_restore": {"GET": NOT_ALLOWED, "POST": REVIEWERS},
    "summary_export": {"GET": NOT_ALLOWED, "POST": REVIEWERS},
    "summary_exports_json": {"GET": READERS, "POST": NOT_ALLOWED},
    "summary_download": {"GET": READERS, "POST": NOT_ALLOWED},
    "summary_retry": {"GET": NOT_ALLOWED, "POST": REVIEWERS},
}


@dataclass
class World:
    """Real demo objects the URLs point at: department A's, unless the name says otherwise."""

    department_a: Department
    department_b: Department
    indicator_a: Indicator
    report_a: MonthlyReport | None
    summary_period: str
    summary_export_pk: int
    failed_export_pk: int
    summary_version: int
    import_batch_pk: int


def _world():
    from reports.summary import services as summary_services
    from reports.summary.models import ExportState, SummaryExport, SummaryTemplate

    department_a = Department.objects.get(code=DEPARTMENT_A)
    template = SummaryTemplate.objects.order_by("period").first()
    admin_user = User.objects.get(username="admin")
    # A finished export with its file (download), and a failed one (retry).
    done = summary_services.request_export(period=template.period, format="docx", user=admin_user)
    done.file.save("matrix.docx", ContentFile(b"PK test"), save=False)
    SummaryExport.objects.filter(pk=done.pk).update(state=ExportState.DONE, file=done.file.name, progress=100)
    failed = summary_services.request_export(period=template.period, format="pdf", user=admin_user)
    SummaryExport.objects.filter(pk=failed.pk).update(state=ExportState.FAILED, error="test")
    # An uploaded (not yet committed) entry workbook of department A, by A's clerk.
    from reports.imports import services as import_services

    batch, _plan = import_services.upload_workbook(
        user=User.objects.get(username=USERNAMES["clerk_a"]),
        filename="matrix.xlsx",
        data=import_services.template_for(department=department_a, form=department_form(department_a), year=2023),
    )
    return World(
        import_batch_pk=batch.pk,
        department_a=department_a,
        department_b=Department.objects.get(code=DEPARTMENT_B),
        indicator_a=min(indicators_for(department_a), key=lambda i: i.order),
        report_a=MonthlyReport.objects.filter(department=department_a).order_by("-month").first(),
        summary_period=template.period,
        summary_export_pk=done.pk,
        failed_export_pk=failed.pk,
        summary_version=template.version,
    )


# url name -> the URL's arguments, built from the World.
URL_KWARGS = {
    "breakdown_table": lambda w: {"code": w.indicator_a.code},
    "monthly_table": lambda w: {"code": w.indicator_a.code},
    "summary_preview": lambda w: {"period": w.summary_period},
    "summary_edit": lambda w: {"period": w.summary_period},
    "summary_restore": lambda w: {"period": w.summary_period, "number": w.summary_version},
    "summary_export": lambda w: {"period": w.summary_period},
    "summary_exports_json": lambda w: {"period": w.summary_period},
    "summary_download": lambda w: {"pk": w.summary_export_pk},
    "summary_retry": lambda w: {"pk": w.failed_export_pk},
}


def _report_kwargs(world):
    month = world.report_a.month
    return {
        "department": world.department_a.code,
        "form": world.report_a.form.code,
        "year": month.year,
        "month": month.month,
    }


URL_KWARGS.update(
    {
        "report_entry": _report_kwargs,
        "report_review": _report_kwargs,
        "report_history": _report_kwargs,
        "import_preview": lambda w: {"pk": w.import_batch_pk},
        "import_commit": lambda w: {"pk": w.import_batch_pk},
        "import_submit": lambda w: {"pk": w.import_batch_pk},
    }
)

# Query strings: the figure views asked for department A's figures.
QUERY = {
    "api_summary": f"?period=2023H1&department={DEPARTMENT_A}",
    "summary_table": f"?period=2023H1&department={DEPARTMENT_A}",
    "breakdown_table": f"?period=2023H1&department={DEPARTMENT_A}",
    "monthly_table": f"?period=2023H1&department={DEPARTMENT_A}",
    "import_template": f"?department={DEPARTMENT_A}&year=2023",
}


def _patterns(resolver=None, namespace=""):
    """(url name with namespace, pattern) for every URL pattern outside the admin."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern, inner)
        elif isinstance(pattern, URLPattern):
            yield (f"{namespace}{pattern.name}" if pattern.name else None), pattern


def _url_names():
    return {name for name, _pattern in _patterns()}


def test_every_url_has_an_access_expectation():
    """Each named URL (admin aside) has a row in ACCESS and, if it takes arguments, URL_KWARGS."""
    unnamed = [str(pattern.pattern) for name, pattern in _patterns() if name is None]
    assert not unnamed, f"URL patterns without a name cannot be checked: give them name=...: {unnamed}"
    names = _url_names()
    missing = sorted(names - set(ACCESS))
    assert not missing, (
        f"New view(s) without an access expectation: {missing}. Add a row for each to ACCESS in "
        f"{__file__}: decide what anon, clerk of department A, clerk of department B, reviewer, leader "
        "and admin SHOULD get on GET and POST (OK/LOGIN/DENIED/NOPE/UNAUTH), and add URL_KWARGS with "
        "department A's objects if the URL takes arguments. Run with ACCESS_MATRIX_SHOW=1 to see what "
        "the view does now."
    )
    stale = sorted(set(ACCESS) - names)
    assert not stale, f"ACCESS has rows for URLs that no longer exist: {stale}; remove them."
    needs_kwargs = sorted(
        name for name, pattern in _patterns() if pattern.pattern.regex.groupindex and name not in URL_KWARGS
    )
    assert not needs_kwargs, f"URLs with arguments but no URL_KWARGS entry (use department A's objects): {needs_kwargs}"


def _outcome(response):
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        location = response["Location"]
        return LOGIN if location.split("?")[0].rstrip("/").endswith(reverse("login").rstrip("/")) else OK
    if status == 401:
        return UNAUTH
    if status in (403, 404):
        return DENIED
    if status == 405:
        return NOPE
    if status == 400:
        return BAD
    if 200 <= status < 300:
        return OK
    return f"HTTP {status}"


def _client(role):
    """A fresh client per request: an earlier POST (logout) must not change the next cell."""
    client = Client(raise_request_exception=False)
    if role != "anon":
        client.force_login(User.objects.get(username=USERNAMES[role]))
    return client


def _request(role, method, url):
    client = _client(role)
    with transaction.atomic():
        response = client.get(url) if method == "GET" else client.post(url, {})
        transaction.set_rollback(True)
    return response


@pytest.fixture
def world(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return _world()


def _url(url_name, world):
    kwargs = URL_KWARGS[url_name](world) if url_name in URL_KWARGS else {}
    return reverse(url_name, kwargs=kwargs) + QUERY.get(url_name, "")


def _observe(url_name, world):
    url = _url(url_name, world)
    observed = {}
    for method in ("GET", "POST"):
        observed[method] = tuple(_outcome(_request(role, method, url)) for role in ROLES)
    return url, observed


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", sorted(ACCESS))
def test_access_matrix(url_name, world):
    """Each role gets exactly the expected outcome from the URL, on GET and on POST."""
    if url_name not in _url_names():
        pytest.fail(f"{url_name} is in ACCESS but not a URL any more; remove its row.")
    url, observed = _observe(url_name, world)
    problems = []
    for method, row in ACCESS[url_name].items():
        for role, expected, got in zip(ROLES, row, observed[method], strict=True):
            if expected != got:
                problems.append(f"{method} {url} as {role}: expected {expected}, got {got}")
    assert not problems, "\n".join(problems)


@pytest.mark.skipif(not os.environ.get("ACCESS_MATRIX_SHOW"), reason="ACCESS_MATRIX_SHOW=1 prints what views do now")
@pytest.mark.django_db
def test_show_current_behaviour(world, capsys):
    """A developer's aid: prints every URL's observed row (judge each cell before copying it into ACCESS)."""
    lines = []
    for url_name in sorted(_url_names()):
        if url_name in URL_KWARGS or not any(p.pattern.regex.groupindex for n, p in _patterns() if n == url_name):
            url, observed = _observe(url_name, world)
            lines.append(f'    "{url_name}": {{"GET": {observed["GET"]}, "POST": {observed["POST"]}}},  # {url}')
        else:
            lines.append(f"    # {url_name}: add URL_KWARGS first")
    with capsys.disabled():
        print("\n" + "\n".join(lines))


# --- the admin --------------------------------------------------------------


def _admin_urls():
    yield reverse("admin:index")
    for model in admin.site._registry:
        opts = model._meta
        yield reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")


@pytest.mark.django_db
def test_admin_is_for_administrators_only(demo):
    """/admin/ and every registered model's list: only the administrator gets in; everyone
    else is sent to a login page (Django's staff check guards every admin URL alike)."""
    urls = list(_admin_urls())
    assert len(urls) > 5
    admin_login = reverse("admin:login")
    problems = []
    for url in urls:
        for role in ROLES:
            for method in ("GET", "POST"):
                response = _request(role, method, url)
                if role == "admin":
                    ok = response.status_code in (200, 302) and not response.get("Location", "").startswith(admin_login)
                else:
                    ok = response.status_code == 302 and response["Location"].startswith(
                        (admin_login, reverse("login"))
                    )
                if not ok:
                    problems.append(f"{method} {url} as {role}: {response.status_code} {response.get('Location', '')}")
    assert not problems, "\n".join(problems)


def test_only_the_administrator_is_staff(demo):
    """Reviewers, leaders and clerks never pass the admin's staff check."""
    staff = set(User.objects.filter(is_staff=True).values_list("role", flat=True))
    assert staff <= {"admin"}


def test_no_view_is_exempt_from_csrf():
    """No view opts out of CSRF protection (the API reads only, so it needs no exemption)."""
    exempt = [name for name, pattern in _patterns() if getattr(pattern.callback, "csrf_exempt", False)]
    assert not exempt, f"csrf_exempt views: {exempt}"


def test_matrix_objects_belong_to_department_a(world):
    """The URLs' objects are department A's, so clerk_b's column really is 'another department'."""
    assert world.department_a in reporters_of(world.indicator_a)
    assert User.objects.get(username=USERNAMES["clerk_a"]).department == world.department_a
    assert User.objects.get(username=USERNAMES["clerk_b"]).department == world.department_b
    if world.report_a is not None:
        assert world.report_a.department == world.department_a
    assert re.fullmatch(r"\d{4}H[12]", world.summary_period)
