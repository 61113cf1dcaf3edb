"""The workflow's table: each action, the states it starts from, the state it leads to, who may take it.

reports.reporting.workflow carries the actions out; pages show the ones
`workflow.available_actions` finds here for the user and the report's state.
Adding an action is adding a row (and its ReportAction choice).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from metrics.models import Status
from reports.permissions import can_edit_department, can_import_department, can_import_historic, can_review
from reports.reporting.models import EDITABLE_STATES, ReportAction, ReportState

# Who is told after an action (reports.notifications.transitions).
REVIEWERS, CLERKS = "reviewers", "clerks"


def _may_enter(user, report):
    return can_edit_department(user, report.department_id)


def _may_review(user, report):
    return can_review(user)


def _may_import(user, report):
    return can_import_department(user, report.department_id)


def _may_import_historic(user, report):
    return can_import_historic(user)


@dataclass(frozen=True)
class Action:
    """One row of the workflow table."""

    name: str
    from_states: tuple
    to_state: str | None  # None: the state stays (a save), except that 未填报 becomes 草稿
    may: Callable
    forbidden: str  # why a user without permission is refused
    wrong_state: str  # why the action is refused in another state; %(state)s is the current one
    done: str  # what the page says afterwards; %(report)s is the report
    needs_reason: str = ""  # the request for a reason, when one is required
    notify: str = ""  # REVIEWERS or CLERKS
    page: str = ""  # where the button is: "entry" (the clerk's form), "review", or "" (not a button)

    @property
    def label(self):
        return ReportAction(self.name).label

    def target(self, state):
        if self.to_state is not None:
            return self.to_state
        return ReportState.DRAFT if state == ReportState.NOT_STARTED else state


_ENTER_ONLY = gettext_lazy("您只能填报本单位的月报。")
_REVIEW_ONLY = gettext_lazy("只有审核员可以审核月报。")
LOCKED = gettext_lazy("本月报已审核锁定，不能修改；如需更正，请联系审核员重新打开。")
UNDER_REVIEW = gettext_lazy("本月报已上报，正在审核中，不能修改；如需更正，请联系审核员退回。")

ACTIONS = {
    action.name: action
    for action in (
        Action(
            ReportAction.SAVE,
            from_states=EDITABLE_STATES,
            to_state=None,
            may=_may_enter,
            forbidden=_ENTER_ONLY,
            wrong_state=gettext_lazy("本月报当前为“%(state)s”，不能修改。"),
            done=gettext_lazy("草稿已保存。"),
            page="entry",
        ),
        Action(
            ReportAction.SUBMIT,
            from_states=(ReportState.DRAFT, ReportState.RETURNED),
            to_state=ReportState.SUBMITTED,
            may=_may_enter,
            forbidden=_ENTER_ONLY,
            wrong_state=gettext_lazy("本月报当前为“%(state)s”，不能上报。"),
            done=gettext_lazy("已上报%(report)s，等待审核。"),
            notify=REVIEWERS,
            page="entry",
        ),
        Action(
            ReportAction.WITHDRAW,
            from_states=(ReportState.SUBMITTED,),
            to_state=ReportState.DRAFT,
            may=_may_enter,
            forbidden=_ENTER_ONLY,
            wrong_state=gettext_lazy("只有已上报、尚未审核的月报可以撤回（当前：%(state)s）。"),
            done=gettext_lazy("已撤回%(report)s，可修改后重新上报。"),
            page="entry",
        ),
        Action(
            ReportAction.RETURN,
            from_states=(ReportState.SUBMITTED,),
            to_state=ReportState.RETURNED,
            may=_may_review,
            forbidden=_REVIEW_ONLY,
            wrong_state=gettext_lazy("只有已上报的月报可以退回（当前：%(state)s）。"),
            done=gettext_lazy("已退回：%(report)s，填报员将看到退回原因。"),
            needs_reason=gettext_lazy("请填写退回原因，填报员将看到这段说明。"),
            notify=CLERKS,
            page="review",
        ),
        Action(
            ReportAction.APPROVE,
            from_states=(ReportState.SUBMITTED,),
            to_state=ReportState.APPROVED,
            may=_may_review,
            forbidden=_REVIEW_ONLY,
            wrong_state=gettext_lazy("只有已上报的月报可以审核通过（当前：%(state)s）。"),
            done=gettext_lazy("已审核通过：%(report)s。"),
            notify=CLERKS,
            page="review",
        ),
        Action(
            ReportAction.REOPEN,
            from_states=(ReportState.APPROVED,),
            to_state=ReportState.RETURNED,
            may=_may_review,
            forbidden=_REVIEW_ONLY,
            wrong_state=gettext_lazy("只有已审核的月报可以重新打开（当前：%(state)s）。"),
            done=gettext_lazy("已重新打开：%(report)s，填报员可修改后重新上报。"),
            needs_reason=gettext_lazy("请填写重新打开的原因，填报员将看到这段说明。"),
            notify=CLERKS,
            page="review",
        ),
        Action(
            ReportAction.IMPORT,
            from_states=EDITABLE_STATES,
            to_state=None,
            may=_may_import,
            forbidden=gettext_lazy("您只能导入本单位的数据。"),
            wrong_state=gettext_lazy("本月报当前为“%(state)s”，不能导入。"),
            done=gettext_lazy("已导入：%(report)s。"),
        ),
        Action(
            ReportAction.HISTORIC,
            from_states=EDITABLE_STATES,
            to_state=ReportState.APPROVED,
            may=_may_import_historic,
            forbidden=gettext_lazy("历史数据只能由管理员导入。"),
            wrong_state=gettext_lazy("本月报当前为“%(state)s”，不能导入历史数据。"),
            done=gettext_lazy("历史数据已导入：%(report)s。"),
        ),
    )
}

# Actions that write figures.
WRITES_VALUES = (ReportAction.SAVE, ReportAction.IMPORT, ReportAction.HISTORIC)

# The state every value of a report has (aggregation filters on DataValue.status).
STATUS_FOR_STATE = {
    ReportState.NOT_STARTED: Status.DRAFT,
    ReportState.DRAFT: Status.DRAFT,
    ReportState.RETURNED: Status.DRAFT,
    ReportState.SUBMITTED: Status.SUBMITTED,
    ReportState.APPROVED: Status.APPROVED,
}
