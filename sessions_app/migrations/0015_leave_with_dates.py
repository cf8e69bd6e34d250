"""Leave with dates (issue 12): ``on_leave`` (a switch people forgot to turn off) becomes
``leave_starts``/``leave_ends``, a range of local days that ends by itself.

Someone with the switch on when this runs stays on leave from the day they last changed
their settings (when they most likely switched it on) until 14 days after this migration:
nobody is surprised by messages the moment it is deployed, and a forgotten switch ends by
itself two weeks later. They can change both dates on their settings page at any time."""

from datetime import timedelta

from django.db import migrations, models
from django.utils import timezone

GRACE = timedelta(days=14)


def switch_to_dates(apps, schema_editor):
    AttentionBudget = apps.get_model("sessions_app", "AttentionBudget")
    today = timezone.now().date()
    for budget in AttentionBudget.objects.filter(on_leave=True).only("pk", "updated_at"):
        starts = min(budget.updated_at.date(), today) if budget.updated_at else today
        AttentionBudget.objects.filter(pk=budget.pk).update(leave_starts=starts, leave_ends=today + GRACE)


def dates_to_switch(apps, schema_editor):
    AttentionBudget = apps.get_model("sessions_app", "AttentionBudget")
    today = timezone.now().date()
    AttentionBudget.objects.filter(leave_starts__lte=today, leave_ends__gte=today).update(on_leave=True)


class Migration(migrations.Migration):
    dependencies = [("sessions_app", "0014_plaintext_field_names_keep_encrypted_columns")]

    operations = [
        migrations.AddField(
            model_name="attentionbudget", name="leave_starts", field=models.DateField(blank=True, null=True)
        ),
        migrations.AddField(model_name="attentionbudget", name="leave_ends", field=models.DateField(blank=True, null=True)),
        migrations.AddField(
            model_name="attentionbudget", name="unsubscribed_kinds", field=models.JSONField(blank=True, default=list)
        ),
        migrations.RunPython(switch_to_dates, dates_to_switch),
        migrations.RemoveField(model_name="attentionbudget", name="on_leave"),
    ]
