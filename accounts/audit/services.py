"""Writes for the audit trail: ``record`` (one event) and ``audit_purge`` (retention).

``record`` is called by the service or view that did the thing, inside its transaction,
so an action that rolls back leaves no event and an event never describes something
that did not happen. It stores names of things and old/new setting values; never
reflection text, evaluation comments, tokens or secrets (``_redacted`` drops the values
of keys that look like secrets, in case a caller passes one).
"""

from datetime import datetime

from allauth.account.adapter import get_adapter
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from accounts.audit.models import AuditAction, AuditEvent
from accounts.models import Organization, User
from accounts.selectors import memberships_of_user

REDACTED = "[not recorded]"
_SECRET_WORDS = ("secret", "token", "password", "key", "text", "answer", "comment", "note", "body")
TARGET_MAX = AuditEvent._meta.get_field("target").max_length


def client_ip(request) -> str | None:
    """The client's address as allauth's rate limits see it (its trusted proxy settings
    decide whether X-Forwarded-For counts), or None where there is none."""
    if request is None:
        return None
    try:
        return get_adapter(request).get_client_ip(request)
    except (PermissionDenied, ImproperlyConfigured):
        return None


def _redacted(changes: dict | None) -> dict:
    if not changes:
        return {}
    return {
        key: REDACTED
        if any(word in key.lower() for word in _SECRET_WORDS)
        else (_redacted(value) if isinstance(value, dict) else value)
        for key, value in changes.items()
    }


def record(
    *,
    organization: Organization | None,
    actor: User | None,
    action: str,
    target: str = "",
    changes: dict | None = None,
    request=None,
) -> AuditEvent:
    """Append one event to ``organization``'s trail (None: no organisation, e.g. a failed
    sign-in for an unknown address)."""
    if action not in AuditAction.values:
        raise ValueError(f"Unknown audit action {action!r}.")
    actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        organization=organization,
        action=action,
        actor_public_id=actor.public_id if actor else "",
        actor_email=actor.email if actor else "",
        target=str(target)[:TARGET_MAX],
        changes=_redacted(changes),
        ip_address=client_ip(request),
    )
    event.save()
    return event


_SELF = object()


def record_for_person(
    *,
    user: User,
    action: str,
    actor=_SELF,
    request=None,
    changes: dict | None = None,
    also: Organization | None = None,
) -> None:
    """One event about ``user`` in each organisation where they are an active member (a
    sign-in, an export or a deletion concerns each of them), or one without an
    organisation. The actor is the person themselves unless given (None: unknown).
    ``also``: an organisation the event concerns even before the person is its member
    (an IdP linking an account to it)."""
    organizations = [membership.organization for membership in memberships_of_user(user)]
    if also is not None and also.pk not in {o.pk for o in organizations}:
        organizations.append(also)
    actor = user if actor is _SELF else actor
    for organization in organizations or [None]:
        record(
            organization=organization, actor=actor, action=action, target=user.email, changes=changes, request=request
        )


def audit_cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - relativedelta(months=settings.AUDIT_RETENTION_MONTHS)


def audit_purge(*, now: datetime | None = None) -> int:
    """Delete events older than ``AUDIT_RETENTION_MONTHS``; the number deleted.

    The ORM refuses deletes on this table, and on PostgreSQL so does a trigger, unless
    the transaction has declared itself the purge (``reflect.audit_purge``) and the
    cutoff it purges before (``reflect.audit_purge_before``); the trigger then lets
    through only rows older than that cutoff, which must itself lie at least the
    retention behind the database's clock.
    """
    cutoff = audit_cutoff(now)
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        if postgresql:
            cursor.execute("SELECT set_config('reflect.audit_purge', 'on', true)")
            cursor.execute("SELECT set_config('reflect.audit_purge_before', %s, true)", [cutoff.isoformat()])
        try:
            cursor.execute(f"DELETE FROM {table} WHERE occurred_at < %s", [cutoff])  # noqa: S608 - our table name
            return cursor.rowcount
        finally:
            if postgresql:
                # SET LOCAL lasts to the end of the outermost transaction, which is not
                # this one when a caller already holds one: switch it off at once.
                cursor.execute("SELECT set_config('reflect.audit_purge', 'off', true)")
