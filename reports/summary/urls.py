from django.urls import path

from reports.summary import views

urlpatterns = [
    path("", views.summary_documents, name="summary_documents"),
    path("new/", views.summary_new, name="summary_new"),
    path("exports/<int:pk>/download/", views.summary_download, name="summary_download"),
    path("exports/<int:pk>/retry/", views.summary_retry, name="summary_retry"),
    path("<str:period>/", views.summary_preview, name="summary_preview"),
    path("<str:period>/edit/", views.summary_edit, name="summary_edit"),
    path("<str:period>/versions/<int:number>/restore/", views.summary_restore, name="summary_restore"),
    path("<str:period>/export/", views.summary_export, name="summary_export"),
    path("<str:period>/exports.json", views.summary_exports_json, name="summary_exports_json"),
]
