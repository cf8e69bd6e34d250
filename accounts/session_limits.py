"""How long a sign-in lasts: an idle timeout and an absolute lifetime (both in settings).

Django alone has one sliding expiry (``SESSION_COOKIE_AGE``), which a busy session
pushes forward for ever and an idle one keeps for weeks. Reflect keeps two timestamps
in the session instead, and ``accounts.middleware.SessionLimitsMiddleware`` signs the
person out when either limit has passed.
"""

import time

from django.conf import settings
from django.utils.translation import ngettext

STARTED_KEY = "reflect_signed_in_at"
SEEN_KEY = "reflect_seen_at"
# Activity is written to the session at most this often, so reading pages does not cost
# a session write each; the idle timeout is therefore exact to within a minute.
SEEN_RESOLUTION_SECONDS = 60


def session_start(request) -> None:
    """A login starts a new lifetime."""
    now = time.time()
    request.session[STARTED_KEY] = now
    request.session[SEEN_KEY] = now


def session_end_reason(request) -> str | None:
    """Why the signed-in session must end now, or ``None``; records activity otherwise."""
    now = time.time()
    started = request.session.get(STARTED_KEY)
    seen = request.session.get(SEEN_KEY)
    if started is None or seen is None:
        # Signed in before these limits existed: count from now rather than end it.
        session_start(request)
        return None
    idle_minutes = settings.SESSION_IDLE_TIMEOUT_MINUTES
    lifetime_hours = settings.SESSION_ABSOLUTE_TIMEOUT_HOURS
    if now - started >= lifetime_hours * 3600:
        return ngettext(
            "You were signed out because a sign-in lasts %(count)d hour.",
            "You were signed out because a sign-in lasts %(count)d hours.",
            lifetime_hours,
        ) % {"count": lifetime_hours}
    if now - seen >= idle_minutes * 60:
        return ngettext(
            "You were signed out after %(count)d minute without activity.",
            "You were signed out after %(count)d minutes without activity.",
            idle_minutes,
        ) % {"count": idle_minutes}
    if now - seen >= SEEN_RESOLUTION_SECONDS:
        request.session[SEEN_KEY] = now
    return None


def session_start_at_login(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver."""
    if request is not None and hasattr(request, "session"):
        session_start(request)
