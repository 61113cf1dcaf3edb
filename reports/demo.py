"""Demo users: one per role, and a clerk for each department."""

from metrics.models import Department

from .models import Role, User

DEMO_PASSWORD = "zhengfa2023"


def demo_users():
    """(username, display name, role, department code or None) of every demo user."""
    users = [
        ("admin", "系统管理员", Role.ADMIN, None),
        ("reviewer", "审核员", Role.REVIEWER, None),
        ("leader", "县委政法委领导", Role.LEADER, None),
    ]
    for department in Department.objects.active():
        users.append((f"clerk_{department.code}", f"{department.name}填报员", Role.CLERK, department.code))
    return users


def load_demo_users(*, password=DEMO_PASSWORD):
    """Create the demo users that do not exist yet; returns the full list of demo usernames."""
    departments = {d.code: d for d in Department.objects.all()}
    for username, name, role, department in demo_users():
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": name,
                "role": role,
                "department": departments.get(department),
                "is_staff": role == Role.ADMIN,
                "is_superuser": role == Role.ADMIN,
            },
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
    return [u[0] for u in demo_users()]
