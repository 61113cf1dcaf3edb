"""Template context for the navigation bar."""

from reports.views import entries_for


def navigation(request):
    """The entries of the signed-in user's role, for the top navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_entries": [e for e in entries_for(user) if e["url"]]}
