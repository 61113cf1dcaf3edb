"""django-filter filter sets for the figure tables: period, area, department and, for reviewers, submitted values.

The period is a code (2023H1, 2023Q2, 2023-05, 2023, 2023-01..2023-05) checked
by metrics.periods; a bad one is a form error with a Chinese message. The area
filters the indicators; period, department and status choose what is counted.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from metrics.models import Area, Department, Indicator
from metrics.periods import PeriodError, parse_period
from reports.permissions import can_include_submitted, can_see_all, departments_user_may_read


class PeriodField(forms.CharField):
    """A period code as a Period; empty is allowed (the view picks the default period)."""

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        try:
            return parse_period(value)
        except PeriodError as error:
            raise forms.ValidationError(str(error), code="period") from error


class PeriodFilter(django_filters.Filter):
    field_class = PeriodField


def _unchanged(queryset, name, value):
    """Period, department and status choose how figures are counted, not which indicators are listed."""
    return queryset


class FigureFilter(django_filters.FilterSet):
    """Period, department and (for reviewers and administrators) 含已上报未审核."""

    period = PeriodFilter(
        label=_("期间"),
        method=_unchanged,
        widget=forms.TextInput(attrs={"list": "period-presets", "size": 18, "placeholder": "2023H1"}),
        help_text=_("如 2023H1、2023Q2、2023-05、2023、2023-01..2023-05"),
    )
    department = django_filters.ModelChoiceFilter(
        label=_("单位"),
        queryset=Department.objects.active(),
        to_field_name="code",
        empty_label=_("全县"),
        method=_unchanged,
        error_messages={"invalid_choice": _("没有这个单位，或您无权查看该单位的数据。")},
    )
    include_submitted = django_filters.BooleanFilter(
        label=_("含已上报未审核"), method=_unchanged, widget=forms.CheckboxInput
    )

    class Meta:
        model = Indicator
        fields = []

    def __init__(self, data=None, *args, user=None, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.user = user
        if user is not None and not can_see_all(user):
            # A clerk sees their own department only: the choice holds nothing else.
            self.filters["department"].queryset = departments_user_may_read(user)
            self.filters["department"].extra["empty_label"] = None
        if user is not None and not can_include_submitted(user):
            del self.filters["include_submitted"]


class SummaryFilter(FigureFilter):
    """The summary table adds the work area."""

    area = django_filters.ModelChoiceFilter(
        label=_("工作领域"),
        queryset=Area.objects.all(),
        to_field_name="code",
        empty_label=_("全部领域"),
        error_messages={"invalid_choice": _("没有这个工作领域。")},
    )

    class Meta(FigureFilter.Meta):
        fields = []
