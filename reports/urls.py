from django.contrib.auth import views as auth_views
from django.urls import include, path

from reports import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("reports.reporting.urls")),
    path("", include("reports.figures.urls")),
    path("dashboard/", include("reports.dashboard.urls")),
    path("summary/", include("reports.summary.urls")),
    path("imports/", include("reports.imports.urls")),
    path("notifications/", include("reports.notifications.urls")),
    path("", include("reports.operations.urls")),
]
