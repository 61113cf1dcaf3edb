"""Writes of data values and of report forms' contents. Callers (the reports services, imports, the admin)
decide who may write what."""

from django.db import transaction
from django.db.models import Max
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from . import periods
from .forms import FormIndicator
from .models import DataValue, Kind


def entered_components(indicators):
    """The indicators with each ratio replaced by its numerator and denominator, first place kept, no repeats."""
    result = []
    for indicator in indicators:
        parts = [indicator.numerator, indicator.denominator] if indicator.kind == Kind.RATIO else [indicator]
        result += [p for p in parts if p not in result]
    return result


@transaction.atomic
def add_to_form(*, form, indicators):
    """Append the indicators to the form, after what it holds; returns those added.

    A ratio's components come with it (the form then shows the ratio); indicators
    the form already holds keep their place.
    """
    held = set(form.items.values_list("indicator_id", flat=True))
    new = [i for i in entered_components(indicators) if i.pk not in held]
    last = form.items.aggregate(last=Max("order"))["last"] or 0
    FormIndicator.objects.bulk_create(
        FormIndicator(form=form, indicator=indicator, order=last + n) for n, indicator in enumerate(new, start=1)
    )
    return new


@transaction.atomic
def write_values(*, department, month, indicators, values, notes, status, user, comment="", store_missing=False):
    """Store one department-month's figures for the codes given; returns the codes that changed.

    `indicators` maps code → Indicator for every code in `values` and `notes`;
    a code absent from `values` (or `notes`) keeps its stored value (or note).
    Every row written gets `status`. A new row with neither value nor note is
    not created (missing stays missing) unless `store_missing`: historic data
    records an explicit "missing" so that it exports back as it came. Each change keeps a history record
    with `user`, `comment` and one timestamp.
    """
    existing = {
        v.indicator.code: v
        for v in DataValue.objects.filter(department=department, month=month).select_related("indicator")
    }
    now = periods.now()
    to_create, to_update, changed = [], [], []
    for code in sorted(set(values) | set(notes)):
        current = existing.get(code)
        new_value = values.get(code, current.value if current else None)
        new_note = (notes.get(code, current.note if current else "") or "").strip()
        if current is None:
            if new_value is None and not new_note and not store_missing:
                continue
            to_create.append(
                DataValue(
                    indicator=indicators[code],
                    department=department,
                    month=month,
                    value=new_value,
                    note=new_note,
                    status=status,
                )
            )
            changed.append(code)
        elif current.value != new_value or current.note != new_note or current.status != status:
            current.value, current.note, current.status, current.updated_at = new_value, new_note, status, now
            to_update.append(current)
            changed.append(code)
    if to_create:
        bulk_create_with_history(
            to_create, DataValue, default_user=user, default_change_reason=comment, default_date=now
        )
    if to_update:
        bulk_update_with_history(
            to_update,
            DataValue,
            ["value", "note", "status", "updated_at"],
            default_user=user,
            default_change_reason=comment,
            default_date=now,
        )
    return changed
