"""The permission policy: every "who may do what" of the project is answered here, and only here.

In the manner of Wagtail's permission policies: each capability is a named
predicate over a user (and a department where it matters); where a view needs
the objects a user may act on, a function returns them as a queryset, and where
a task needs the users who hold a capability, a function returns those. Views,
services, the API, filters, commands, context processors and templates (through
`may`, see `Capabilities`) ask these; none compares roles itself.

The specification is tests/zhengfa/test_access_matrix.py; test_permission_policy.py
fails when another module decides.

Roles: a clerk (填报员) belongs to one department; reviewers (审核员), leaders (领导)
and administrators (管理员) are the committee and see every department. A
superuser is an administrator whatever their role. Anonymous and deactivated
users (and None) may do nothing.
"""

from django.db.models import Q

from metrics.models import Department
from reports.models import Role, User


def _signed_in(user):
    return user is not None and user.is_authenticated and user.is_active


def _is_administrator(user):
    return _signed_in(user) and (user.role == Role.ADMIN or user.is_superuser)


def _is_clerk(user):
    return _signed_in(user) and user.role == Role.CLERK


def _own(user, department_id):
    return department_id is not None and user.department_id == department_id


# --- reports and figures -------------------------------------------------------------


def can_see_all(user):
    """See every department: the review queue, the completeness grid, county-wide figures (the committee)."""
    # A superuser is an administrator even when their role says clerk.
    return _signed_in(user) and (user.role != Role.CLERK or user.is_superuser)


def can_view_department(user, department_id):
    """Read a department's reports and figures: clerks only their own department, the committee all."""
    return can_see_all(user) or (_signed_in(user) and _own(user, department_id))


def can_edit_department(user, department_id):
    """Enter a department's figures: its own clerks, and administrators any; reviewers and leaders none."""
    return _is_administrator(user) or (_is_clerk(user) and _own(user, department_id))


def can_report(user):
    """Report for one's own department (the month list, 本单位汇总): clerks with a department."""
    return _is_clerk(user) and user.department_id is not None


def can_review(user):
    """Review reports (approve, return, reopen): reviewers and administrators."""
    return _is_administrator(user) or (_signed_in(user) and user.role == Role.REVIEWER)


def can_chase(user):
    """Send a 催报 (a reminder to a late department's clerks) from the grid or the queue: reviewers and admins."""
    return can_review(user)


def can_read_figures(user, department_id=None):
    """Read figures (tables, their exports, the JSON API) of a department, or county-wide when it is None."""
    return can_see_all(user) if department_id is None else can_view_department(user, department_id)


def can_include_submitted(user):
    """Count submitted, not yet approved values in figures: reviewers and administrators; leaders see approved only."""
    return can_review(user)


def can_read_dashboard(user):
    """Read the leader dashboard: the committee, not clerks."""
    return can_see_all(user)


def departments_user_may_read(user):
    """The departments whose reports and figures `user` may read, as a queryset."""
    if can_see_all(user):
        return Department.objects.all()
    if not _signed_in(user):
        return Department.objects.none()
    return Department.objects.filter(pk=user.department_id)


def reports_user_may_read(user, reports):
    """Of `reports` (a MonthlyReport queryset), those `user` may read."""
    if can_see_all(user):
        return reports
    if not _signed_in(user) or user.department_id is None:
        return reports.none()
    return reports.filter(department_id=user.department_id)


# --- the half-year summary -------------------------------------------------------------


def can_read_summary(user):
    """Read the half-year summary: its templates, the preview, exports' state and downloads (the committee)."""
    return can_see_all(user)


def can_edit_summary(user):
    """Create, edit and restore the summary's templates: reviewers and administrators."""
    return can_review(user)


def can_export_summary(user):
    """Ask for a Word/PDF/Excel export of the summary: reviewers and administrators."""
    return can_review(user)


def can_retry_export(user):
    """Queue a failed summary export again: whoever may export."""
    return can_export_summary(user)


# --- imports ------------------------------------------------------------------------


def can_import(user):
    """Import entry workbooks at all (the import page, uploads): clerks for their department, reviewers any."""
    return can_review(user) or can_report(user)


def can_import_department(user, department_id):
    """Import a department's entry workbook: its clerks, reviewers and administrators; not leaders."""
    return can_review(user) or can_edit_department(user, department_id)


def departments_user_may_import(user):
    """The departments whose workbooks `user` may import (and whose import batches they see), as a queryset."""
    if can_review(user):
        return Department.objects.all()
    if can_report(user):
        return Department.objects.filter(pk=user.department_id)
    return Department.objects.none()


def can_import_historic(user):
    """Import historic values (CSV, recorded as approved by the importer): administrators only."""
    return _is_administrator(user)


# --- administration ------------------------------------------------------------------


def can_administer(user):
    """Keep the catalogue and the users in /admin/: administrators who are staff (Django's admin checks is_staff)."""
    return _is_administrator(user) and user.is_staff


# --- users who hold a capability (for notifications and defaults) -------------------------


def _active_users():
    return User.objects.filter(is_active=True)


def users_who_may_review():
    """The active users who may review: reviewers, administrators and superusers (they hear of submissions)."""
    return _active_users().filter(Q(role__in=[Role.REVIEWER, Role.ADMIN]) | Q(is_superuser=True))


def users_who_report_for(departments):
    """The active clerks who report for `departments` (they get reminders and hear of their reports)."""
    return _active_users().filter(role=Role.CLERK, department__in=departments)


def users_who_may_import_historic():
    """The active users who may import historic values: administrators, and superusers."""
    return _active_users().filter(Q(role=Role.ADMIN) | Q(is_superuser=True))


# --- templates ------------------------------------------------------------------------

# The capabilities templates may ask about the signed-in user: {% if may.review %}.
TEMPLATE_CAPABILITIES = {
    "see_all": can_see_all,
    "report": can_report,
    "review": can_review,
    "chase": can_chase,
    "include_submitted": can_include_submitted,
    "read_dashboard": can_read_dashboard,
    "read_summary": can_read_summary,
    "edit_summary": can_edit_summary,
    "export_summary": can_export_summary,
    "retry_export": can_retry_export,
    "import": can_import,
    "import_historic": can_import_historic,
    "administer": can_administer,
}


class Capabilities:
    """What one user may do, for templates (`may` in every page's context); each answer is computed on first use."""

    def __init__(self, user):
        self._user = user
        self._answers = {}

    def __getitem__(self, name):
        if name not in TEMPLATE_CAPABILITIES:
            # Not a KeyError, which templates would swallow as "no": a misspelt capability must fail loudly.
            raise LookupError(f"No capability {name!r}; reports.permissions.TEMPLATE_CAPABILITIES lists them.")
        if name not in self._answers:
            self._answers[name] = TEMPLATE_CAPABILITIES[name](self._user)
        return self._answers[name]
