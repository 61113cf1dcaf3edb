"""A report is one form × department × month: each report of today belongs to its department's form.

metrics 0009 made one form per department ("<部门>月报", assigned to it by name), so each
existing report takes that form and nothing else changes. A department with reports but no
form of its own (it entered no indicator) gets an empty one, so no report is lost.
"""

from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion


def forward(apps, schema_editor):
    MonthlyReport = apps.get_model("reports", "MonthlyReport")
    Department = apps.get_model("metrics", "Department")
    Form = apps.get_model("metrics", "Form")
    FormAssignment = apps.get_model("metrics", "FormAssignment")
    own = {}
    for department_id, form_id in (
        FormAssignment.objects.filter(department__isnull=False)
        .order_by("form__order", "form__code")
        .values_list("department_id", "form_id")
    ):
        own.setdefault(department_id, form_id)
    for department_id in MonthlyReport.objects.values_list("department_id", flat=True).distinct():
        if department_id in own:
            continue
        department = Department.objects.get(pk=department_id)
        form = Form.objects.create(
            code=f"{department.code}_monthly_{department.pk}"[:50],
            name=f"{department.name}月报"[:80],
            deadline_day=settings.REPORT_DEADLINE_DAY,
            order=department.order,
        )
        FormAssignment.objects.create(form=form, department=department)
        own[department_id] = form.pk
    for department_id, form_id in own.items():
        MonthlyReport.objects.filter(department_id=department_id, form__isnull=True).update(form_id=form_id)


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0010_remove_indicator_department"),
        ("reports", "0007_workflow_withdraw_and_transition_notices"),
    ]

    operations = [
        migrations.AddField(
            model_name="monthlyreport",
            name="form",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reports",
                to="metrics.form",
                verbose_name="报表",
            ),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
