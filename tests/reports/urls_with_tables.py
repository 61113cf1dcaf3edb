"""The project's URLs plus stand-ins for issue 4's detail tables, so that the dashboard's links can be
checked whether or not the tables have landed (same names and paths as reports/urls.py gives them)."""

from django.http import HttpResponse
from django.urls import include, path


def _table(request, code=None):
    return HttpResponse("table")


urlpatterns = [
    path("tables/summary/", _table, name="summary_table"),
    path("tables/indicator/<str:code>/departments/", _table, name="breakdown_table"),
    path("tables/indicator/<str:code>/months/", _table, name="monthly_table"),
    path("", include("reports.urls")),
]
