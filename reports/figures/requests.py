"""Who may ask for which figures, and reading them: shared by the tables, the JSON API and the command.

A request names a period code, optionally a department code (its scope includes
the departments under it) and whether submitted values count. `resolve_request`
checks it for a user (None for the command line, which may ask anything) and
raises FigureRequestError with a Chinese message and the HTTP status to answer.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from metrics import assignments, periods
from metrics.aggregation import COUNTY, Scope, latest_month, summarize
from metrics.models import Area, DataValue, Department, Indicator
from metrics.periods import Period, PeriodError, default_period, parse_period
from reports.permissions import can_include_submitted, can_read_figures


class FigureRequestError(Exception):
    """A request that cannot be answered; `message` is for people, `status` for HTTP."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class FigureRequest:
    """A checked request: the period, the scope, an optional area and whether submitted values count."""

    period: Period
    scope: Scope
    include_submitted: bool = False
    area: Area | None = None

    @property
    def cache_parts(self):
        """What the figures of this request depend on besides the data (metrics.versions.cached)."""
        area = self.area.code if self.area else ""
        return (self.period.code, self.scope.code, self.scope.include_children, self.include_submitted, area)

    @property
    def scope_label(self):
        return self.scope.department.name if self.scope.department else _("全县")


def parse_period_param(text):
    """A period from a request parameter; empty means the default period (metrics.periods.default_period)."""
    if not (text or "").strip():
        return default_period(latest_month(), periods.today())
    try:
        return parse_period(text)
    except PeriodError as error:
        raise FigureRequestError(str(error)) from error


def department_by_code(code):
    try:
        return Department.objects.get(code=code)
    except Department.DoesNotExist:
        raise FigureRequestError(_("没有代码为“%(code)s”的单位。") % {"code": code}) from None


def area_by_code(code):
    try:
        return Area.objects.get(code=code)
    except Area.DoesNotExist:
        raise FigureRequestError(_("没有代码为“%(code)s”的工作领域。") % {"code": code}) from None


def resolve_request(user, *, period=None, department=None, include_submitted=False, area=None):
    """Check a request's parameters (codes as text) for `user`; returns a FigureRequest.

    A clerk is held to their own department: asking for no department means
    theirs, asking for another is refused (403). `include_submitted` is
    ignored for those who may not use it.
    """
    period = period if isinstance(period, Period) else parse_period_param(period)
    if isinstance(department, str):
        department = department_by_code(department.strip()) if department.strip() else None
    if isinstance(area, str):
        area = area_by_code(area.strip()) if area.strip() else None
    if user is not None and not can_read_figures(user, department.pk if department else None):
        own = user.department
        if own is None:
            raise FigureRequestError(_("您的账号没有所属单位，无法查看数据。"), status=403)
        if department is not None:
            raise FigureRequestError(_("您只能查看本单位（%(name)s）的数据。") % {"name": own.name}, status=403)
        department = own
    scope = Scope(department, include_children=True) if department else COUNTY
    return FigureRequest(
        period=period,
        scope=scope,
        include_submitted=bool(include_submitted) and (user is None or can_include_submitted(user)),
        area=area,
    )


def indicators_for(request, queryset=None):
    """The active indicators a request shows (from `queryset` if given), in catalogue order.

    The county shows every indicator. A department shows those its forms
    assign it (metrics.assignments) or it has entered values for, and the ratios built on them:
    a department is not "missing" figures it never reports.
    """
    if queryset is None:
        queryset = Indicator.objects.active()
    indicators = queryset.select_related("area")
    if request.area is not None:
        indicators = indicators.filter(area=request.area)
    ids = request.scope.department_ids()
    if ids is None:
        return indicators

    def reported(field):
        return Exists(DataValue.objects.filter(indicator_id=OuterRef(field), department_id__in=ids))

    own = assignments.load().reported_by(ids)
    return indicators.filter(
        Q(pk__in=own) | Q(numerator_id__in=own) | Q(denominator_id__in=own) | reported("pk") | reported("numerator_id")
    )


def summary_for(request, queryset=None):
    """The aggregated figures (metrics.aggregation.summarize) for a checked request."""
    return summarize(
        request.period,
        scope=request.scope,
        include_submitted=request.include_submitted,
        indicators=indicators_for(request, queryset),
    )
