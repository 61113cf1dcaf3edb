"""django-filter filter sets for the figure tables: period, area, department and, for reviewers, submitted values.

The period is a code (2023H1, 2023Q2, 2023-05, 2023, 2023-01..2023-05) checked
by metrics.periods; a bad one is a form error with a Chinese message. The area
filters the indicators; period, department and status choose what is counted.
"""

import html

import django_filters
from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_filters import fields

from metrics import versions
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


def _escape(value):
    """conditional_escape, without its lazy wrapper: 500 labels a page (the same result)."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def _attributes(attrs):
    """As django/forms/widgets/attrs.html writes them: True is a bare name, False is left out."""
    return "".join(
        f" {name}" if value is True else f' {name}="{_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class QuickSelect(forms.Select):
    """A <select> written in Python, the same HTML as Django's templates write it.

    Django builds a dict and renders a template per option: 20 ms for the 40 departments of the
    smallest benchmark, 70 ms for a city's 500, on every table page (issue 19).
    """

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        attrs = self.build_attrs(self.attrs, attrs)
        parts = [f'<select name="{_escape(name)}"{_attributes(attrs)}>']
        found = False
        for group_value, group_label in self.choices:
            grouped = isinstance(group_label, (list, tuple))
            if grouped:
                parts.append(f'\n  <optgroup label="{_escape(group_value)}">')
            for option_value, label in group_label if grouped else [(group_value, group_label)]:
                option_value = "" if option_value is None else option_value
                selected = not found and str(option_value) in chosen  # Django marks the first match only
                found |= selected
                mark = " selected" if selected else ""
                # select_option.html ends with a newline.
                parts.append(f'\n  <option value="{_escape(option_value)}"{mark}>{_escape(label)}</option>\n')
            if grouped:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # every value and label escaped above


class CatalogueChoiceIterator(fields.ModelChoiceIterator):
    """A catalogue select's (value, label) pairs once per version (metrics.versions.cached), not a query
    and a model instance per department on every page; keyed by the queryset's SQL, so a clerk's one
    department is an entry of its own."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        yield from self._pairs()

    def __len__(self):
        return len(self._pairs()) + (self.field.empty_label is not None) + (self.field.null_label is not None)

    def _pairs(self):
        field = self.field
        return versions.cached(
            "choices",
            str(self.queryset.query),
            compute=lambda: [(field.prepare_value(o), field.label_from_instance(o)) for o in self.queryset],
        )


class CatalogueChoiceField(fields.ModelChoiceField):
    iterator = CatalogueChoiceIterator


class CatalogueChoiceFilter(django_filters.ModelChoiceFilter):
    """A department or area to choose, its choices cached (CatalogueChoiceIterator), written by QuickSelect."""

    field_class = CatalogueChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", QuickSelect)
        super().__init__(*args, **kwargs)


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
    department = CatalogueChoiceFilter(
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

    area = CatalogueChoiceFilter(
        label=_("工作领域"),
        queryset=Area.objects.all(),
        to_field_name="code",
        empty_label=_("全部领域"),
        error_messages={"invalid_choice": _("没有这个工作领域。")},
    )

    class Meta(FigureFilter.Meta):
        fields = []
