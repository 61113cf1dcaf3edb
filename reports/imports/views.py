"""Pages of the entry workbook: download, upload, preview, commit."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from metrics import assignments, periods
from metrics.models import Department
from metrics.periods import PeriodError, parse_month, parse_year
from reports import permissions
from reports.imports import services, submission, workbook
from reports.imports.errors import ImportFileError
from reports.imports.models import ImportBatch
from reports.reporting import selectors


def _departments_for(user):
    """The departments whose workbooks the page offers: those expected to report that the user may import."""
    if not permissions.can_import(user):
        return []
    return [d for d in assignments.reporting_departments() if permissions.can_import_department(user, d.pk)]


def _years():
    this_year = periods.today().year
    return list(range(this_year, this_year - 6, -1))


def _visible_batches(user):
    batches = ImportBatch.objects.select_related("department", "user").defer("content")
    return batches.filter(department__in=permissions.departments_user_may_import(user))


def _home(request, *, status=200, error=""):
    user = request.user
    departments = _departments_for(user)
    if not departments:
        raise PermissionDenied(_("只有填报员、审核员和管理员可以导入数据。"))
    latest = selectors.latest_report_month()
    forms = {}
    for line in selectors.reporting_lines(department_ids={d.pk for d in departments}):
        forms.setdefault(line.form.pk, line.form)
    context = {
        "departments": departments,
        "forms": sorted(forms.values(), key=lambda f: (f.order, f.code)),
        "years": _years(),
        "default_year": (latest or periods.today()).year,
        "batches": _visible_batches(user)[:10],
        "max_size": workbook.human_size(settings.IMPORT_MAX_BYTES),
        "error": error,
    }
    return render(request, "imports/home.html", context, status=status)


def import_home(request):
    """Download a department's workbook for a year; upload a filled one."""
    return _home(request)


def download_template(request):
    """The entry workbook (XLSX) of ?department=code&form=code&year=YYYY, pre-filled with the stored figures.

    Without `form`, the department's first form."""
    department = get_object_or_404(Department, code=request.GET.get("department", ""))
    if not permissions.can_import_department(request.user, department.pk):
        raise PermissionDenied(_("您只能下载本单位的填报表。"))
    forms = assignments.forms_for(department)
    wanted = request.GET.get("form", "")
    form = next((f for f in forms if f.code == wanted), None) if wanted else (forms[0] if forms else None)
    if form is None:
        messages.error(request, _("%(department)s不填报所选报表。") % {"department": department.name})
        return redirect("import_home")
    try:
        year = parse_year(request.GET.get("year", ""))
    except PeriodError as error:
        messages.error(request, _("年度无效：%(reason)s") % {"reason": error})
        return redirect("import_home")
    content = services.template_for(department=department, form=form, year=year)
    response = HttpResponse(content, content_type=workbook.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = _attachment(services.template_filename(department, form, year))
    return response


def _attachment(filename):
    from urllib.parse import quote

    return f"attachment; filename=\"template.xlsx\"; filename*=UTF-8''{quote(filename)}"


@require_POST
def upload(request):
    """Read the uploaded workbook and show its preview; a refused file changes nothing."""
    if not permissions.can_import(request.user):
        raise PermissionDenied(_("只有填报员、审核员和管理员可以导入数据。"))
    upload = request.FILES.get("file")
    if upload is None:
        return _home(request, status=400, error=_("请选择要上传的 Excel 文件（.xlsx）。"))
    if upload.size > settings.IMPORT_MAX_BYTES:
        # Refused on the size Django already knows: the content is never parsed.
        return _home(
            request,
            status=400,
            error=_("文件过大（%(size)s），上限为 %(limit)s。请只上传本系统下载的填报模板。")
            % {"size": workbook.human_size(upload.size), "limit": workbook.human_size(settings.IMPORT_MAX_BYTES)},
        )
    try:
        batch, _plan = services.upload_workbook(user=request.user, filename=upload.name, data=upload.read())
    except ImportFileError as error:
        return _home(request, status=400, error=error.message)
    return redirect("import_preview", pk=batch.pk)


def _batch_for(request, pk):
    batch = get_object_or_404(ImportBatch.objects.select_related("department", "user"), pk=pk)
    if not permissions.can_import_department(request.user, batch.department_id):
        raise PermissionDenied(_("您只能查看本单位的导入。"))
    return batch


def preview(request, pk):
    """What committing the file would change now: new, changed, unchanged and refused cells."""
    batch = _batch_for(request, pk)
    try:
        plan = services.plan_batch(batch=batch, user=request.user)
    except ImportFileError as error:
        messages.error(request, error.message)
        return redirect("import_home")
    # Once written, the badges say what the file wrote (as the banner did); the cells compare with the data now.
    counts = batch.counts if batch.is_committed else {**plan.counts, "refused": plan.refused_total}
    imported = submission.imported_reports(batch=batch, form=plan.form, user=request.user)
    return render(
        request,
        "imports/preview.html",
        {
            "batch": batch,
            "plan": plan,
            "counts": counts,
            "imported": imported,
            "submittable": [item for item in imported if item.can_submit],
        },
    )


@require_POST
def submit(request, pk):
    """上报 the months the batch wrote that the user picked: each through the workflow, as its own action."""
    batch = _batch_for(request, pk)
    versions = {}
    picked = request.POST.getlist("month")
    # 逐月上报全部: every month the page offered, each still its own action.
    for text in request.POST.getlist("every") if "all" in picked else picked:
        try:
            month = parse_month(text)
            versions[month] = request.POST.get(f"version-{month:%Y-%m}", "")
        except PeriodError as error:
            messages.error(request, str(error))
            return redirect("import_preview", pk=batch.pk)
    if not versions:
        messages.error(request, _("请选择要上报的月份。"))
        return redirect("import_preview", pk=batch.pk)
    try:
        form = services.plan_batch(batch=batch, user=request.user).form
    except ImportFileError as error:
        messages.error(request, error.message)
        return redirect("import_home")
    outcomes = submission.submit_imported(
        batch=batch,
        form=form,
        user=request.user,
        versions=versions,
        confirm_blanks=request.POST.get("confirm_blanks") == "1",
    )
    for report, error in outcomes:
        month = f"{report.month:%Y年%-m月}"
        if error:
            messages.error(request, _("%(month)s未上报。%(error)s") % {"month": month, "error": error})
        else:
            messages.success(request, _("%(month)s已上报，等待审核。") % {"month": month})
    if not outcomes:
        messages.error(request, _("所选月份不是这个文件写入的月份，未上报。"))
    return redirect("import_preview", pk=batch.pk)


@require_POST
def commit(request, pk):
    """Write the previewed changes in one transaction, or nothing."""
    batch = _batch_for(request, pk)
    try:
        plan = services.commit_batch(batch=batch, user=request.user, fingerprint=request.POST.get("fingerprint", ""))
    except ImportFileError as error:
        messages.error(request, error.message)
        return redirect("import_preview", pk=batch.pk)
    counts = plan.counts
    messages.success(
        request,
        _("已写入：新增 %(new)d 项，修改 %(changed)d 项（%(months)d 个月）。")
        % {"new": counts["new"], "changed": counts["changed"], "months": len(plan.by_month())},
    )
    return redirect("import_preview", pk=batch.pk)
