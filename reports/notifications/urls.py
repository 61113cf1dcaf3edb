from django.urls import path

from reports.notifications import views

urlpatterns = [
    path("", views.notification_list, name="notification_list"),
    path("read/", views.mark_read, name="notification_mark_read"),
]
