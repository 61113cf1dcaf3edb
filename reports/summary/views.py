"""Pages of the half-year summary: list, preview, editor with versions, exports (state, download, retry).

Reviewers and administrators edit and export; leaders read the preview and download.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from metrics import assignments
from metrics.models import Indicator
from metrics.periods import PeriodError, parse_period
from reports import permissions
from reports.summary import selectors, services
from reports.summary.models import ExportFormat, ExportState, SummaryExport, SummaryTemplate
from reports.summary.placeholders import SPECIALS, TemplateProblem, documented_options
from reports.summary.wording import typed_digits
from zhengfa.inputs import parse_id


def _require_read(user):
    if not permissions.can_read_summary(user):
        raise PermissionDenied(_("只有审核员、领导和管理员可以查看半年总结。"))


def _require(allowed):
    if not allowed:
        raise PermissionDenied(_("只有审核员和管理员可以编辑和导出半年总结。"))


def _period_or_404(code):
    try:
        return parse_period(code)
    except PeriodError as error:
        raise Http404(str(error)) from error


@require_GET
def summary_documents(request):
    """Every period's template, and a form for a new period's."""
    _require_read(request.user)
    templates = list(SummaryTemplate.objects.select_related("updated_by").order_by("-period"))
    for template in templates:
        template.display_title = selectors.display_title(template)
    recent = SummaryExport.objects.select_related("created_by")[:10]
    return render(
        request,
        "reports/summary/index.html",
        {"templates": templates, "recent": recent},
    )


@require_POST
def summary_new(request):
    """Start a period's template from an existing one (its text copied as version 1)."""
    _require(permissions.can_edit_summary(request.user))
    code = request.POST.get("period", "").strip()
    base = None
    if base_text := request.POST.get("base", ""):
        base = SummaryTemplate.objects.filter(pk=parse_id(base_text)).first()
        if base is None:
            messages.error(request, _("所选底稿不存在，未新建模板。"))
            return redirect("summary_documents")
    try:
        period = parse_period(code)
    except PeriodError as error:
        messages.error(request, str(error))
        return redirect("summary_documents")
    if SummaryTemplate.objects.filter(period=period.code).exists():
        messages.warning(request, _("%(p)s已有总结模板。") % {"p": period.label})
        return redirect("summary_edit", period=period.code)
    title = base.title if base else _("【县名】委政法委【期间】工作总结")
    body = base.body if base else _("一、工作开展情况\n（一）\n二、存在问题\n三、下一步工作打算\n")
    try:
        services.save_template(
            period=period.code,
            title=title,
            body=body,
            signatory=base.signatory if base else "",
            user=request.user,
            note=_("以%(base)s为底稿新建") % {"base": base.period} if base else _("新建"),
        )
    except TemplateProblem as problem:
        for p in problem.problems:
            messages.error(request, p.message)
        return redirect("summary_documents")
    messages.success(request, _("已新建%(p)s总结模板。") % {"p": period.label})
    return redirect("summary_edit", period=period.code)


def _exports(period_code):
    return SummaryExport.objects.for_period(period_code).select_related("created_by")


@require_GET
def summary_preview(request, period):
    """The template filled with data: figures highlighted, missing ones marked, sources on click; exports."""
    _require_read(request.user)
    period_obj = _period_or_404(period)
    template = selectors.template_for(period_obj.code)
    snapshot = assignments.load()
    rendered = selectors.render_summary(template, period=period_obj, snapshot=snapshot) if template else None
    sources = selectors.figure_sources(rendered.codes, period_obj, snapshot=snapshot) if rendered else {}
    return render(
        request,
        "reports/summary/preview.html",
        {
            "period": period_obj,
            "template": template,
            "rendered": rendered,
            "sources": sources,
            "exports": _exports(period_obj.code),
            "formats": ExportFormat.choices,
        },
    )


def _indicator_table():
    return Indicator.objects.active().select_related("area").order_by("area__order", "order", "code")


def summary_edit(request, period):
    """The editor: the text with its placeholders, the syntax beside it, the indicator codes, the versions."""
    _require(permissions.can_edit_summary(request.user))
    period_obj = _period_or_404(period)
    template = selectors.template_for(period_obj.code)
    problems = []
    title = template.title if template else ""
    body = template.body if template else ""
    signatory = template.signatory if template else _("中共【县名】委政法委员会")
    dated = template.dated if template else ""
    if request.method == "POST":
        title, body = request.POST.get("title", ""), request.POST.get("body", "")
        signatory, dated = request.POST.get("signatory"), request.POST.get("dated")
        try:
            saved = services.save_template(
                period=period_obj.code,
                title=title,
                body=body,
                signatory=signatory,
                dated=dated,
                user=request.user,
                note=request.POST.get("note", ""),
            )
        except TemplateProblem as problem:
            problems = problem.problems
            messages.error(request, _("模板有 %(n)d 处问题，未保存。请按下面的提示修改。") % {"n": len(problems)})
        else:
            if template and saved.version == template.version:
                messages.info(request, _("内容没有变化，未生成新版本。"))
            else:
                messages.success(request, _("已保存为第%(n)d版。") % {"n": saved.version})
            return redirect("summary_edit", period=period_obj.code)
    versions = template.versions.select_related("created_by") if template else []
    return render(
        request,
        "reports/summary/edit.html",
        {
            "period": period_obj,
            "template": template,
            "title_text": title,
            "signatory_text": signatory,
            "dated_text": dated,
            "body_text": body,
            "problems": problems,
            "digit_warnings": typed_digits(body, title=title),
            "versions": versions,
            "indicators": _indicator_table(),
            "options": documented_options(),
            "specials": list(SPECIALS),
        },
        status=400 if problems else 200,
    )


@require_POST
def summary_restore(request, period, number):
    """Make an earlier version current (as a new version)."""
    _require(permissions.can_edit_summary(request.user))
    template = get_object_or_404(SummaryTemplate, period=period)
    if not template.versions.filter(number=number).exists():
        raise Http404(_("没有这个版本。"))
    try:
        saved = services.restore_version(template=template, number=number, user=request.user)
    except TemplateProblem as problem:
        # An old version may name an indicator since removed from the catalogue.
        for p in problem.problems:
            messages.error(request, p.message)
        return redirect("summary_edit", period=period)
    messages.success(request, _("已将第%(old)d版恢复为第%(new)d版。") % {"old": number, "new": saved.version})
    return redirect("summary_edit", period=period)


def _tell_queued(request, export, queued):
    """Say the export was queued, or (the broker did not take it) that it failed and may be retried."""
    export.refresh_from_db(fields=["state", "error"])
    if export.state == ExportState.FAILED:
        messages.error(request, _("导出失败：%(why)s") % {"why": export.error})
    else:
        messages.success(request, queued)


@require_POST
def summary_export(request, period):
    """Queue an export; the page then shows its progress."""
    _require(permissions.can_export_summary(request.user))
    period_obj = _period_or_404(period)
    try:
        export = services.request_export(
            period=period_obj.code, format=request.POST.get("format", ""), user=request.user
        )
    except services.ExportError as error:
        messages.error(request, str(error))
    else:
        _tell_queued(request, export, _("已提交导出：%(f)s。") % {"f": export.get_format_display()})
    return redirect(reverse("summary_preview", kwargs={"period": period_obj.code}) + "#exports")


@require_POST
def summary_retry(request, pk):
    """Queue a failed export again."""
    _require(permissions.can_retry_export(request.user))
    export = get_object_or_404(SummaryExport, pk=pk)
    try:
        again = services.retry_export(export=export, user=request.user)
    except services.ExportError as error:
        messages.error(request, str(error))
    else:
        _tell_queued(request, again, _("已重新提交导出。"))
    return redirect(reverse("summary_preview", kwargs={"period": export.period}) + "#exports")


def export_json(export):
    """What the page's poller needs to show one export."""
    local = timezone.localtime
    return {
        "id": export.pk,
        "format": export.get_format_display(),
        "state": export.state,
        "state_label": export.get_state_display(),
        "progress": export.progress,
        "error": export.error,
        "missing": export.missing_count,
        "who": export.created_by.display_name if export.created_by else "",
        "created": date_format(local(export.created_at), "Y-m-d H:i:s"),
        "finished": date_format(local(export.finished_at), "Y-m-d H:i:s") if export.finished_at else "",
        "download": reverse("summary_download", kwargs={"pk": export.pk}) if export.is_done else "",
    }


@require_GET
def summary_exports_json(request, period):
    """The period's exports as JSON, polled while one is queued or running."""
    _require_read(request.user)
    return JsonResponse({"exports": [export_json(e) for e in _exports(period)[:50]]})


@require_GET
def summary_download(request, pk):
    """The exported file, to reviewers, administrators and leaders only (never served as public media)."""
    _require_read(request.user)
    export = get_object_or_404(SummaryExport, pk=pk)
    if not export.is_done:
        raise Http404(_("文件尚未生成。"))
    try:
        handle = export.file.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("文件已不存在，请重新导出。")) from error
    return FileResponse(handle, as_attachment=True, filename=export.filename)
