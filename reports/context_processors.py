"""Template context for every page: the navigation bar, and what the signed-in user may do."""

from reports.permissions import Capabilities
from reports.views import entries_for


def navigation(request):
    """The entries the signed-in user may use, for the top navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_entries": [e for e in entries_for(user) if e["url"]]}


def may(request):
    """`may`: the user's capabilities ({% if may.review %}), asked of reports.permissions on first use."""
    return {"may": Capabilities(getattr(request, "user", None))}
