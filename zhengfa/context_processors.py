"""Template context shared by every page."""

from django.conf import settings


def site(request):
    """The county's name for the page header."""
    return {"COUNTY_NAME": settings.COUNTY_NAME}
