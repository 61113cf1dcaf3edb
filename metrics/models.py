"""The catalogue (areas, departments, indicators, targets) and data values.

A data value is one indicator's figure for one department and one month. A
missing figure is no row, or a row whose value is NULL: never zero. Who
enters an indicator is not here: report forms and their assignments say so
(metrics/forms.py, answered by metrics.assignments).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# Units counted in whole numbers; everything else may carry decimals.
MONEY_UNIT = "万元"
PERCENT_UNIT = "%"


class Area(models.Model):
    """A work area (工作领域); `core` areas lead every screen."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    order = models.PositiveIntegerField(_("排序"), default=0)
    core = models.BooleanField(_("核心领域"), default=False)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("工作领域")
        verbose_name_plural = _("工作领域")

    def __str__(self):
        return self.name


class DepartmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class DepartmentKind(models.TextChoices):
    COMMITTEE = "committee", _("党委部门")
    COURT = "court", _("法院")
    PROCURATORATE = "procuratorate", _("检察院")
    POLICE = "police", _("公安机关")
    JUSTICE = "justice", _("司法行政")
    PETITION = "petition", _("信访部门")
    BUREAU = "bureau", _("政府部门")
    TOWN = "town", _("乡镇（街道）")
    COUNTY = "county", _("区县")
    OTHER = "other", _("其他")


class Department(models.Model):
    """A reporting department; towns and sub-units roll up to their parent."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    kind = models.CharField(_("类别"), max_length=40, blank=True, choices=DepartmentKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # The top-level unit this department rolls up to (NULL for a top-level unit itself): the unit of
    # the dashboard's county-wide breakdown and of the rollup's per-unit rows. Kept by save().
    top_unit = models.ForeignKey(
        "self",
        verbose_name=_("所属一级单位"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    order = models.PositiveIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("报送单位")
        verbose_name_plural = _("报送单位")
        constraints = [
            # A bulk_create that forgets the top unit fails here rather than filing values under the wrong unit.
            models.CheckConstraint(
                condition=Q(parent__isnull=True, top_unit__isnull=True)
                | Q(parent__isnull=False, top_unit__isnull=False),
                name="department_top_unit_iff_parent",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        """Save, keeping `top_unit` of this department and of everything under it when the parent changes.

        The parent's own top unit is read from the database under a row lock (FOR NO KEY UPDATE: it
        waits for a concurrent move of the parent, not for writers of values), so that move is not
        missed. A move between top-level units holds back writers of values (rollup.hold_writers)
        and refiles the departments' values in the per-unit rollup (rollup.refile_units), in the
        same transaction.
        """
        from . import rollup

        with transaction.atomic():
            self.top_unit_id = None
            if self.parent_id is not None:
                parent_unit = (
                    Department.objects.select_for_update(no_key=True)
                    .filter(pk=self.parent_id)
                    .values_list("top_unit_id", flat=True)
                    .first()
                )
                self.top_unit_id = parent_unit or self.parent_id
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "parent" in update_fields:
                kwargs["update_fields"] = {*update_fields, "top_unit"}
            before = Department.objects.filter(pk=self.pk).values_list("top_unit_id", "pk").first() if self.pk else None
            moves = before is not None and (before[0] or before[1]) != self.unit_id
            if moves:
                rollup.hold_writers()
            super().save(*args, **kwargs)
            if not moves:
                return
            todo = [self.pk]
            while todo:  # the subtree, level by level
                children = list(Department.objects.filter(parent_id__in=todo).values_list("pk", flat=True))
                Department.objects.filter(pk__in=children).update(top_unit_id=self.unit_id)
                todo = children
            rollup.refile_units({before[0] or before[1], self.unit_id})

    def clean(self):
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk:
                raise ValidationError({"parent": _("上级单位不能是本单位或其下级单位。")})
            ancestor = ancestor.parent

    @property
    def unit_id(self):
        """The id of the top-level unit this department counts under (its own id when top-level)."""
        return self.top_unit_id or self.pk


class Kind(models.TextChoices):
    FLOW = "flow", _("流量（按月累加）")
    STOCK = "stock", _("存量（取期末）")
    RATE = "rate", _("比率（填报，取期末）")
    RATIO = "ratio", _("比率（计算：分子/分母）")


class Better(models.TextChoices):
    UP = "up", _("越高越好")
    DOWN = "down", _("越低越好")
    NONE = "none", _("无好坏")


class IndicatorQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def entered(self):
        """Indicators that departments enter (everything but derived ratios)."""
        return self.exclude(kind=Kind.RATIO)


class Indicator(models.Model):
    """What is counted, in which unit and how it aggregates; report forms say who enters it."""

    code = models.CharField(_("代码"), max_length=80, unique=True)
    area = models.ForeignKey(Area, verbose_name=_("工作领域"), on_delete=models.PROTECT, related_name="indicators")
    name = models.CharField(_("名称"), max_length=120)
    unit = models.CharField(_("单位"), max_length=20)
    kind = models.CharField(_("汇总方式"), max_length=10, choices=Kind.choices, default=Kind.FLOW)
    numerator = models.ForeignKey(
        "self", verbose_name=_("分子"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    denominator = models.ForeignKey(
        "self", verbose_name=_("分母"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    better = models.CharField(_("变化方向"), max_length=4, choices=Better.choices, default=Better.NONE)
    decimals = models.PositiveSmallIntegerField(_("小数位数"), default=0)
    order = models.PositiveIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)
    headline = models.BooleanField(_("驾驶舱重点指标"), default=False)
    description = models.TextField(_("说明"), blank=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["area__order", "order", "code"]
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=Kind.RATIO) & Q(numerator__isnull=False) & Q(denominator__isnull=False))
                | (~Q(kind=Kind.RATIO) & Q(numerator__isnull=True) & Q(denominator__isnull=True)),
                name="indicator_ratio_has_components",
                violation_error_message=_("计算比率必须且只有计算比率才能指定分子和分母。"),
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.unit}）"

    @property
    def is_ratio(self):
        return self.kind == Kind.RATIO

    @property
    def is_percentage(self):
        return self.kind in (Kind.RATE, Kind.RATIO)

    @property
    def is_count(self):
        """Counted in whole numbers (件 人 次 …)."""
        return self.decimals == 0

    def clean(self):
        if self.kind == Kind.RATIO:
            if self.numerator_id is None or self.denominator_id is None:
                raise ValidationError(_("计算比率必须指定分子和分母。"))
            if self.numerator.kind == Kind.RATIO or self.denominator.kind == Kind.RATIO:
                raise ValidationError(_("计算比率的分子和分母必须是填报指标，不能是计算比率。"))
        elif self.numerator_id or self.denominator_id:
            raise ValidationError(_("只有计算比率才能指定分子和分母。"))


class Target(models.Model):
    """An annual target for an indicator (e.g. 10 backlog petitions resolved in 2023)."""

    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("年度"))
    value = models.DecimalField(
        _("目标值"), max_digits=20, decimal_places=4, validators=[MinValueValidator(Decimal("0"))]
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["-year", "indicator"]
        verbose_name = _("年度目标")
        verbose_name_plural = _("年度目标")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="target_unique_indicator_year"),
        ]

    def __str__(self):
        return f"{self.year} {self.indicator.name}"


class Status(models.TextChoices):
    """How far a value has come through review; only approved ones count by default."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已上报")
    APPROVED = "approved", _("已审核")


class DataValueQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Status.APPROVED)

    def counted(self, *, include_submitted=False):
        """Values that count in figures: approved, and submitted ones on request."""
        if include_submitted:
            return self.filter(status__in=[Status.APPROVED, Status.SUBMITTED])
        return self.approved()

    def in_months(self, first, last):
        return self.filter(month__gte=first, month__lte=last)


class DataValue(models.Model):
    """One indicator's figure for one department and month (`month` is its first day)."""

    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="values")
    department = models.ForeignKey(Department, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="values")
    month = models.DateField(_("月份"))
    value = models.DecimalField(
        _("数值"),
        max_digits=20,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"), message=_("数值不能为负数。"))],
    )
    note = models.CharField(_("备注"), max_length=500, blank=True)
    # Mirrors the state of the department's monthly report so that figures
    # can be filtered without a join; kept in step by the reports services.
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = DataValueQuerySet.as_manager()

    class Meta:
        ordering = ["month", "department", "indicator"]
        verbose_name = _("数据")
        verbose_name_plural = _("数据")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "department", "month"], name="datavalue_unique_indicator_department_month"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0),
                name="datavalue_value_not_negative",
                violation_error_message=_("数值不能为负数。"),
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="datavalue_month_first_day"),
        ]
        indexes = [
            models.Index(fields=["month", "indicator", "department"], name="datavalue_month_idx"),
            models.Index(fields=["department", "month"], name="datavalue_department_month_idx"),
            # Serves a period's scan of some indicators (breakdowns, scopes, the rollup's fallback) from
            # the index alone on PostgreSQL: only the period's rows, not every month of the indicator.
            models.Index(
                fields=["indicator", "month"],
                include=["department", "value", "status"],
                name="datavalue_indicator_month_idx",
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.department.code} {self.month:%Y-%m}: {self.value}"

    def save(self, *args, **kwargs):
        # A ratio is derived, never stored: refuse it even when clean() was skipped.
        if self.indicator.kind == Kind.RATIO:
            raise ValidationError(_("计算比率由分子和分母计算得出，不能填报数值。"))
        super().save(*args, **kwargs)

    @property
    def is_missing(self):
        return self.value is None

    def clean(self):
        if self.indicator_id and self.indicator.kind == Kind.RATIO:
            raise ValidationError({"indicator": _("计算比率由分子和分母计算得出，不能填报数值。")})
        if self.indicator_id and self.department_id:
            from .assignments import refusal

            if reason := refusal(self.department, self.indicator):
                raise ValidationError({"department": reason})
        if isinstance(self.month, datetime.date) and self.month.day != 1:
            raise ValidationError({"month": _("月份必须是该月第一天。")})


class Operator(models.TextChoices):
    LTE = "lte", "≤"
    GTE = "gte", "≥"
    EQ = "eq", "="


class ValidationRuleQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class ValidationRule(models.Model):
    """A cross-field rule an administrator edits: left (op) right [− minus], e.g. 执结 ≤ 受理.

    Evaluated by metrics.validation.check_rules on one department's month; a
    rule whose operands are missing is skipped (missing is not zero).
    """

    name = models.CharField(_("规则名称"), max_length=120)
    left = models.ForeignKey(Indicator, verbose_name=_("左边指标"), on_delete=models.CASCADE, related_name="+")
    operator = models.CharField(_("关系"), max_length=3, choices=Operator.choices, default=Operator.LTE)
    right = models.ForeignKey(Indicator, verbose_name=_("右边指标"), on_delete=models.CASCADE, related_name="+")
    minus = models.ForeignKey(
        Indicator,
        verbose_name=_("右边减去指标"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("可选：右边为「右边指标 − 该指标」，如 现存 = 总数 − 已核减。"),
    )
    message = models.CharField(
        _("提示语"), max_length=200, blank=True, help_text=_("留空则自动生成，如「执结执行案件不能大于受理执行案件」。")
    )
    active = models.BooleanField(_("启用"), default=True)

    objects = ValidationRuleQuerySet.as_manager()

    class Meta:
        ordering = ["left__area__order", "left__order", "pk"]
        verbose_name = _("校验规则")
        verbose_name_plural = _("校验规则")

    def __str__(self):
        return self.name

    def clean(self):
        operands = [i for i in (self.left_id and self.left, self.right_id and self.right, self.minus) if i]
        if any(i.is_ratio for i in operands):
            raise ValidationError(_("校验规则只能使用填报指标，不能使用计算比率。"))
        from .assignments import load

        if operands and not load().common_reporters(operands):
            raise ValidationError(_("校验规则中的指标必须由同一单位填报（至少一个单位的报表同时包含它们）。"))

    def as_rule(self):
        """The plain rule that metrics.validation evaluates."""
        from .validation import Rule

        return Rule(
            left=self.left.code,
            left_name=self.left.name,
            operator=self.operator,
            right=self.right.code,
            right_name=self.right.name,
            minus=self.minus.code if self.minus else None,
            minus_name=self.minus.name if self.minus else "",
            message=self.message,
        )


# Report forms and the tables kept by database triggers live in their own modules; importing them
# here registers them with the app.
from .derived import MonthlyRollup, UnitRollup, Version  # noqa: E402, F401
from .forms import Form, FormAssignment, FormIndicator  # noqa: E402, F401
