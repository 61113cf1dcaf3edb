"""Report forms (报表), as DHIS2 has data sets: models, not Django forms.

A form is a set of entered indicators, ordered and grouped by work area, with
a deadline day, assigned to departments: by name, every active department of
a kind (all 乡镇), or every active department under a parent. An indicator may
be in several forms; a value stays one per (indicator, department, month)
whatever form it came through. Ratios are never form rows: a form holding
both components shows the ratio. Who reports what is answered by
metrics.assignments, from these tables only.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Department, DepartmentKind, Indicator, Kind


def default_deadline_day():
    """The county's deadline day (settings.REPORT_DEADLINE_DAY) for a new form."""
    return settings.REPORT_DEADLINE_DAY


class FormQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class Form(models.Model):
    """A report form: its indicators (FormIndicator) and the departments it is assigned to (FormAssignment)."""

    code = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    deadline_day = models.PositiveSmallIntegerField(
        _("截止日"),
        default=default_deadline_day,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("次月几日前上报；超过该月天数时取月末。"),
    )
    order = models.PositiveIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)
    indicators = models.ManyToManyField(
        Indicator, through="FormIndicator", related_name="forms", verbose_name=_("指标"), blank=True
    )

    objects = FormQuerySet.as_manager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("报表")
        verbose_name_plural = _("报表")
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline_day__gte=1) & Q(deadline_day__lte=31), name="form_deadline_day_in_month"
            ),
        ]

    def __str__(self):
        return self.name


class FormIndicator(models.Model):
    """One entered indicator of a form, in the form's order."""

    form = models.ForeignKey(Form, verbose_name=_("报表"), on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="form_items"
    )
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["form", "order", "pk"]
        verbose_name = _("报表指标")
        verbose_name_plural = _("报表指标")
        constraints = [
            models.UniqueConstraint(fields=["form", "indicator"], name="formindicator_unique_form_indicator"),
        ]

    def __str__(self):
        return f"{self.form_id and self.form.name} · {self.indicator_id and self.indicator.name}"

    def clean(self):
        if self.indicator_id and self.indicator.kind == Kind.RATIO:
            raise ValidationError(
                {
                    "indicator": _("计算比率不能加入报表：加入它的分子和分母，报表会自动显示该比率（「%(name)s」）。")
                    % {"name": self.indicator.name}
                }
            )


class FormAssignment(models.Model):
    """Who a form is assigned to: one department, every active department of a kind, or every one under a parent.

    Kinds and parents are resolved when asked (metrics.assignments), so a town
    added later reports the towns' forms without anyone touching them.
    """

    form = models.ForeignKey(Form, verbose_name=_("报表"), on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey(
        Department,
        verbose_name=_("指定单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="form_assignments",
    )
    kind = models.CharField(_("单位类别"), max_length=40, blank=True, choices=DepartmentKind.choices)
    parent = models.ForeignKey(
        Department,
        verbose_name=_("上级单位（其全部下级）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["form", "pk"]
        verbose_name = _("报表分配")
        verbose_name_plural = _("报表分配")
        constraints = [
            models.CheckConstraint(
                condition=(Q(department__isnull=False) & Q(kind="") & Q(parent__isnull=True))
                | (Q(department__isnull=True) & ~Q(kind="") & Q(parent__isnull=True))
                | (Q(department__isnull=True) & Q(kind="") & Q(parent__isnull=False)),
                name="formassignment_exactly_one_target",
                violation_error_message=_("每条分配只能指定一项：单位、单位类别或上级单位。"),
            ),
            models.UniqueConstraint(
                fields=["form", "department"],
                condition=Q(department__isnull=False),
                name="formassignment_unique_department",
            ),
            models.UniqueConstraint(fields=["form", "kind"], condition=~Q(kind=""), name="formassignment_unique_kind"),
            models.UniqueConstraint(
                fields=["form", "parent"], condition=Q(parent__isnull=False), name="formassignment_unique_parent"
            ),
        ]

    def __str__(self):
        return f"{self.form_id and self.form.name} → {self.target_label}"

    @property
    def target_label(self):
        """The assignee in words: 县公安局 / 全部乡镇（街道） / 县公安局的全部下级单位."""
        if self.department_id:
            return self.department.name
        if self.kind:
            return _("全部%(kind)s") % {"kind": DepartmentKind(self.kind).label}
        if self.parent_id:
            return _("%(parent)s的全部下级单位") % {"parent": self.parent.name}
        return ""

    def clean(self):
        if sum(bool(x) for x in (self.department_id, self.kind, self.parent_id)) != 1:
            raise ValidationError(_("每条分配只能指定一项：单位、单位类别或上级单位。"))
