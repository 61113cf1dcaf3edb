"""Models of the half-year summary: templates with their versions, and exports (imported by reports.models)."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SummaryTemplate(models.Model):
    """The text of one period's summary (e.g. 2023H1), with placeholders for every figure.

    The current text lives here; every saved text is also kept as a SummaryTemplateVersion.
    """

    period = models.CharField(_("期间"), max_length=20, unique=True, help_text=_("如 2023H1"))
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    signatory = models.CharField(_("署名"), max_length=100, blank=True, help_text=_("如 中共【县名】委政法委员会"))
    dated = models.CharField(_("成文日期"), max_length=40, blank=True, help_text=_("如 2023年7月10日"))
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("修改时间"))

    class Meta:
        ordering = ["-period"]
        verbose_name = _("总结模板")
        verbose_name_plural = _("总结模板")

    def __str__(self):
        return f"{self.period} {self.title}"


class SummaryTemplateVersion(models.Model):
    """One saved text of a template: who saved it, when, and why (e.g. restored from version 2)."""

    template = models.ForeignKey(
        SummaryTemplate, verbose_name=_("模板"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"))
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    signatory = models.CharField(_("署名"), max_length=100, blank=True)
    dated = models.CharField(_("成文日期"), max_length=40, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("保存人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("保存时间"))

    class Meta:
        ordering = ["template", "-number"]
        verbose_name = _("总结模板版本")
        verbose_name_plural = _("总结模板版本")
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="summary_version_unique_number"),
        ]

    def __str__(self):
        return f"{self.template.period} v{self.number}"


class ExportFormat(models.TextChoices):
    DOCX = "docx", _("Word 文档")
    PDF = "pdf", _("PDF 文档")
    XLSX = "xlsx", _("Excel 附表")


class ExportState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class SummaryExportQuerySet(models.QuerySet):
    def for_period(self, period):
        return self.filter(period=period)

    def open(self):
        return self.filter(state__in=[ExportState.QUEUED, ExportState.RUNNING])


# An export queued or running for longer than this has lost its worker (stopped, restarted): it may be retried.
STALE_AFTER = datetime.timedelta(minutes=15)


class SummaryExport(models.Model):
    """One requested export of a period's summary: its state, progress, file or error, who asked and when."""

    period = models.CharField(_("期间"), max_length=20)
    format = models.CharField(_("格式"), max_length=4, choices=ExportFormat.choices)
    state = models.CharField(_("状态"), max_length=8, choices=ExportState.choices, default=ExportState.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    template_version = models.PositiveIntegerField(_("模板版本"), null=True, blank=True)
    # Written under MEDIA_ROOT but never served as public media: only the download view hands it out.
    file = models.FileField(_("文件"), upload_to="summary_exports/%Y/%m/", blank=True, max_length=300)
    missing_count = models.PositiveIntegerField(_("缺数个数"), null=True, blank=True)
    error = models.TextField(_("失败原因"), blank=True)
    retry_of = models.ForeignKey(
        "self", verbose_name=_("重试自"), null=True, blank=True, on_delete=models.SET_NULL, related_name="retries"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    # Renewed every few seconds by the task building the export: a lapsed heartbeat means its worker died.
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = SummaryExportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("总结导出")
        verbose_name_plural = _("总结导出")
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="summary_export_progress_max_100"),
        ]

    def __str__(self):
        return f"{self.period} {self.format} {self.state}"

    @property
    def is_open(self):
        return self.state in (ExportState.QUEUED, ExportState.RUNNING)

    @property
    def is_stale(self):
        """Queued, or running without a heartbeat, for longer than STALE_AFTER: its worker has most likely gone."""
        return self.is_open and timezone.now() - (self.heartbeat_at or self.started_at or self.created_at) > STALE_AFTER

    @property
    def can_retry(self):
        return self.state == ExportState.FAILED or self.is_stale

    @property
    def is_done(self):
        return self.state == ExportState.DONE and bool(self.file)

    @property
    def filename(self):
        """The name a downloaded file gets: 2023H1半年工作总结.docx."""
        suffix = "附表" if self.format == ExportFormat.XLSX else ""
        return f"{self.period}半年工作总结{suffix}.{self.format}"
