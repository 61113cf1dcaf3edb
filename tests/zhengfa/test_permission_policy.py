"""The permission policy (reports/permissions.py) is the only place that decides who may do what.

The access matrix (test_access_matrix.py) says what every role gets from every
URL; these tests pin the predicates themselves, the `may` answers templates
read, and fail when a module other than the policy compares roles or reads a
user's role flags.
"""

import ast
import inspect
import re
from pathlib import Path
from types import FunctionType

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.urls import reverse

from reports import permissions
from reports.models import Role, User

ROOT = Path(__file__).resolve().parents[2]
POLICY = "reports/permissions.py"


def _user(role, *, department_id=None, superuser=False, staff=False, active=True):
    """An unsaved user: the predicates read only its fields."""
    return User(
        username=f"u_{role}",
        role=role,
        department_id=department_id,
        is_superuser=superuser,
        is_staff=staff,
        is_active=active,
    )


USERS = {
    "anon": AnonymousUser(),
    "none": None,
    "clerk": _user(Role.CLERK, department_id=1),
    "reviewer": _user(Role.REVIEWER),
    "leader": _user(Role.LEADER),
    "admin": _user(Role.ADMIN),
    "staff_admin": _user(Role.ADMIN, staff=True),
    # A superuser is an administrator whatever their role says.
    "superuser_clerk": _user(Role.CLERK, department_id=1, superuser=True, staff=True),
    "inactive_reviewer": _user(Role.REVIEWER, active=False),
}
USER_NAMES = tuple(USERS)

# capability -> who has it, in USER_NAMES order (anon, none, clerk, reviewer, leader, admin,
# staff_admin, superuser_clerk, inactive_reviewer).
Y, N = True, False
USER_CAPABILITIES = {
    "can_see_all": (N, N, N, Y, Y, Y, Y, Y, N),
    "can_report": (N, N, Y, N, N, N, N, Y, N),
    "can_review": (N, N, N, Y, N, Y, Y, Y, N),
    "can_read_figures": (N, N, N, Y, Y, Y, Y, Y, N),  # county-wide
    "can_include_submitted": (N, N, N, Y, N, Y, Y, Y, N),
    "can_read_dashboard": (N, N, N, Y, Y, Y, Y, Y, N),
    "can_read_summary": (N, N, N, Y, Y, Y, Y, Y, N),
    "can_edit_summary": (N, N, N, Y, N, Y, Y, Y, N),
    "can_export_summary": (N, N, N, Y, N, Y, Y, Y, N),
    "can_retry_export": (N, N, N, Y, N, Y, Y, Y, N),
    "can_import": (N, N, Y, Y, N, Y, Y, Y, N),
    "can_import_historic": (N, N, N, N, N, Y, Y, Y, N),
    "can_administer": (N, N, N, N, N, N, Y, Y, N),
}

# capability -> who has it for department 1 (the clerk's), department 2 (another) and no department.
DEPARTMENT_CAPABILITIES = {
    "can_view_department": {
        1: (N, N, Y, Y, Y, Y, Y, Y, N),
        2: (N, N, N, Y, Y, Y, Y, Y, N),
        None: (N, N, N, Y, Y, Y, Y, Y, N),
    },
    "can_edit_department": {
        1: (N, N, Y, N, N, Y, Y, Y, N),
        2: (N, N, N, N, N, Y, Y, Y, N),
        None: (N, N, N, N, N, Y, Y, Y, N),
    },
    "can_read_figures": {
        1: (N, N, Y, Y, Y, Y, Y, Y, N),
        2: (N, N, N, Y, Y, Y, Y, Y, N),
    },
    "can_import_department": {
        1: (N, N, Y, Y, N, Y, Y, Y, N),
        2: (N, N, N, Y, N, Y, Y, Y, N),
    },
}


@pytest.mark.parametrize("name", sorted(USER_CAPABILITIES))
def test_user_capabilities(name):
    """Each capability about a user alone answers as the table says, for every kind of user."""
    predicate = getattr(permissions, name)
    got = tuple(predicate(USERS[u]) for u in USER_NAMES)
    wrong = [
        f"{u}: expected {e}, got {g}"
        for u, e, g in zip(USER_NAMES, USER_CAPABILITIES[name], got, strict=True)
        if e != g
    ]
    assert not wrong, f"{name}: " + "; ".join(wrong)


@pytest.mark.parametrize("name", sorted(DEPARTMENT_CAPABILITIES))
def test_department_capabilities(name):
    """Each capability about a department answers as the table says: a clerk's own department only."""
    predicate = getattr(permissions, name)
    wrong = []
    for department_id, expected in DEPARTMENT_CAPABILITIES[name].items():
        for u, e in zip(USER_NAMES, expected, strict=True):
            if predicate(USERS[u], department_id) != e:
                wrong.append(f"{u} for department {department_id}: expected {e}")
    assert not wrong, f"{name}: " + "; ".join(wrong)


def test_a_clerk_without_a_department_may_act_for_none():
    """A department-less clerk (the database forbids it, a form might not) matches no department, not None."""
    clerk = _user(Role.CLERK)
    assert not permissions.can_view_department(clerk, None)
    assert not permissions.can_edit_department(clerk, None)
    assert not permissions.can_report(clerk)
    assert not permissions.can_import(clerk)


@pytest.mark.django_db
def test_querysets_follow_the_predicates(demo):
    """The departments, reports and users the policy hands out are those its predicates allow."""
    from metrics.models import Department
    from reports.reporting.models import MonthlyReport

    clerk = User.objects.get(username="clerk_police")
    leader = User.objects.get(username="leader")
    reviewer = User.objects.get(username="reviewer")
    every = Department.objects.count()
    assert list(permissions.departments_user_may_read(clerk)) == [clerk.department]
    assert permissions.departments_user_may_read(leader).count() == every
    assert permissions.departments_user_may_read(AnonymousUser()).count() == 0
    assert list(permissions.departments_user_may_import(clerk)) == [clerk.department]
    assert permissions.departments_user_may_import(leader).count() == 0
    assert permissions.departments_user_may_import(reviewer).count() == every
    mine = MonthlyReport.objects.for_user(clerk)
    assert mine.exists() and not mine.exclude(department=clerk.department).exists()
    assert MonthlyReport.objects.for_user(leader).count() == MonthlyReport.objects.count()
    assert all(permissions.can_review(u) for u in permissions.users_who_may_review())
    assert set(permissions.users_who_may_review().values_list("username", flat=True)) == {"reviewer", "admin"}
    assert list(permissions.users_who_report_for([clerk.department])) == [clerk]
    assert all(permissions.can_import_historic(u) for u in permissions.users_who_may_import_historic())


def test_every_capability_is_documented():
    """Every public function of the policy says in its docstring what it allows."""
    public = [
        (name, f)
        for name, f in inspect.getmembers(permissions, inspect.isfunction)
        if not name.startswith("_") and f.__module__ == permissions.__name__
    ]
    assert len(public) > 15
    undocumented = [name for name, f in public if not (f.__doc__ or "").strip()]
    assert not undocumented, f"Capabilities without a docstring: {undocumented}"


def test_the_four_shared_names_keep_their_signatures():
    """reports/reporting/workflow.py and others call these four; their signatures stay."""
    signatures = {
        "can_view_department": ["user", "department_id"],
        "can_edit_department": ["user", "department_id"],
        "can_review": ["user"],
        "can_see_all": ["user"],
    }
    for name, parameters in signatures.items():
        assert list(inspect.signature(getattr(permissions, name)).parameters) == parameters, name


# --- may: the answers templates read -----------------------------------------------------


def test_may_answers_each_capability_once_and_only_when_asked(monkeypatch):
    """`may` computes nothing until a template asks, and each answer once per request."""
    calls = []

    def counting(user):
        calls.append(user)
        return True

    monkeypatch.setitem(permissions.TEMPLATE_CAPABILITIES, "review", counting)
    user = USERS["reviewer"]
    may = permissions.Capabilities(user)
    assert calls == []
    html = Template("{% if may.review %}yes{% endif %}{% if may.review %}!{% endif %}").render(Context({"may": may}))
    assert html == "yes!"
    assert calls == [user]


def test_may_follows_the_predicates():
    """Each name templates may ask is a predicate of the policy, answering as the predicate does."""
    for name, predicate in permissions.TEMPLATE_CAPABILITIES.items():
        assert predicate.__module__ == permissions.__name__, name
        for user in USERS.values():
            assert permissions.Capabilities(user)[name] == predicate(user), (name, user)


def test_a_misspelt_capability_fails_loudly():
    """A template asking for a capability that does not exist raises instead of silently answering no."""
    with pytest.raises(LookupError, match="reveiw"):
        Template("{% if may.reveiw %}yes{% endif %}").render(Context({"may": permissions.Capabilities(None)}))


def test_every_page_gets_may(client, login_as):
    """The context processor puts the signed-in user's `may` in every page's context."""
    user = login_as("leader")
    may = client.get(reverse("home")).context["may"]
    assert may["read_dashboard"] and not may["review"]
    assert may._user == user


def test_the_admin_site_asks_the_policy(client, demo):
    """Being staff is not enough: /admin/ lets in only those the policy lets administer."""
    reviewer = User.objects.get(username="reviewer")
    reviewer.is_staff = True
    reviewer.save(update_fields=["is_staff"])
    client.force_login(reviewer)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    client.force_login(User.objects.get(username="admin"))
    assert client.get(reverse("admin:index")).status_code == 200


# --- nobody else decides ----------------------------------------------------------------

# Attributes of a user that decide by role, flag or Django permission.
DECIDING_ATTRIBUTES = {
    "role",
    "is_superuser",
    "is_staff",
    "is_clerk",
    "is_reviewer",
    "is_leader",
    "is_administrator",
    "can_review",
    "sees_all_departments",
    "has_perm",
    "has_perms",
    "has_module_perms",
}
# Query keywords that pick users by role or flag.
DECIDING_KEYWORDS = re.compile(r"^(role|is_superuser|is_staff)(__\w+)?$")

ATTRIBUTE, COMPARISON, FILTER = "reads a user's role or flag", "compares with a Role", "filters users by role or flag"

# (file, what) -> why it may. Keep this short: every entry is a place the policy does not reach.
ALLOWED = {
    # The field and its check constraint (a clerk has a department): the model defines the role.
    ("reports/models.py", FILTER): "Q(role='clerk') in the User's CheckConstraint",
    # The demo creates its users: the administrator is made staff and superuser, and the demo
    # reports' events are credited to each department's clerk.
    ("reports/demo.py", COMPARISON): "is_staff/is_superuser for the demo administrator",
    ("reports/demo.py", FILTER): "the demo clerks who submitted the demo reports",
}


def _is_role_constant(node):
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Role"


def decisions_in(source):
    """(line, what, snippet) for every place in Python `source` that decides by role or user flag."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in DECIDING_ATTRIBUTES:
            # permissions.can_review(user) asks the policy; user.can_review would decide.
            if not (isinstance(node.value, ast.Name) and node.value.id == "permissions"):
                found.append((node.lineno, ATTRIBUTE, ast.unparse(node)))
        elif isinstance(node, ast.Compare) and any(_is_role_constant(n) for n in ast.walk(node)):
            found.append((node.lineno, COMPARISON, ast.unparse(node)))
        elif isinstance(node, ast.keyword) and node.arg and DECIDING_KEYWORDS.match(node.arg):
            found.append((node.lineno, FILTER, ast.unparse(node)))
    return found


# In templates: a user's role or flags, Django's perms, or a comparison with a role's value.
TEMPLATE_DECISION = re.compile(
    r"\buser\.(role|is_superuser|is_staff|is_clerk|is_reviewer|is_leader|is_administrator|can_\w+|sees_\w+)\b"
    r"|\bperms\."
    r"|\brole\s*(==|!=|\bin\b)"
    r"|(==|!=)\s*[\"'](clerk|reviewer|leader|admin)[\"']"
)


def _python_files():
    for folder in ("reports", "zhengfa", "metrics"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path.relative_to(ROOT).as_posix(), path


def _findings():
    findings = {}
    for name, path in _python_files():
        if name == POLICY:
            continue
        for line, what, snippet in decisions_in(path.read_text(encoding="utf-8")):
            findings.setdefault((name, what), []).append(f"{name}:{line}: {snippet}")
    for path in sorted((ROOT / "templates").rglob("*.html")):
        name = path.relative_to(ROOT).as_posix()
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in TEMPLATE_DECISION.finditer(text):
                findings.setdefault((name, "decides in a template"), []).append(f"{name}:{number}: {match.group(0)}")
    return findings


def test_only_the_policy_decides():
    """No module but reports/permissions.py compares roles or reads a user's role flags (allow-list aside)."""
    findings = _findings()
    forbidden = [line for key, lines in sorted(findings.items()) if key not in ALLOWED for line in lines]
    assert not forbidden, (
        "Who may do what is decided in reports/permissions.py only. Add (or reuse) a named predicate there "
        "and ask it; templates read `may.<capability>`:\n" + "\n".join(forbidden)
    )


def test_every_allowance_is_still_needed():
    """An allowance nothing needs any more is removed (the owner switched to the policy)."""
    findings = _findings()
    stale = sorted(key for key in ALLOWED if key not in findings)
    assert not stale, f"Remove these entries from ALLOWED in {__file__}: {stale}"


def test_the_scan_finds_decisions():
    """The scanner itself catches each kind of decision, and not asking the policy."""
    source = (
        "if user.role == Role.CLERK or user.is_superuser:\n    pass\n"
        "x = request.user.can_review\n"
        "y = Role.ADMIN in roles\n"
        "z = User.objects.filter(role__in=[Role.REVIEWER])\n"
        "ok = permissions.can_review(user) and can_see_all(user) and User.objects.filter(username='a')\n"
    )
    found = {(line, what) for line, what, _snippet in decisions_in(source)}
    assert found == {(1, ATTRIBUTE), (1, COMPARISON), (3, ATTRIBUTE), (4, COMPARISON), (5, FILTER)}
    assert TEMPLATE_DECISION.search("{% if user.is_clerk %}")
    assert TEMPLATE_DECISION.search("{% if request.user.role == 'admin' %}")
    assert TEMPLATE_DECISION.search("{% if perms.reports.change_user %}")
    assert not TEMPLATE_DECISION.search("{% if may.review %}{{ user.display_name }}{% if user.is_authenticated %}")


def test_the_user_model_keeps_no_deciding_properties():
    """User holds role facts (its fields); what a role may do is the policy's."""
    computed = {name for name, value in vars(User).items() if isinstance(value, property | FunctionType)}
    assert computed & DECIDING_ATTRIBUTES == set()
