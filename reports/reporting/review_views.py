"""The reviewer's actions on many reports at once: 催报 late reports, approve several reports together.

Thin, as the other pages: the permission policy, then the chasing service or
the workflow (one `workflow.perform` per report, each its own action and event).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from metrics.periods import PeriodError, parse_month
from reports.permissions import can_chase, can_review
from reports.reporting import chasing, comments, errors, review, workflow
from reports.reporting.actions import ACTIONS
from reports.reporting.models import MonthlyReport, ReportAction
from reports.reporting.views import _report_for
from zhengfa.inputs import parse_id

# At most this many reports named in one message, and approved in one click.
NAMES_SHOWN = 5
MAX_BULK = 200


def _back(request, default):
    """Where to go afterwards: the page the form came from (`next`, this site only), else `default`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _report_names(reports):
    names = "、".join(f"{r.department.name}（{r.form.name}）" for r in reports[:NAMES_SHOWN])
    return names + (_("等") if len(reports) > NAMES_SHOWN else "")


@require_POST
def chase_reports(request):
    """催报: remind the clerks of one late report (department and form given) or of every late report
    of a month (of one form when given); refused for a report chased within the hour."""
    if not can_chase(request.user):
        raise PermissionDenied(_("只有审核员可以催报。"))
    back = _back(request, reverse("completeness"))
    try:
        month = parse_month(request.POST.get("month", ""))
    except PeriodError as error:
        messages.error(request, str(error))
        return redirect(back)
    if reason := workflow.future_month_refusal(month):
        messages.error(request, reason)
        return redirect(back)
    late = chasing.late_reports(
        month, form_code=request.POST.get("form", ""), department_code=request.POST.get("department", "")
    )
    if not late:
        messages.error(request, _("%(month)s 没有逾期未报的月报，未发送催报。") % {"month": f"{month:%Y年%m月}"})
        return redirect(back)
    outcome = chasing.chase(user=request.user, reports=late)
    if not outcome.sent and not outcome.refused:
        messages.info(request, _("这些月报已不再逾期（可能刚刚已上报），未发送催报。"))
    if outcome.sent:
        messages.success(
            request,
            _("已催报 %(n)d 份月报：%(names)s。站内通知和邮件已发给其填报员。")
            % {"n": len(outcome.sent), "names": _report_names([c.report for c in outcome.sent])},
        )
    if outcome.refused:
        refused = "、".join(
            _("%(department)s（%(form)s，上次 %(at)s 由 %(by)s 催报）")
            % {
                "department": report.department.name,
                "form": report.form.name,
                "at": f"{timezone.localtime(last.at):%H:%M}",
                "by": last.user.display_name,
            }
            for report, last in outcome.refused[:NAMES_SHOWN]
        )
        messages.warning(
            request,
            _("%(n)d 份月报一小时内已催报过，本次未重复发送：%(names)s。")
            % {"n": len(outcome.refused), "names": refused + (_("等") if len(outcome.refused) > NAMES_SHOWN else "")},
        )
    return redirect(back)


@require_POST
def bulk_approve(request):
    """Approve the ticked submitted reports with no blanks, no unexplained outlier and no broken rule,
    each through the workflow; the others are refused by name, with why."""
    if not can_review(request.user):
        raise PermissionDenied(str(ACTIONS[ReportAction.APPROVE].forbidden))
    ids = [pk for pk in map(parse_id, request.POST.getlist("report")) if pk is not None][:MAX_BULK]
    if not ids:
        messages.error(request, _("请先勾选要审核通过的月报。"))
        return redirect("review_queue")
    reports = list(MonthlyReport.objects.filter(pk__in=ids).select_related("department", "form"))
    summaries = review.review_summaries(reports)
    approved, refused = [], []
    for report in sorted(reports, key=lambda r: (r.month, r.department.order, r.form.order)):
        problems = summaries[report.pk].problems()
        if problems:
            refused.append(f"{report.department.name}（{report.form.name}）：{'，'.join(problems)}")
            continue
        try:
            workflow.perform(
                ReportAction.APPROVE,
                report=report,
                user=request.user,
                version=request.POST.get(f"version_{report.pk}", ""),
            )
        except errors.ReportError as error:
            refused.append(f"{report.department.name}（{report.form.name}）：{error.message}")
        else:
            approved.append(report)
    if approved:
        messages.success(
            request, _("已审核通过 %(n)d 份月报：%(names)s。") % {"n": len(approved), "names": _report_names(approved)}
        )
    if refused:
        messages.error(
            request,
            _("%(n)d 份月报未审核通过，请逐份审核：%(reasons)s。") % {"n": len(refused), "reasons": "；".join(refused)},
        )
    return redirect("review_queue")


@require_POST
def comment_value(request, department, form, year, month):
    """A reviewer's comment on one value of the report (`indicator`, `text`), marking it 待核实 (`follow_up`)."""
    report = _report_for(request.user, department, form, year, month)
    if not can_review(request.user):
        raise PermissionDenied(_("只有审核员可以批注数值。"))
    try:
        comment = comments.comment_value(
            user=request.user,
            report=report,
            code=request.POST.get("indicator", ""),
            text=request.POST.get("text", ""),
            follow_up=request.POST.get("follow_up") == "1",
        )
    except errors.ReportError as error:
        messages.error(request, error.message)
    else:
        done = _("已批注“%(name)s”。") % {"name": comment.indicator.name}
        if comment.follow_up:
            done += _("该数值已标为待核实，汇总材料中将注明。")
        messages.success(request, done)
    return redirect(f"{report.get_absolute_url()}#value-comments")
