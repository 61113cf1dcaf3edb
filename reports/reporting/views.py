"""Pages of the monthly reporting workflow: a clerk's months, the entry form, review, completeness, history.

Thin: find the report, check who may see it, call a selector or a service,
render. Permissions are checked here and again in the workflow. A clerk
asking for another department's report gets 404, as if it did not exist.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from metrics import assignments, periods
from metrics.aggregation import ratio_of
from metrics.formatting import echo, plain, quantize
from metrics.forms import Form
from metrics.models import Department
from metrics.periods import PeriodError, add_months, first_of_month, last_month_over, month_of, parse_month
from metrics.validation import NumberError, parse_number, validate
from reports.permissions import can_edit_department, can_report, can_review, can_see_all, can_view_department
from reports.reporting import chasing, errors, review, selectors, workflow
from reports.reporting.actions import ACTIONS
from reports.reporting.forms import EntryForm
from reports.reporting.models import MonthlyReport, ReportAction, ReportState, entry_url


def _month(year, month):
    """The month of an address; 404 (with the reason) for one that does not exist."""
    try:
        return month_of(year, month)
    except PeriodError as error:
        raise Http404(str(error)) from error


def _department_for(user, code):
    """The department, or 404 when it does not exist or the user may not see it."""
    department = get_object_or_404(Department, code=code)
    if not can_view_department(user, department.pk):
        raise Http404(_("没有找到该单位的月报。"))
    return department


def _report_for(user, department_code, form_code, year, month):
    """The report of an address (unsaved 未填报 if it has no row yet); 404 for what the user may not see,
    a form that does not exist, or one the department does not report."""
    department = _department_for(user, department_code)
    form = get_object_or_404(Form, code=form_code)
    if form not in assignments.forms_for(department):
        raise Http404(_("%(department)s不填报“%(form)s”。") % {"department": department.name, "form": form.name})
    return selectors.find_report(department, form, _month(year, month))


def entry_list(request):
    """A clerk's months: every month due and not approved (the overdue ones first, oldest first) and the
    recent reports."""
    user = request.user
    if not can_report(user):
        if can_see_all(user):
            return redirect("completeness")
        raise PermissionDenied
    lines = selectors.reporting_lines(department_ids={user.department_id})
    picked = request.GET.get("month", "")
    if picked:
        try:
            month = parse_month(picked)
            form = next((line.form for line in lines if line.form.code == request.GET.get("form")), None)
            if form is None and lines:
                form = lines[0].form
            if form is not None:
                return redirect(entry_url(user.department, form, month))
        except PeriodError as error:
            messages.error(request, str(error))
    today = periods.today()
    rows = selectors.department_months(user.department, due=last_month_over(today), today=today)
    return render(
        request,
        "reports/entry_list.html",
        {
            "department": user.department,
            "rows": rows,
            "overdue": sum(1 for row in rows if row.overdue),
            "forms": [line.form for line in lines],
            "today": today,
            "this_month": first_of_month(today),
        },
    )


def _entry_context(request, report, *, form=None, stale=None, violations=None, blanks=None):
    """Everything the entry page shows; a fixed number of queries whatever the catalogue's size."""
    user = request.user
    department = report.department
    indicators = selectors.report_indicators(department, report.form)
    rows = selectors.entry_rows(department, report.month, indicators)
    stored = {r.indicator.code: r.value for r in rows}
    rules = selectors.active_rules()
    if violations is None:
        violations = validate(stored, {}, rules).violations
    warnings = selectors.outliers_for(rows, stored)
    flagged = {code for v in violations for code in v.codes}
    opened = _values_when_opened(stale, stored)
    comments = selectors.value_comments(report)
    for row in rows:
        code = row.indicator.code
        row.comment = comments.get(code)
        row.outlier = warnings.get(code, "")
        row.in_violation = code in flagged
        row.errors = form.errors.get(code, []) if form else []
        row.typed = form.raw.get(code) if form and code in form.raw else None
        row.typed_note = form.notes.get(code) if form and code in form.notes else None
        if stale is not None and row.typed is not None:
            # After a refused stale save the boxes show what is stored now; keep beside a box what this
            # user typed into it (differs from what the form showed when opened) and is not stored now.
            typed = _differs(row.typed, opened.get(code)) and _differs(row.typed, row.value)
            row.mine = row.typed if typed else None
            row.typed = None
            row.typed_note = None
    ratios = selectors.department_ratios(indicators)
    for ratio in ratios:
        current = ratio_of(stored.get(ratio.numerator.code), stored.get(ratio.denominator.code))
        ratio.current = None if current is None else quantize(current, ratio.decimals or 2)
    actions = {a.name: a for a in workflow.available_actions(report, user)}
    today = periods.today()
    return {
        "report": report,
        "department": department,
        "groups": selectors.group_by_area(rows),
        "ratios": ratios,
        "violations": violations,
        "warnings_count": len(warnings),
        "editable": ReportAction.SAVE in actions,
        "can_withdraw": ReportAction.WITHDRAW in actions,
        "review_actions": [a for a in actions.values() if a.page == "review"],
        # Review at a glance: what a submitted report holds that the committee should look at first.
        "summary": review.summarize(rows, rules)
        if report.state == ReportState.SUBMITTED and can_see_all(user)
        else None,
        "comments": [row for row in rows if row.comment],
        "may_comment": report.pk is not None and can_review(user),
        "blanks": blanks,
        "form": form,
        "stale": stale,
        "deadline": report.deadline,
        "overdue": report.is_overdue(today),
        "late": report.submitted_late,
        "filled": sum(1 for r in rows if r.value is not None),
        "events": selectors.report_events(report)[-5:],
        "previous_month": add_months(report.month, -1),
        "last_year_month": add_months(report.month, -12),
    }


def _values_when_opened(stale, stored):
    """{code: value} as the refused form showed them: before the first change made since it was opened."""
    if stale is None:
        return {}
    opened = dict(stored)
    for change in reversed(stale.changes):
        opened[change.code] = change.old_value
    return opened


def _differs(text, value):
    """Whether typed `text` means another figure than `value` (1,000 and 1000.0 do not differ from 1000)."""
    try:
        return parse_number(text) != value
    except NumberError:
        return text.strip() != plain(value)


@require_http_methods(["GET", "POST"])
def report_entry(request, department, form, year, month):
    """The month's figures: an entry form for the department's clerk, read-only (with review) for others."""
    report = _report_for(request.user, department, form, year, month)
    if request.method == "POST":
        if request.POST.get("action") == ReportAction.WITHDRAW:
            return _act(request, report, ReportAction.WITHDRAW, page="entry")
        return _save(request, report)
    context = _entry_context(request, report)
    if reason := workflow.future_month_refusal(report.month):
        messages.error(request, reason)
        context["editable"] = False
    return render(request, "reports/entry.html", context)


def _save(request, report):
    """Save the typed figures as a draft and, with action=submit, submit them (blanks confirmed).

    The figures are read and checked before anything is written: a refused page creates no report row.
    """
    user = request.user
    if not can_edit_department(user, report.department_id):
        raise PermissionDenied(str(ACTIONS[ReportAction.SAVE].forbidden))
    action = request.POST.get("action", "")
    if action not in (ReportAction.SAVE, ReportAction.SUBMIT):
        messages.error(request, _("无法识别的操作：%(action)s。") % {"action": echo(action)})
        return redirect(report)
    form = EntryForm(request.POST, selectors.report_indicators(report.department, report.form))
    if not form.is_valid():
        messages.error(request, form.summary())
        return render(request, "reports/entry.html", _entry_context(request, report, form=form), status=400)
    try:
        if report.pk is None:
            report = workflow.get_or_create_report(department=report.department, form=report.form, month=report.month)
        result = workflow.perform(
            ReportAction.SAVE,
            report=report,
            user=user,
            values=form.values,
            notes=form.notes,
            version=request.POST.get("version", ""),
        )
    except errors.StaleReport as error:
        messages.error(request, error.message)
        report.refresh_from_db()
        return render(
            request, "reports/entry.html", _entry_context(request, report, form=form, stale=error), status=409
        )
    except errors.InvalidValues as error:
        form.errors.update(error.errors)
        messages.error(request, error.message)
        return render(request, "reports/entry.html", _entry_context(request, report, form=form), status=400)
    except (errors.TransitionError, errors.InvalidMonth) as error:
        messages.error(request, error.message)
        return redirect(report)

    if request.POST.get("action") == ReportAction.SUBMIT:
        return _submit(request, report, form, result)
    saved = _("草稿已保存（修改 %(n)d 项）。") % {"n": len(result.changed)}
    if result.violations:
        saved += _("有 %(n)d 条校验规则未通过，修改后才能上报。") % {"n": len(result.violations)}
    if result.warnings:
        saved += _("有 %(n)d 项数据明显异常，请在备注中说明。") % {"n": len(result.warnings)}
    (messages.warning if result.violations or result.warnings else messages.success)(request, saved)
    return redirect(report)


def _submit(request, report, form, saved):
    """Submit a report just saved; a page that asks again when boxes are empty and not yet confirmed."""
    try:
        # The version this request's own save produced: figures changed by anyone since are not submitted unseen.
        workflow.perform(
            ReportAction.SUBMIT,
            report=report,
            user=request.user,
            version=saved.report.version,
            confirmed_blanks=request.POST.getlist("confirmed_blank"),
        )
    except errors.BlanksNotConfirmed as error:
        # Not an error: the draft is saved, and the page asks for the confirmation.
        messages.warning(request, _("草稿已保存。") + error.message)
        return render(request, "reports/entry.html", _entry_context(request, report, blanks=error.blanks))
    except errors.InvalidValues as error:
        messages.warning(request, _("草稿已保存。") + error.message)
        context = _entry_context(request, report, violations=error.violations)
        for row in (r for _area, rows in context["groups"] for r in rows):
            row.errors = error.errors.get(row.indicator.code, [])
        return render(request, "reports/entry.html", context, status=400)
    except errors.ReportError as error:
        messages.error(request, error.message)
        return redirect(report)
    done = str(ACTIONS[ReportAction.SUBMIT].done) % {"report": report}
    unexplained = [code for code in saved.warnings if not form.notes.get(code)]
    if unexplained:
        done += _("其中 %(n)d 项数据明显异常且未在备注中说明，审核时可能被退回。") % {"n": len(unexplained)}
    (messages.warning if unexplained else messages.success)(request, done)
    return redirect(report)


def _act(request, report, action, *, page):
    """Carry out a state action posted from `page`; back to the report (or the queue after a review)."""
    spec = ACTIONS.get(action)
    if spec is None or spec.page != page or report.pk is None:
        messages.error(request, _("无法识别的操作：%(action)s。") % {"action": echo(action or "")})
        return redirect(report)
    try:
        workflow.perform(
            action,
            report=report,
            user=request.user,
            version=request.POST.get("version", ""),
            reason=request.POST.get("reason", ""),
        )
    except errors.ReportError as error:
        if isinstance(error, errors.PermissionDenied):
            raise  # 403, as for any forbidden request
        messages.error(request, error.message)
        return redirect(report)
    messages.success(request, str(spec.done) % {"report": report})
    if page == "review" and action != ReportAction.REOPEN:
        return redirect("review_queue")
    return redirect(report)


@require_POST
def report_review(request, department, form, year, month):
    """Approve, return (with reason) or reopen (with reason); reviewers and administrators only."""
    report = _report_for(request.user, department, form, year, month)
    if not can_review(request.user):
        raise PermissionDenied(str(ACTIONS[ReportAction.APPROVE].forbidden))
    return _act(request, report, request.POST.get("action"), page="review")


def report_history(request, department, form, year, month):
    """Every state change and every value change of the report: who, when, old, new, note."""
    report = _report_for(request.user, department, form, year, month)
    indicators = selectors.report_indicators(report.department, report.form)
    return render(
        request,
        "reports/history.html",
        {
            "report": report,
            "department": report.department,
            "events": selectors.report_events(report),
            "changes": selectors.value_changes(report.department, report.month, indicators=indicators),
            "comments": selectors.comment_history(report),
        },
    )


def review_queue(request):
    """Submitted reports waiting for review (oldest first), and returned ones waiting for the department."""
    if not can_see_all(request.user):
        raise PermissionDenied(_("审核队列仅对审核员、领导和管理员开放。"))
    today = periods.today()
    submitted = selectors.review_queue()
    summaries = review.review_summaries(submitted)
    for report in submitted:
        report.problems = summaries[report.pk].problems()
    due = _month_param(request, "late") or last_month_over(today)
    if reason := workflow.future_month_refusal(due, today=today):
        messages.error(request, reason)
        due = last_month_over(today)
    late = chasing.late_reports(due, today=today)
    marks = selectors.chase_marks(due, due)
    for report in late:
        report.chase_mark = marks.get(report.pk)
    return render(
        request,
        "reports/review_queue.html",
        {
            "submitted": submitted,
            "returned": selectors.review_queue(states=(ReportState.RETURNED,)),
            "late": late,
            "due": due,
            "can_review": can_review(request.user),
            "today": today,
        },
    )


def completeness(request):
    """Departments × months in colour, with the reporting and on-time rates per month."""
    if not can_see_all(request.user):
        raise PermissionDenied(_("报送进度仅对审核员、领导和管理员开放。"))
    today = periods.today()
    last = _month_param(request, "end") or selectors.latest_report_month() or last_month_over(today)
    last = min(last, first_of_month(today))
    first = _month_param(request, "start") or add_months(last, -11)
    if first > last or add_months(first, 36) <= last:
        messages.error(request, _("月份范围应在 36 个月以内，且开始不晚于结束。"))
        first = add_months(last, -11)
    lines, months, cells, rates = selectors.completeness(first, last, today=today)
    marks = selectors.chase_marks(first, last)
    grid = [
        (line, [_cell(line, month, cells.get((*line.key, month)), today, marks) for month in months]) for line in lines
    ]
    return render(
        request,
        "reports/completeness.html",
        {
            "grid": grid,
            "months": months,
            "rates": rates,
            "first": first,
            "last": last,
            "today": today,
            "states": ReportState,
            "late_months": sorted({c["month"] for _line, row in grid for c in row if c["overdue"]}),
            "forms": list({line.form.pk: line.form for line in lines}.values()),
        },
    )


def _cell(line, month, report, today, marks):
    """What one square of the grid shows: state (colour), overdue or late, its 催报, and where it links."""
    report = report or MonthlyReport(department=line.department, form=line.form, month=month)
    return {
        "chases": marks.get(report.pk),
        "month": month,
        "state": report.state,
        "label": report.get_state_display(),
        "overdue": report.is_overdue(today),
        "late": report.submitted_late,
        "url": report.get_absolute_url(),
    }


def _month_param(request, name):
    """A YYYY-MM parameter as a month; None when absent, or when unreadable (with a message saying so)."""
    text = request.GET.get(name, "")
    if not text.strip():
        return None
    try:
        return parse_month(text)
    except PeriodError as error:
        messages.error(request, str(error))
        return None
