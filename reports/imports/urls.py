from django.urls import path

from reports.imports import views

urlpatterns = [
    path("", views.import_home, name="import_home"),
    path("template/", views.download_template, name="import_template"),
    path("upload/", views.upload, name="import_upload"),
    path("<int:pk>/", views.preview, name="import_preview"),
    path("<int:pk>/commit/", views.commit, name="import_commit"),
    path("<int:pk>/submit/", views.submit, name="import_submit"),
]
