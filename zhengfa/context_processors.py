"""Template context shared by every page."""

from django.conf import settings


def site(request):
    """The county's name for the page header, and the demo's pinned date (None outside the demo)."""
    return {"COUNTY_NAME": settings.COUNTY_NAME, "DEMO_TODAY": settings.ZHENGFA_TODAY}


def csp_nonce(request):
    """The request's Content-Security-Policy nonce, for the rare inline <script nonce="…">."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
