# The audit trail's table (issue 11).

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0008_organization_facilitators_may_invite'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('occurred_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ('action', models.CharField(choices=[('login.succeeded', 'Signed in'), ('login.failed', 'Sign-in failed'), ('role.changed', 'Role changed'), ('invitation.sent', 'Invitation sent'), ('invitation.revoked', 'Invitation revoked'), ('invitation.accepted', 'Invitation accepted'), ('member.removed', 'Member removed'), ('settings.changed', 'Settings changed'), ('sso.changed', 'Single sign-on changed'), ('data.exported', 'Personal data exported'), ('account.deleted', 'Account deleted'), ('import.applied', 'Cohort import applied'), ('urgent.override', 'Urgent message broke quiet time'), ('cohort.archived', 'Cohort archived'), ('cohort.restored', 'Cohort restored'), ('organization.created', 'Organisation created')], max_length=40)),
                ('actor_public_id', models.CharField(blank=True, max_length=40)),
                ('actor_email', models.CharField(blank=True, max_length=254)),
                ('target', models.CharField(blank=True, max_length=200)),
                ('changes', models.JSONField(blank=True, default=dict)),
                ('ip_address', models.GenericIPAddressField(blank=True, null=True)),
                ('organization', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.organization')),
            ],
            options={
                'ordering': ['-occurred_at', '-pk'],
                'indexes': [models.Index(fields=['organization', '-occurred_at'], name='audit_org_recent')],
            },
        ),
    ]
