"""What a notice about a supervision log entry says, in an e-mail or a digest line: that
an entry awaits the reader's confirmation, with the page to confirm it. Never whose entry
it is, nor anything of it: the page says so, to the supervisor it names."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from sessions_app.notifications.models import Notification


def supervision_line(row: Notification) -> dict:
    """A notice's line in an e-mail or digest, in the language already active."""
    path = reverse("supervision_confirmations", kwargs={"org_slug": row.organization.slug})
    text = _("A supervision log entry names you as supervisor and awaits your confirmation")
    return {"kind": row.kind, "text": text, "meeting": None, "url": f"{settings.SITE_URL}{path}"}
