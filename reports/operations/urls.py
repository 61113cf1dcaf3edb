from django.urls import path

from reports.operations import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("operations/tasks/", views.task_status, name="task_status"),
]
