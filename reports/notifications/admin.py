"""Admin views of notifications and import batches: read-only records."""

from django.contrib import admin

from reports.imports.models import ImportBatch
from reports.notifications.models import Notification


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "recipient", "department", "month", "title", "read_at", "emailed_at"]
    list_filter = ["kind", "month", "department"]
    search_fields = ["title", "recipient__username"]
    date_hierarchy = "created_at"


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "department", "year", "filename", "committed_at", "counts"]
    list_filter = ["department", "year"]
    exclude = ["content"]
