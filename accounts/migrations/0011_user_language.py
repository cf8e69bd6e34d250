# Each person's own language (issue 12): empty means "my organisation's default".

import accounts.models
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0010_retention_default_36_at_least_12"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="language",
            field=models.CharField(
                blank=True,
                default="",
                max_length=10,
                validators=[accounts.models.validate_language],
                verbose_name="language",
            ),
        ),
    ]
