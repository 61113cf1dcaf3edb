"""Every report has its form (0008 filled them in): the form becomes required and part of the report's key.

A migration of its own: on PostgreSQL the rows updated in 0008 leave deferred foreign-key
checks pending, and a table with pending checks cannot be altered in the same transaction.
"""

from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0008_monthlyreport_form"),
    ]

    operations = [
        migrations.AlterField(
            model_name="monthlyreport",
            name="form",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reports",
                to="metrics.form",
                verbose_name="报表",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="monthlyreport",
            name="monthlyreport_unique_department_month",
        ),
        migrations.AddConstraint(
            model_name="monthlyreport",
            constraint=models.UniqueConstraint(
                fields=("form", "department", "month"), name="monthlyreport_unique_form_department_month"
            ),
        ),
    ]
