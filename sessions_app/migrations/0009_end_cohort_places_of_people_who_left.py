from django.db import migrations


def end_cohort_places(apps, schema_editor):
    """People removed from an organisation before removal ended their cohort places kept
    them, and would have got their cohorts (and shared history) back if invited again."""
    CohortMember = apps.get_model("sessions_app", "CohortMember")
    CohortMember.objects.filter(membership__is_active=False).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0008_names_titles_places_are_one_line"),
    ]

    operations = [
        migrations.RunPython(end_cohort_places, migrations.RunPython.noop),
    ]
