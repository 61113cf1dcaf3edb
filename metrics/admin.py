from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from zhengfa.admin_readonly import ReadOnlyAdminMixin

from .models import Area, DataValue, Department, Indicator, Target, ValidationRule


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "order", "core"]
    list_editable = ["order", "core"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "order", "active"]
    list_filter = ["active", "kind"]
    search_fields = ["code", "name"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit", "kind", "area", "department", "better", "headline", "active"]
    list_filter = ["area", "kind", "department", "headline", "active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["numerator", "denominator"]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["indicator", "year", "value", "note"]
    list_filter = ["year"]
    autocomplete_fields = ["indicator"]


@admin.register(DataValue)
class DataValueAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Read-only, history included: figures and their status change only through the reporting workflow,
    which checks the report's state and version and records who changed what."""

    list_display = ["indicator", "department", "month", "value", "status", "note"]
    list_filter = ["status", "department", "indicator__area"]
    search_fields = ["indicator__code", "indicator__name"]
    date_hierarchy = "month"

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A "revert" would write an old figure back without the workflow.
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(ValidationRule)
class ValidationRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "left", "operator", "right", "minus", "active"]
    list_filter = ["active", "left__area"]
    list_editable = ["active"]
    search_fields = ["name", "left__name", "right__name"]
    autocomplete_fields = ["left", "right", "minus"]
