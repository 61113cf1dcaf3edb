"""Each department's indicators of today (Indicator.department) become one form per department.

The form ("县公安局月报", code "<department>_monthly", deadline day REPORT_DEADLINE_DAY) is
assigned to that department by name and holds exactly the indicators it entered, in
catalogue order, so every value and report carries over as it was. Going back puts
each indicator under the first department named by a form that holds it.
"""

from django.conf import settings
from django.db import migrations


def forward(apps, schema_editor):
    Department = apps.get_model("metrics", "Department")
    Indicator = apps.get_model("metrics", "Indicator")
    Form = apps.get_model("metrics", "Form")
    FormIndicator = apps.get_model("metrics", "FormIndicator")
    FormAssignment = apps.get_model("metrics", "FormAssignment")
    owned = {}
    for indicator in Indicator.objects.filter(department__isnull=False).order_by("area__order", "order", "code"):
        owned.setdefault(indicator.department_id, []).append(indicator)
    taken = set(Form.objects.values_list("code", flat=True))
    for department in Department.objects.filter(pk__in=owned).order_by("order", "code"):
        code = f"{department.code}_monthly"[:50]
        while code in taken:
            code = f"{code[:45]}_{department.pk}"
        taken.add(code)
        form = Form.objects.create(
            code=code,
            name=f"{department.name}月报"[:80],
            deadline_day=settings.REPORT_DEADLINE_DAY,
            order=department.order,
            active=True,
        )
        FormAssignment.objects.create(form=form, department=department)
        FormIndicator.objects.bulk_create(
            FormIndicator(form=form, indicator=indicator, order=n)
            for n, indicator in enumerate(owned[department.pk], start=1)
        )


def backward(apps, schema_editor):
    Indicator = apps.get_model("metrics", "Indicator")
    FormIndicator = apps.get_model("metrics", "FormIndicator")
    FormAssignment = apps.get_model("metrics", "FormAssignment")
    named = {}
    for form_id, department_id in (
        FormAssignment.objects.filter(department__isnull=False).order_by("pk").values_list("form_id", "department_id")
    ):
        named.setdefault(form_id, department_id)
    owner = {}
    for form_id, indicator_id in FormIndicator.objects.order_by("form__order", "form__code", "order").values_list(
        "form_id", "indicator_id"
    ):
        if form_id in named:
            owner.setdefault(indicator_id, named[form_id])
    for indicator in Indicator.objects.filter(pk__in=owner):
        indicator.department_id = owner[indicator.pk]
        indicator.save(update_fields=["department"])


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0008_forms"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
