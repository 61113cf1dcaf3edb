"""A reviewer's comment on one value of a report, and the 待核实 (follow-up) mark.

Every comment is kept (ValueComment is append-only); the latest one of a value
is shown to the clerk beside its box, listed on the review page and, while it
marks the value 待核实, in the half-year summary's preview and documents.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from metrics.validation import text_problem
from reports.permissions import can_review
from reports.reporting import selectors
from reports.reporting.errors import InvalidValues, PermissionDenied
from reports.reporting.models import ValueComment

MAX_COMMENT = 500


@transaction.atomic
def comment_value(*, user, report, code, text, follow_up):
    """Record a reviewer's comment on the report's value of indicator `code`; the new ValueComment.

    Refused (nothing written) for a user who may not review, a report not yet started, an
    indicator the report does not hold, a comment that cannot be kept, or one that says nothing.
    """
    if not can_review(user):
        raise PermissionDenied(_("只有审核员可以批注数值。"))
    if report.pk is None:
        raise InvalidValues(_("该月报尚未填报，不能批注。"))
    indicator = next((i for i in selectors.report_indicators(report.department, report.form) if i.code == code), None)
    if indicator is None:
        raise InvalidValues(_("请选择本月报中的一个指标。"))
    text = (text or "").strip()
    if problem := text_problem(text, limit=MAX_COMMENT):
        raise InvalidValues(_("审核意见%(problem)s") % {"problem": problem})
    current = selectors.value_comments(report).get(code)
    if not text and not follow_up and (current is None or not current.follow_up):
        raise InvalidValues(_("请填写审核意见，或勾选“待核实”。"))
    return ValueComment.objects.create(report=report, indicator=indicator, text=text, follow_up=follow_up, user=user)
