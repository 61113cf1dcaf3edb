"""Template filters for the reporting pages."""

from django import template

from metrics.formatting import format_number, plain

register = template.Library()

# A figure as typed into a box: 1043.5, no separators; empty when missing.
register.filter("plain", plain)


@register.filter
def figure(value):
    """A figure for reading: 1,043.5 or 145,000; '—' when missing."""
    return format_number(value, 4, trim=True)
