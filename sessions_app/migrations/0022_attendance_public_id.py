import reflect.ids
from django.db import migrations, models


def fill_public_ids(apps, schema_editor):
    # Rows from before the field (none are expected: the table is new in this release)
    # each get their own id before the column becomes unique.
    Attendance = apps.get_model("sessions_app", "Attendance")
    for row in Attendance._base_manager.filter(public_id=None):
        row.public_id = reflect.ids.new_public_id()
        row.save(update_fields=["public_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0021_reflection_code_themes"),
    ]

    operations = [
        migrations.AddField(
            model_name="attendance",
            name="public_id",
            field=models.CharField(editable=False, max_length=24, null=True),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="attendance",
            name="public_id",
            field=models.CharField(default=reflect.ids.new_public_id, editable=False, max_length=24, unique=True),
        ),
    ]
