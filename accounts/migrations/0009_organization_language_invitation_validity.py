# The organisation settings page (issue 11): default language and invitation validity.

import accounts.models
import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0008_organization_facilitators_may_invite'),
    ]

    operations = [
        migrations.AddField(
            model_name='organization',
            name='default_language',
            field=models.CharField(default='en-gb', max_length=10, validators=[accounts.models.validate_language], verbose_name='default language'),
        ),
        migrations.AddField(
            model_name='organization',
            name='invitation_valid_days',
            field=models.PositiveSmallIntegerField(default=accounts.models.default_invitation_valid_days, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(90)], verbose_name='invitations are valid for (days)'),
        ),
    ]
