"""Template filters for the reporting pages."""

from django import template

from metrics.formatting import format_number
from metrics.validation import fmt

register = template.Library()


@register.filter
def plain(value):
    """A figure as typed into a box: 1043.5, no separators; empty when missing."""
    return "" if value is None else fmt(value)


@register.filter
def figure(value):
    """A figure for reading: 1,043.5 or 145,000; '—' when missing."""
    return format_number(value, 4, trim=True)
