"""What a notice about feedback says, in an e-mail or a digest line: who asked, or who
answered, and a link. Never the reflection, the author's note or the feedback: the
pages say those, to the people who may read them (``sessions_app.feedback``)."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from sessions_app.notifications.models import Notification, NotificationKind

FEEDBACK_KINDS = {NotificationKind.FEEDBACK_REQUEST, NotificationKind.FEEDBACK_GIVEN, NotificationKind.SIGN_OFF}


def feedback_line(row: Notification) -> dict:
    """A notice's line in an e-mail or digest, in the language already active."""
    slug, facts = row.organization.slug, {"name": row.payload.get("name", "")}
    if row.kind == NotificationKind.FEEDBACK_REQUEST:
        text = _("%(name)s asked for your feedback on a reflection") % facts
        path = reverse("feedback_read", kwargs={"org_slug": slug, "share_id": row.payload.get("share")})
    else:
        if row.kind == NotificationKind.SIGN_OFF:
            text = _("%(name)s signed off your reflection") % facts
        else:
            text = _("%(name)s gave feedback on your reflection") % facts
        path = reverse("feedback_shares", kwargs={"org_slug": slug, "reflection_id": row.payload.get("reflection")})
    return {"kind": row.kind, "text": text, "meeting": None, "url": f"{settings.SITE_URL}{path}"}
