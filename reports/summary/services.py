"""Writes for the summary: saving and restoring templates, requesting and running exports."""

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metrics.aggregation import summarize
from metrics.models import Indicator
from metrics.periods import PeriodError, parse_period
from metrics.validation import has_control_characters, text_problem
from reports.reporting.selectors import follow_up_values
from reports.summary import excel, pdf, word
from reports.summary.models import (
    ExportFormat,
    ExportState,
    SummaryExport,
    SummaryTemplate,
    SummaryTemplateVersion,
)
from reports.summary.placeholders import Problem, TemplateProblem, check_sign_off, check_template, parse_template
from reports.summary.selectors import catalogue, render_summary, responsible_names, uncertain_codes
from reports.summary.wording import value_places
from zhengfa.queueing import publish

logger = logging.getLogger(__name__)

# A half-year summary runs to a few thousand characters; the body column itself has no limit.
MAX_BODY = 50_000
INTERRUPTED = _("导出中断：后台进程在生成过程中停止，未能自动恢复。请点击“重试”重新导出。")
UNAVAILABLE = gettext_lazy("导出服务暂时不可用（后台任务队列没有响应），请稍后点击“重试”。")


class ExportError(RuntimeError):
    """An export that cannot be made; the message is for people."""


def _period(code):
    try:
        return parse_period(code)
    except PeriodError as error:
        raise TemplateProblem([Problem(0, "", code, str(error))]) from error


def _line_of_control_character(text):
    """The line (from 1) of text's first control character, 0 when it has none."""
    for number, line in enumerate(text.split("\n"), start=1):
        if has_control_characters(line):
            return number
    return 0


def _text_problems(**texts):
    """Problems of a template's free text: longer than its column (the body: MAX_BODY), or control characters."""
    labels = {"title": _("标题"), "body": _("正文"), "signatory": _("署名"), "dated": _("成文日期"), "note": _("说明")}
    problems = []
    for name, text in texts.items():
        limit = MAX_BODY if name == "body" else SummaryTemplateVersion._meta.get_field(name).max_length
        if problem := text_problem(text or "", limit=limit):
            # The body's problem names its line, where the editor can find it.
            line = _line_of_control_character(text) if name == "body" else 0
            problems.append(Problem(line, labels[name] if not line else "", "", problem))
    return problems


@transaction.atomic
def save_template(*, period, title, body, user, note="", signatory=None, dated=None):
    """Save a period's template as a new version; raises TemplateProblem (nothing saved) when it has problems.

    Saving the same text again makes no new version. signatory/dated None keep the current ones.
    """
    period_code = _period(period).code
    title, body = title.strip(), body.replace("\r\n", "\n").strip()
    current = SummaryTemplate.objects.filter(period=period_code).first()
    if signatory is None:
        signatory = current.signatory if current else ""
    if dated is None:
        dated = current.dated if current else ""
    signatory, dated = signatory.strip(), dated.strip()
    if problems := _text_problems(title=title, body=body, signatory=signatory, dated=dated, note=note):
        raise TemplateProblem(problems)  # before the body is parsed: a refused text is never read further
    problems = []
    if not title:
        problems.append(Problem(0, "", "", _("标题不能为空。")))
    if not body:
        problems.append(Problem(1, "", "", _("正文不能为空。")))
    problems += check_template(body, catalogue(), title=title)
    problems += check_sign_off(signatory, _("署名")) + check_sign_off(dated, _("成文日期"))
    if problems:
        raise TemplateProblem(problems)
    now = timezone.now()
    template = SummaryTemplate.objects.select_for_update().filter(period=period_code).first()
    if template is None:
        template = SummaryTemplate.objects.create(
            period=period_code,
            title=title,
            body=body,
            signatory=signatory,
            dated=dated,
            version=1,
            updated_by=user,
            updated_at=now,
        )
    elif (template.title, template.body, template.signatory, template.dated) == (title, body, signatory, dated):
        return template
    else:
        template.title, template.body, template.version = title, body, template.version + 1
        template.signatory, template.dated = signatory, dated
        template.updated_by, template.updated_at = user, now
        template.save()
    SummaryTemplateVersion.objects.create(
        template=template,
        number=template.version,
        title=title,
        body=body,
        signatory=signatory,
        dated=dated,
        note=note,
        created_by=user,
        created_at=now,
    )
    return template


@transaction.atomic
def restore_version(*, template, number, user):
    """Make an earlier version current again, as a new version (history is never rewritten)."""
    version = template.versions.get(number=number)
    return save_template(
        period=template.period,
        title=version.title,
        body=version.body,
        signatory=version.signatory,
        dated=version.dated,
        user=user,
        note=_("恢复自第%(n)d版") % {"n": number},
    )


@transaction.atomic
def request_export(*, period, format, user, retry_of=None):
    """Queue an export of a period's summary; the task starts once this transaction commits.

    With the broker down the export is failed (UNAVAILABLE) within seconds: re-read it to tell the user.
    """
    period_code = _period(period).code
    if format not in ExportFormat.values:
        raise ExportError(_("不支持的导出格式“%(f)s”。") % {"f": format})
    export = SummaryExport.objects.create(period=period_code, format=format, created_by=user, retry_of=retry_of)
    transaction.on_commit(lambda: _queue(export.pk))
    return export


def _queue(export_id):
    """Hand the export to a worker; when the broker cannot take it, it fails at once (retry is offered)."""
    from reports.summary.tasks import run_summary_export

    if not publish(run_summary_export, export_id):
        _update(export_id, state=ExportState.FAILED, error=str(UNAVAILABLE), finished_at=timezone.now())


@transaction.atomic
def retry_export(*, export, user):
    """A failed (or stale) export queued again as a new export (the old one stays in the history, failed)."""
    if not export.can_retry:
        raise ExportError(_("只有失败或超时未完成的导出可以重试。"))
    if export.is_open:
        SummaryExport.objects.filter(pk=export.pk, state__in=[ExportState.QUEUED, ExportState.RUNNING]).update(
            state=ExportState.FAILED,
            error=_("超时未完成（后台任务可能已中断），已重新提交。"),
            finished_at=timezone.now(),
        )
    return request_export(period=export.period, format=export.format, user=user, retry_of=export)


@transaction.atomic
def _update(export_id, **fields):
    SummaryExport.objects.filter(pk=export_id).update(**fields)


def _lease_start():
    return timezone.now() - timedelta(seconds=settings.SUMMARY_EXPORT_LEASE_SECONDS)


def _running():
    # The last sign of life of a running export: its heartbeat, or its start (rows from before heartbeats).
    return SummaryExport.objects.filter(state=ExportState.RUNNING).annotate(
        alive_at=Coalesce("heartbeat_at", "started_at")
    )


def _claim(export_id):
    """queued → running, once: a task delivered twice does the work once.

    A running export whose lease has lapsed (no heartbeat for SUMMARY_EXPORT_LEASE_SECONDS)
    was abandoned by a worker that died mid-export: it is taken over and built again, so a
    killed worker's export is retried, not left running.
    """
    lapsed = _running().filter(pk=export_id, alive_at__lt=_lease_start()).values("pk")
    now = timezone.now()
    with transaction.atomic():
        return (
            SummaryExport.objects.filter(pk=export_id)
            .filter(Q(state=ExportState.QUEUED) | Q(pk__in=lapsed))
            .update(state=ExportState.RUNNING, progress=5, started_at=now, heartbeat_at=now)
            == 1
        )


def running_elsewhere(export_id):
    """True while another delivery of the export holds its lease (the task then looks again later)."""
    return _running().filter(pk=export_id, alive_at__gte=_lease_start()).exists()


def beat(export_id):
    """Renew a running export's lease (the heartbeat of the task building it)."""
    SummaryExport.objects.filter(pk=export_id, state=ExportState.RUNNING).update(heartbeat_at=timezone.now())


class Heartbeat:
    """While the block runs, renew the export's lease every SUMMARY_EXPORT_HEARTBEAT_SECONDS from a thread:
    a long step (the PDF conversion) never lets the lease lapse, and a killed worker stops beating,
    so that the lease can be short and its export is taken over soon."""

    def __init__(self, export_id):
        self.export_id, self.stop = export_id, threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"export-{export_id}-heartbeat", daemon=True)

    def _run(self):
        try:
            while not self.stop.wait(settings.SUMMARY_EXPORT_HEARTBEAT_SECONDS):
                try:
                    beat(self.export_id)
                except Exception:  # a missed beat is not the export's failure; the next one may get through
                    logger.warning("heartbeat of export %s failed", self.export_id, exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def requeue_running_exports(*, queue=None):
    """Queue again every running export (its worker may have died); run when a worker starts, so that
    the export of a worker killed as a whole does not wait for the broker's visibility timeout.
    A duplicate delivery is harmless (`_claim`). Returns how many."""
    from reports.summary.tasks import run_summary_export

    # Every running export, lapsed or not yet: a killed worker's lease may still have seconds to run,
    # and a live one's delivery just looks again later (`running_elsewhere`).
    running = list(_running().values_list("pk", flat=True))
    for export_id in running:
        run_summary_export.apply_async(args=[export_id], queue=queue)
    return len(running)


@transaction.atomic
def sweep_abandoned_exports():
    """Fail every export running longer than SUMMARY_EXPORT_ABANDONED_SECONDS: its worker is gone
    and no redelivery took it over. Returns how many. Run periodically (Celery beat)."""
    cutoff = timezone.now() - timedelta(seconds=settings.SUMMARY_EXPORT_ABANDONED_SECONDS)
    abandoned = _running().filter(alive_at__lt=cutoff).values("pk")
    return SummaryExport.objects.filter(pk__in=abandoned, state=ExportState.RUNNING).update(
        state=ExportState.FAILED, error=INTERRUPTED, finished_at=timezone.now()
    )


def build_export(*, period, format, progress=lambda n: None):
    """(file bytes, template version or None, missing count or None) of a period's export."""
    period = parse_period(period)
    template = SummaryTemplate.objects.filter(period=period.code).first()
    if format == ExportFormat.XLSX:
        indicators = list(Indicator.objects.active().select_related("area"))
        summary = summarize(period, indicators=indicators)
        progress(60)
        responsible = responsible_names(indicators, limit=None)
        # The annex rounds as the text does: the decimals the period's template asks for.
        places = value_places(parse_template(template.body)[0], catalogue()) if template else {}
        uncertain = uncertain_codes(summary, follow_up_values(period.first, period.last))
        content = excel.build_xlsx(
            summary, county=settings.COUNTY_NAME, responsible=responsible, places=places, uncertain=uncertain
        )
        return content, None, None
    if template is None:
        raise ExportError(_("%(period)s还没有总结模板，请先编辑模板。") % {"period": period.label})
    rendered = render_summary(template, period=period)
    progress(40)
    author = _("%(county)s委政法委") % {"county": settings.COUNTY_NAME}
    content = word.build_docx(rendered, author=author, for_libreoffice=format == ExportFormat.PDF)
    progress(60)
    if format == ExportFormat.PDF:
        try:
            content = pdf.docx_to_pdf(content)
        except pdf.ConversionError as error:
            raise ExportError(str(error)) from error
    return content, template.version, len(rendered.missing)


def run_export(*, export_id):
    """Do one queued export: running with progress, then done with its file or failed with the reason.

    Not one transaction: each step commits so that the page can show progress.
    """
    if not _claim(export_id):
        return
    export = SummaryExport.objects.get(pk=export_id)
    try:
        with Heartbeat(export_id):
            content, version, missing = build_export(
                period=export.period,
                format=export.format,
                progress=lambda n: _update(export_id, progress=n),
            )
        _update(export_id, progress=90)
        with transaction.atomic():
            export = SummaryExport.objects.select_for_update().get(pk=export_id)
            export.file.save(export.filename, ContentFile(content), save=False)
            export.state, export.progress, export.finished_at = ExportState.DONE, 100, timezone.now()
            export.template_version, export.missing_count = version, missing
            export.save()
    except Exception as error:  # every failure is shown on the page with its reason
        if isinstance(error, ExportError | TemplateProblem):
            reason = str(error)
        else:
            logger.exception("summary export %s failed", export_id)
            reason = _("生成失败（%(kind)s）：%(detail)s") % {"kind": type(error).__name__, "detail": error}
        _update(export_id, state=ExportState.FAILED, error=reason, finished_at=timezone.now())
