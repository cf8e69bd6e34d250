"""System checks for settings whose combination matters."""

from django.conf import settings
from django.core.checks import Warning, register


@register()
def lease_outlasts_one_send(app_configs, **kwargs):
    # The dispatcher refreshes a row's lease just before its SMTP hand-off; a hand-off
    # that can take longer than the lease lets another dispatcher resend the row.
    lease = getattr(settings, "NOTIFICATION_LEASE_SECONDS", 60)
    timeout = getattr(settings, "EMAIL_TIMEOUT", None)
    if timeout is not None and lease <= 2 * timeout:
        return [
            Warning(
                f"NOTIFICATION_LEASE_SECONDS ({lease}) should be more than twice EMAIL_TIMEOUT ({timeout}).",
                hint="A send that outlasts its lease may be sent a second time by another dispatcher.",
                id="reflect.W001",
            )
        ]
    return []
