"""What a notice about a request to join says, in an e-mail or a digest line: the cohort
and the answer, never who asked or what they wrote."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from sessions_app.cohorts.models import JoinRequestStatus
from sessions_app.notifications.models import Notification, NotificationKind


def join_line(row: Notification) -> dict:
    """A notice's line in an e-mail or digest, in the language already active."""
    slug, facts = row.organization.slug, {"cohort": row.payload.get("cohort", "")}
    if row.kind == NotificationKind.JOIN_REQUEST:
        text = _("Someone asked to join %(cohort)s") % facts
        path = reverse("join_requests", kwargs={"org_slug": slug, "cohort_id": row.payload.get("cohort_id")})
    elif row.payload.get("answer") == JoinRequestStatus.ACCEPTED:
        text = _("You're in: your request to join %(cohort)s was accepted") % facts
        path = reverse("cohort_detail", kwargs={"org_slug": slug, "cohort_id": row.payload.get("cohort_id")})
    else:
        text = _("Your request to join %(cohort)s was declined") % facts
        path = reverse("whats_on", kwargs={"org_slug": slug})
    return {"kind": row.kind, "text": text, "meeting": None, "url": f"{settings.SITE_URL}{path}"}


JOIN_KINDS = {NotificationKind.JOIN_REQUEST, NotificationKind.JOIN_ANSWER}
