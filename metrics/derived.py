"""Tables that database triggers keep, never written by Python: the monthly rollups and the data versions.

The triggers (metrics/rollup.py, metrics/versions.py) write them in the same
transaction as the change of the values they follow, so they are never behind.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Department, Indicator


class RollupCounts(models.Model):
    """What a rollup row keeps: the sums and numbers of approved and of submitted values, and how many
    of them continue (approved → approved, counted → counted) into the same department's next month."""

    approved_sum = models.DecimalField(max_digits=28, decimal_places=4, default=0)
    approved_count = models.IntegerField(default=0)
    submitted_sum = models.DecimalField(max_digits=28, decimal_places=4, default=0)
    submitted_count = models.IntegerField(default=0)
    approved_continued = models.IntegerField(default=0)
    counted_continued = models.IntegerField(default=0)

    class Meta:
        abstract = True


class MonthlyRollup(RollupCounts):
    """Counted values of one indicator and month, summed over all departments; kept by database triggers.

    Written only by the triggers on the values table (see metrics/rollup.py), in
    the same transaction as the change of the value, so it is never behind.
    `*_continued` count the values whose department also has a counted value
    the next month: the county's stock for a period is the sum of its last
    month exactly when every earlier value continues to that month.
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()

    class Meta:
        verbose_name = _("月度汇总")
        verbose_name_plural = _("月度汇总")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "month"], name="monthlyrollup_unique_indicator_month"),
        ]

    def __str__(self):
        return f"{self.indicator_id} {self.month:%Y-%m}"


class UnitRollup(RollupCounts):
    """The monthly rollup per top-level unit (a department with everything under it), kept by the same
    triggers: the county-wide breakdown by unit reads 50 rows a month where the values hold 500."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()

    class Meta:
        verbose_name = _("单位月度汇总")
        verbose_name_plural = _("单位月度汇总")
        constraints = [
            # Month before unit: a period's rows of an indicator are one range of the index.
            models.UniqueConstraint(
                fields=["indicator", "month", "unit"], name="unitrollup_unique_indicator_month_unit"
            ),
        ]

    def __str__(self):
        return f"{self.indicator_id} {self.unit_id} {self.month:%Y-%m}"


class Version(models.Model):
    """A counter that database triggers bump in the same transaction as every change it watches.

    Two rows: `data` (values and reports) and `catalogue` (areas, departments, indicators, targets).
    Written only by the triggers of metrics.versions; caches of figures are keyed by both, so a
    committed change is in the very next answer and a rolled-back one changes nothing.
    """

    name = models.CharField(max_length=20, primary_key=True)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("数据版本")
        verbose_name_plural = _("数据版本")

    def __str__(self):
        return f"{self.name} {self.value}"
