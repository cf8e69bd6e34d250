"""Retention: reflections older than their organisation's period are deleted unless
their author chose to keep them (``Reflection.pinned``)."""

from datetime import datetime

from dateutil.relativedelta import relativedelta

from accounts.models import Organization
from sessions_app.reflections.models import Reflection


def reflections_purge_expired(*, organization: Organization, now: datetime) -> int:
    """Delete the organisation's unpinned reflections written more than its retention
    period ago; return how many. No period (``None``) means keep forever. Runs in scope."""
    months = organization.reflection_retention_months
    if months is None:
        return 0
    # Calendar months, so "24 months" ends on the same day of the month two years on
    # (relativedelta clamps 31 March minus one month to 28/29 February).
    cutoff = now - relativedelta(months=months)
    _, deleted = Reflection.objects.filter(organization=organization, created_at__lt=cutoff, pinned=False).delete()
    return deleted.get(Reflection._meta.label, 0)
