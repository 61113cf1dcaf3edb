"""The leader dashboard (领导驾驶舱): one request shows every card and chart.

The figures, the charts, their JSON and the choices of period and scope are the same for every
reader of a period and scope: they are rendered once per data version (metrics.versions.cached),
the page around them per request (the user's name, the bell, the reviewer's 含已上报 box).
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from metrics import periods, versions
from metrics.aggregation import COUNTY, Scope, latest_month, months_with_data
from metrics.models import Department
from metrics.periods import PeriodError, default_period, parse_period
from reports import permissions
from reports.dashboard import figures as selectors
from reports.dashboard.presentation import month_choices, period_choices, range_text, shown, target_progress


def dashboard(request):
    """Cards, trends, breakdowns, targets, completeness and movers for a period and scope.

    Everyone but clerks may read it. `?period=2023H1&department=police`; a bad
    value gets a Chinese message and the default in its place.
    """
    user = request.user
    if not permissions.can_read_dashboard(user):
        raise PermissionDenied(_("填报员无权查看领导驾驶舱。"))
    include_submitted = permissions.can_include_submitted(user) and request.GET.get("include_submitted") == "1"
    # A preset period, or a range chosen by its two months (?from=2023-01&to=2023-07).
    period_text = request.GET.get("period", "").strip() or range_text(request.GET.get("from"), request.GET.get("to"))
    code = request.GET.get("department", "").strip()
    today = periods.today()
    page = versions.cached(
        "dashboard",
        period_text,
        code,
        include_submitted,
        today,
        compute=lambda: dashboard_page(period_text, code, include_submitted=include_submitted, today=today),
    )
    context = {
        **page,
        "include_submitted": include_submitted,
        # Rendered by dashboard_page from figures and choices alone, escaped there.
        "choices": mark_safe(page["choices"]),
        "range_choices": mark_safe(page["range_choices"]),
        "figures": mark_safe(page["figures"]),
    }
    return render(request, "reports/dashboard.html", context, status=400 if page["errors"] else 200)


def dashboard_page(period_text, code, *, include_submitted, today):
    """What the page shows that does not depend on its reader: labels, errors, the choices and the figures.

    `period_text` and `code` as given (empty: the default period, the county). Rendered without the
    request, so nothing in it can depend on who reads it.
    """
    errors = []
    departments = list(Department.objects.active().order_by("order", "code"))
    scope = COUNTY
    if code:
        department = next((d for d in departments if d.code == code), None)
        if department is None:
            errors.append(_("没有代码为“%(code)s”的单位，显示全县数据。") % {"code": code})
        else:
            has_children = any(d.parent_id == department.pk for d in departments)
            scope = Scope(department, include_children=has_children)

    # The default is the last complete half-year (or quarter) of approved data, whoever asks.
    period = default_period(latest_month(), today)
    if period_text:
        try:
            period = parse_period(period_text)
        except PeriodError as error:
            errors.append(_("%(error)s 已显示默认期间。") % {"error": error})

    # The choices reach as far as submitted data does, so that reviewers can look at what awaits review.
    months = months_with_data(include_submitted=True)
    choices = {
        "period": period,
        "scope": scope,
        "period_choices": period_choices(months, period),
        "month_choices": month_choices(months),
        "first": f"{period.first:%Y-%m}",
        "last": f"{period.last:%Y-%m}",
        "departments": departments,
    }
    figures, period_label, previous_label = figures_html(
        period, scope, include_submitted=include_submitted, departments=departments, today=today
    )
    return {
        "period_label": period_label,
        "scope_label": scope.label,
        "previous_label": previous_label,
        "errors": errors,
        "choices": render_to_string("reports/dashboard_choices.html", choices).strip(),
        "range_choices": render_to_string("reports/dashboard_range.html", choices).strip(),
        "scope_code": scope.code or "",
        "figures": figures,
    }


def figures_html(period, scope, *, include_submitted, departments, today):
    """(the cards, targets, completeness, movers, area panels and charts' JSON as HTML, the label of the months
    the figures cover, that of the months 同比 compares with)."""
    data = selectors.build_dashboard(
        period, scope, include_submitted=include_submitted, departments=departments, today=today
    )
    panels = [
        {
            "panel": panel,
            "cards": [shown(f, data.link(f), data.entered_elsewhere(f), include_submitted) for f in panel.figures],
            # The indicators whose charts the area's picker switches between, with their detail links.
            "options": [(f.indicator, data.links[f.indicator.code], f is panel.lead) for f in panel.figures],
            "area_url": panel.links.get("area"),
        }
        for panel in data.panels
    ]
    context = {
        "data": data,
        "panels": panels,
        # Time gone is measured to the 截至 month: 2023年（1—7月） is 58% of the year, not 100%.
        "targets": [target_progress(f, data.summary.covered.span, data.link(f)) for f in data.targets],
        "good_movers": [shown(f, data.link(f)) for f in data.good_movers],
        "bad_movers": [shown(f, data.link(f)) for f in data.bad_movers],
    }
    html = render_to_string("reports/dashboard_figures.html", context).strip()
    return html, data.summary.label, data.summary.previous_label
