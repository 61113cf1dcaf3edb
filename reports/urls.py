from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import api, dashboard_views, reporting_views, table_views, views

# One department's month, e.g. reports/police/2023/7/
REPORT = "reports/<slug:department>/<int:year>/<int:month>"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("tables/summary/", table_views.summary_table, name="summary_table"),
    path("tables/indicator/<str:code>/departments/", table_views.breakdown_table, name="breakdown_table"),
    path("tables/indicator/<str:code>/months/", table_views.monthly_table, name="monthly_table"),
    path("api/v1/summary", api.summary, name="api_summary"),
    path("summary/", include("reports.summary.urls")),
    path("imports/", include("reports.imports.urls")),
    path("notifications/", include("reports.notifications.urls")),
    path("reports/", reporting_views.entry_list, name="entry_list"),
    path(f"{REPORT}/", reporting_views.report_entry, name="report_entry"),
    path(f"{REPORT}/review/", reporting_views.report_review, name="report_review"),
    path(f"{REPORT}/history/", reporting_views.report_history, name="report_history"),
    path("review/", reporting_views.review_queue, name="review_queue"),
    path("completeness/", reporting_views.completeness, name="completeness"),
]
