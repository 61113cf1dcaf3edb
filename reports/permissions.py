"""Who may read, write and review which department's reports; used by views and services alike."""

from reports.models import Role


def can_view_department(user, department_id):
    """Clerks read only their own department; everyone else reads all."""
    if not user.is_authenticated:
        return False
    if user.sees_all_departments:
        return True
    return user.department_id is not None and user.department_id == department_id


def can_edit_department(user, department_id):
    """Clerks write their own department's figures; administrators any; reviewers and leaders none."""
    if not user.is_authenticated:
        return False
    if user.is_administrator:
        return True
    return user.role == Role.CLERK and user.department_id == department_id


def can_review(user):
    """Reviewers and administrators approve, return and reopen."""
    return user.is_authenticated and user.can_review


def can_see_all(user):
    """Reviewers, leaders and administrators see every department (queue, completeness)."""
    return user.is_authenticated and user.sees_all_departments


def can_import_historic(user):
    """Historic data (approved in bulk, outside the monthly round) are imported by administrators only."""
    return user.is_authenticated and user.is_administrator


def can_import_for_department(user, department_id):
    """Clerks import their own department's workbook; reviewers and administrators any department's."""
    return can_review(user) or can_edit_department(user, department_id)
