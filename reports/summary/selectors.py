"""Reads for the summary: the catalogue of placeholder names, filling a template with figures, figure sources.

Each function issues a constant number of queries whatever the number of placeholders.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from metrics import assignments
from metrics.aggregation import by_department, monthly_series, summarize
from metrics.coverage import covered
from metrics.formatting import document_value
from metrics.models import Department, Indicator, Kind
from metrics.periods import parse_period
from reports.reporting.models import ReportState
from reports.reporting.selectors import follow_up_values
from reports.summary.filling import FillContext, fill_blocks, fill_specials
from reports.summary.models import SummaryTemplate
from reports.summary.placeholders import TITLE, parse_template, used_codes


def catalogue():
    """{code or Chinese name: code} of every active indicator: what a placeholder may name."""
    rows = list(Indicator.objects.active().values_list("code", "name"))
    result = {name: code for code, name in rows}
    result.update({code: code for code, _name in rows})
    return result


def _indicators(codes):
    return list(Indicator.objects.filter(code__in=codes).select_related("area", "numerator", "denominator"))


def responsible_names(indicators, *, limit=assignments.NAMES_SHOWN, snapshot=None):
    """{code: the departments that report it, in words} ('' for none); a ratio: its components' reporters.

    Past `limit` names the list is cut ("…等34个单位"); limit=None names them all. `snapshot`
    (metrics.assignments.load()) saves its queries when the caller has it.
    """
    reporters = assignments.reporters_by_indicator(indicators, assignments=snapshot)
    return {i.code: assignments.reporter_names(reporters[i.pk], limit=limit) for i in indicators}


def specials_for(period, label=None):
    """The special words' text; `label` is what the figures cover when the period is in progress
    (2023年（1—7月）, Summary.label)."""
    return {
        "county": settings.COUNTY_NAME,
        "period": label or period.label,
        "year": _("%(year)d年") % {"year": period.first.year},
        "previous_year": _("%(year)d年") % {"year": period.first.year - 1},
    }


@dataclass
class RenderedSummary:
    """A template filled for a period: title, paragraphs, and what is missing."""

    period: object
    template: SummaryTemplate
    title: object
    blocks: list
    codes: list = field(default_factory=list)
    signatory: str = ""
    dated: str = ""
    follow_ups: list = field(default_factory=list)  # the period's values marked 待核实 (ValueComments)

    def segments(self):
        for block in [self.title, *self.blocks]:
            yield from block.lead
            yield from block.segments

    @property
    def missing(self):
        return [s for s in self.segments() if s.missing]

    @property
    def figure_count(self):
        return sum(1 for s in self.segments() if s.kind == "figure")

    @property
    def text(self):
        lines = [b.text for b in [self.title, *self.blocks] if b]
        return "\n".join([*lines, *(s for s in (self.signatory, self.dated) if s)])


def uncertain_codes(summary, follow_ups):
    """The codes of the summary's figures that rest on a value marked 待核实: the marked values its figures
    count (approved reports in the months they cover) and every ratio built from one of them."""
    span = summary.covered.span
    counted = [
        c for c in follow_ups if c.report.state == ReportState.APPROVED and span.first <= c.report.month <= span.last
    ]
    marked = {c.indicator_id for c in counted}
    codes = {c.indicator.code for c in counted}
    for figure in summary.figures:
        indicator = figure.indicator
        if indicator.kind == Kind.RATIO and {indicator.numerator_id, indicator.denominator_id} & marked:
            codes.add(indicator.code)
    return codes


def render_summary(template, *, period=None, snapshot=None):
    """The template filled with its period's approved figures (10 queries or so, however many placeholders).

    `snapshot` (metrics.assignments.load()) saves four of them when the caller has it.
    """
    period = period or parse_period(template.period)
    names = catalogue()
    blocks, _problems = parse_template(template.body, title=template.title)
    codes = used_codes(blocks, names)
    indicators = _indicators(codes)
    summary = summarize(period, indicators=indicators, assignments=snapshot)
    specials = specials_for(period, summary.label)
    follow_ups = follow_up_values(period.first, period.last)
    context = FillContext(
        figures=summary.by_code(),
        catalogue=names,
        responsible=responsible_names(indicators, snapshot=snapshot),
        specials=specials,
        uncertain=uncertain_codes(summary, follow_ups),
    )
    filled = fill_blocks(blocks, context)
    title = filled[0] if filled and filled[0].kind == TITLE else None
    body = filled[1:] if title else filled
    return RenderedSummary(
        period,
        template,
        title,
        body,
        codes,
        signatory=fill_specials(template.signatory, specials),
        dated=fill_specials(template.dated, specials),
        follow_ups=follow_ups,
    )


def figure_sources(codes, period, *, snapshot=None):
    """{code: where the figure comes from}: per department (with last year's) and per month, for the preview.

    Two aggregation calls for all codes together, plus the departments' names and who reports each
    (`snapshot` as for render_summary).
    """
    indicators = _indicators(codes)
    # Each department over the months the figures cover, against the same months a year earlier.
    span, _reported = covered(period)
    per_department = by_department(indicators, span.span)
    series = monthly_series(indicators, period.first, period.last)
    departments = {d.pk: d.name for d in Department.objects.all()}
    responsible = responsible_names(indicators, snapshot=snapshot)
    how = {
        Kind.FLOW: _("各月相加，各单位相加"),
        Kind.STOCK: _("取期内最后填报月份，各单位相加"),
        Kind.RATE: _("取期内最后填报月份"),
        Kind.RATIO: _("由分子、分母汇总值计算"),
    }
    result = {}
    for indicator in indicators:
        rows = sorted(per_department.get(indicator.code, {}).items(), key=lambda item: departments.get(item[0], ""))
        entry = {
            "name": indicator.name,
            "code": indicator.code,
            "area": indicator.area.name,
            "how": str(how.get(indicator.kind, "")),
            "responsible": responsible[indicator.code],
            "departments": [
                {
                    "name": departments.get(pk, str(pk)),
                    "value": document_value(f.value, indicator),
                    "previous": document_value(f.previous, indicator),
                }
                for pk, f in rows
            ],
            "months": [
                {"month": _("%(m)d月") % {"m": month.month}, "value": document_value(value, indicator)}
                for month, value in series.get(indicator.code, {}).items()
            ],
        }
        if indicator.is_ratio:
            entry["how"] += f"：{indicator.numerator.name} ÷ {indicator.denominator.name} × 100"
        missing_months = [m for m in span.span.months() if m not in series.get(indicator.code, {})]
        entry["missing_months"] = [_("%(m)d月") % {"m": m.month} for m in missing_months] if entry["months"] else []
        result[indicator.code] = entry
    return result


def display_title(template):
    """A template's title with 【县名】【期间】… filled, for lists."""
    try:
        period = parse_period(template.period)
    except ValueError:
        return template.title
    return fill_specials(template.title, specials_for(period))


def template_for(period_code):
    return SummaryTemplate.objects.filter(period=period_code).select_related("updated_by").first()
