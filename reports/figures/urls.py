from django.urls import path

from reports.figures import api, views

urlpatterns = [
    path("tables/summary/", views.summary_table, name="summary_table"),
    path("tables/indicator/<str:code>/departments/", views.breakdown_table, name="breakdown_table"),
    path("tables/indicator/<str:code>/months/", views.monthly_table, name="monthly_table"),
    path("api/v1/summary", api.summary, name="api_summary"),
]
