from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from zhengfa.admin_readonly import ReadOnlyAdminMixin

from .forms import Form, FormAssignment, FormIndicator
from .models import Area, DataValue, Department, Indicator, Kind, Target, ValidationRule
from .services import add_to_form


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
    list_display = ["code", "name", "unit", "kind", "area", "form_names", "better", "headline", "active"]
    list_filter = ["area", "kind", "forms", "headline", "active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["numerator", "denominator"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("area").prefetch_related("forms")

    @admin.display(description=_("所在报表"))
    def form_names(self, obj):
        return "、".join(f.name for f in obj.forms.all())


class FormIndicatorInline(admin.TabularInline):
    model = FormIndicator
    extra = 0
    autocomplete_fields = ["indicator"]
    fields = ["indicator", "order"]


class FormAssignmentInline(admin.TabularInline):
    model = FormAssignment
    extra = 0
    autocomplete_fields = ["department", "parent"]
    fields = ["department", "kind", "parent"]


class FormAdminForm(forms.ModelForm):
    ratios = forms.ModelMultipleChoiceField(
        label=_("加入计算比率"),
        queryset=Indicator.objects.filter(kind=Kind.RATIO).select_related("numerator", "denominator"),
        required=False,
        help_text=_("计算比率不直接填报：所选比率的分子和分母加入本报表（排在最后），报表随即显示该比率。"),
    )

    class Meta:
        model = Form
        fields = ["code", "name", "deadline_day", "order", "active"]


@admin.register(Form)
class FormAdmin(admin.ModelAdmin):
    form = FormAdminForm
    list_display = ["code", "name", "deadline_day", "indicator_count", "assigned_to", "order", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name"]
    inlines = [FormIndicatorInline, FormAssignmentInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("items", "assignments__department", "assignments__parent")

    @admin.display(description=_("指标数"))
    def indicator_count(self, obj):
        return len(obj.items.all())

    @admin.display(description=_("分配给"))
    def assigned_to(self, obj):
        return "、".join(a.target_label for a in obj.assignments.all())

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        ratios = form.cleaned_data.get("ratios")
        if ratios:
            add_to_form(form=form.instance, indicators=list(ratios))


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
