"""Two-factor authentication: who must use it, and its secrets at rest.

Who must: ``accounts.selectors.two_factor_requirement`` decides; the verdict is kept in
the session (taken at login, re-taken every few minutes, at once when the person's staff
or superuser flag differs from when it was taken, and on every Django-admin request) so
that most requests cost no query, and ``accounts.middleware.TwoFactorRequiredMiddleware``
enforces it.

Secrets: allauth passes these through ``MFA_ADAPTER.encrypt()``/``decrypt()``; Reflect's adapter
(``accounts.adapter.ReflectMFAAdapter``) encrypts them with the project's Fernet keys,
so a database dump or backup alone cannot mint a TOTP code or a recovery code. Key
rotation (``manage.py rotate_encryption_keys``) walks the same values.
"""

import time
from collections.abc import Callable

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled

from accounts.selectors import two_factor_requirement

SESSION_KEY = "reflect_two_factor"
# A session that satisfied the requirement is checked again after this long, so an
# organisation switching the requirement on reaches people already signed in. Sessions
# still missing two-factor are checked on every request, so setting it up opens the site.
RECHECK_SECONDS = 5 * 60
# Recovery codes alone are not a second factor: allauth makes them beside a TOTP or key.
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]

# Per authenticator type: keys holding one encrypted string, and keys holding a list of them.
SECRET_KEYS = {
    "totp": ("secret",),
    "recovery_codes": ("seed",),
}
SECRET_LIST_KEYS = {
    "recovery_codes": ("migrated_codes",),
}


def secret_values(kind: str, data: dict) -> list[str]:
    """Every encrypted string in one authenticator's ``data``."""
    values = [data[key] for key in SECRET_KEYS.get(kind, ()) if data.get(key)]
    for key in SECRET_LIST_KEYS.get(kind, ()):
        values.extend(data.get(key) or [])
    return values


def map_secret_values(kind: str, data: dict, change: Callable[[str], str]) -> dict:
    """A copy of ``data`` with ``change`` applied to every encrypted string."""
    changed = dict(data)
    for key in SECRET_KEYS.get(kind, ()):
        if changed.get(key):
            changed[key] = change(changed[key])
    for key in SECRET_LIST_KEYS.get(kind, ()):
        if changed.get(key):
            changed[key] = [change(value) for value in changed[key]]
    return changed


def missing_two_factor(user) -> str | None:
    """Why ``user`` must still set up two-factor authentication, or ``None``."""
    reason = two_factor_requirement(user)
    if reason is None or is_mfa_enabled(user, types=SECOND_FACTORS):
        return None
    return reason


def _verdict_inputs(user) -> list[bool]:
    # What a cached verdict was taken from that the request already knows at no cost:
    # the user row is loaded anyway. Made staff or superuser, the session meets the
    # staff rule on its next request rather than when the verdict goes stale.
    return [user.is_staff, user.is_superuser]


def remember_verdict(request, user) -> str | None:
    missing = missing_two_factor(user)
    request.session[SESSION_KEY] = {"missing": missing, "at": time.time(), "inputs": _verdict_inputs(user)}
    return missing


def session_missing_two_factor(request, *, recheck: bool = False) -> str | None:
    """The signed-in person's missing-two-factor reason, re-checked when it may be stale.

    ``recheck`` always takes it afresh: the Django admin does, since a second factor
    removed there (or in the database) must close the admin at once, and a page there
    is worth two queries.
    """
    verdict = request.session.get(SESSION_KEY)
    if (
        recheck
        or verdict is None
        or verdict["missing"]
        or verdict.get("inputs") != _verdict_inputs(request.user)
        or time.time() - verdict["at"] >= RECHECK_SECONDS
    ):
        return remember_verdict(request, request.user)
    return None


def remember_verdict_at_login(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: the first page after login then needs no query."""
    if request is not None and hasattr(request, "session"):
        remember_verdict(request, user)
