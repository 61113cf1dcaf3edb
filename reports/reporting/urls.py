from django.urls import path

from reports.reporting import review_views, views

# One department's report of one form for a month, e.g. reports/police/police_monthly/2023/7/
REPORT = "reports/<slug:department>/<slug:form>/<int:year>/<int:month>"

urlpatterns = [
    path("reports/", views.entry_list, name="entry_list"),
    path(f"{REPORT}/", views.report_entry, name="report_entry"),
    path(f"{REPORT}/review/", views.report_review, name="report_review"),
    path(f"{REPORT}/history/", views.report_history, name="report_history"),
    path(f"{REPORT}/comment/", review_views.comment_value, name="report_value_comment"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/approve/", review_views.bulk_approve, name="review_bulk_approve"),
    path("review/chase/", review_views.chase_reports, name="report_chase"),
    path("completeness/", views.completeness, name="completeness"),
]
