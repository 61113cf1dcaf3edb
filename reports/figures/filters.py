"""django-filter filter sets for the figure tables: period, area, department and, for reviewers, submitted values.

The period is a code (2023H1, 2023Q2, 2023-05, 2023, 2023-01..2023-05) checked
by metrics.periods; a bad one is a form error with a Chinese message. The area
filters the indicators; period, department and status choose what is counted.
"""

import django_filters
from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
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


def _attributes(attrs):
    """As django/forms/widgets/attrs.html writes them: True is a bare name, False is left out."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class QuickSelect(forms.Select):
    """A <select> written in Python, the same HTML as Django's templates write it.

    Django renders a template per option: 20 ms for the 40 departments of the smallest benchmark,
    on every table page (issue 19); a city has 500.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{conditional_escape(widget["name"])}"{_attributes(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in group_choices:
                parts.append(
                    f'\n  <option value="{conditional_escape(str(option["value"]))}"{_attributes(option["attrs"])}>'
                    f"{conditional_escape(option['label'])}</option>\n"  # select_option.html ends with one
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # every value and label escaped above


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
        widget=QuickSelect,
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
        widget=QuickSelect,
        error_messages={"invalid_choice": _("没有这个工作领域。")},
    )

    class Meta(FigureFilter.Meta):
        fields = []
