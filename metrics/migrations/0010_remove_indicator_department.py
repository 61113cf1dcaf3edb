from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0009_forms_from_departments"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="indicator",
            name="department",
        ),
    ]
