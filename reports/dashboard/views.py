"""The leader dashboard (领导驾驶舱): one request shows every card and chart.

The figures, the charts and their JSON are the same for every reader of a period and scope: they
are rendered once per data version (metrics.versions.cached) and the page around them per request
(the user's name, the bell, the filter form).
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from metrics import versions
from metrics.aggregation import COUNTY, Scope, latest_month
from metrics.models import Department
from metrics.periods import PeriodError, default_period, parse_period
from reports import permissions
from reports.dashboard import figures as selectors
from reports.dashboard.presentation import period_choices, shown, target_progress


def dashboard(request):
    """Cards, trends, breakdowns, targets, completeness and movers for a period and scope.

    Everyone but clerks may read it. `?period=2023H1&department=police`; a bad
    value gets a Chinese message and the default in its place.
    """
    user = request.user
    if not permissions.can_read_dashboard(user):
        raise PermissionDenied(_("填报员无权查看领导驾驶舱。"))
    include_submitted = permissions.can_include_submitted(user) and request.GET.get("include_submitted") == "1"
    errors = []

    departments = list(Department.objects.active().order_by("order", "code"))
    scope = COUNTY
    code = request.GET.get("department", "").strip()
    if code:
        department = next((d for d in departments if d.code == code), None)
        if department is None:
            errors.append(_("没有代码为“%(code)s”的单位，显示全县数据。") % {"code": code})
        else:
            has_children = any(d.parent_id == department.pk for d in departments)
            scope = Scope(department, include_children=has_children)

    # The default is the latest half-year with approved data, whoever asks; the choices reach
    # as far as submitted data does, so that reviewers can look at what is waiting for review.
    today = timezone.localdate()
    approved = latest_month()
    period = default_period(approved, today)
    latest = latest_month(include_submitted=True) or approved
    text = request.GET.get("period", "").strip()
    if text:
        try:
            period = parse_period(text)
        except PeriodError as error:
            errors.append(_("%(error)s 已显示默认期间。") % {"error": error})

    figures = versions.cached(
        "dashboard",
        period.code,
        scope.code,
        scope.include_children,
        include_submitted,
        today,
        compute=lambda: figures_html(period, scope, include_submitted=include_submitted, departments=departments),
    )
    context = {
        "period": period,
        "scope": scope,
        "include_submitted": include_submitted,
        "figures": {**figures, "html": mark_safe(figures["html"])},  # rendered by figures_html below
        "period_choices": period_choices(latest or period.last, period),
        "departments": departments,
        "errors": errors,
    }
    return render(request, "reports/dashboard.html", context, status=400 if errors else 200)


def figures_html(period, scope, *, include_submitted, departments):
    """{"html": the cards, targets, completeness, movers, area panels and charts' JSON, "previous_label"}.

    Rendered without the request: nothing in it may depend on who reads it.
    """
    data = selectors.build_dashboard(period, scope, include_submitted=include_submitted, departments=departments)
    panels = [
        {
            "panel": panel,
            "cards": [shown(f, data.link(f), data.entered_elsewhere(f)) for f in panel.figures],
            # The indicators whose charts the area's picker switches between, with their detail links.
            "options": [(f.indicator, data.links[f.indicator.code], f is panel.lead) for f in panel.figures],
            "area_url": panel.links.get("area"),
        }
        for panel in data.panels
    ]
    context = {
        "data": data,
        "panels": panels,
        "targets": [target_progress(f, period, data.link(f)) for f in data.targets],
        "good_movers": [shown(f, data.link(f)) for f in data.good_movers],
        "bad_movers": [shown(f, data.link(f)) for f in data.bad_movers],
    }
    return {
        "html": render_to_string("reports/dashboard_figures.html", context).strip(),
        "previous_label": data.summary.previous_period.label,
    }
