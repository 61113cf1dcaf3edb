"""ImportBatch: an uploaded entry workbook, kept from preview to commit (and as a record afterwards)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportBatch(models.Model):
    """One upload: the file as sent, what its preview showed, and whether and when it was committed.

    The preview's `fingerprint` (a digest of every planned change and the
    values it was computed against) is checked again at commit, so a commit
    never writes something other than what the user saw.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="import_batches"
    )
    department = models.ForeignKey(
        "metrics.Department", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="import_batches"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    filename = models.CharField(_("文件名"), max_length=200)
    content = models.BinaryField(_("文件内容"))
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    fingerprint = models.CharField(_("预览摘要"), max_length=64)
    counts = models.JSONField(_("变化统计"), default=dict)
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    committed_at = models.DateTimeField(_("写入时间"), null=True, blank=True)

    class Meta:
        app_label = "reports"
        ordering = ["-created_at", "-pk"]
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")

    def __str__(self):
        return f"{self.department} {self.year} {self.filename}"

    @property
    def is_committed(self):
        return self.committed_at is not None
