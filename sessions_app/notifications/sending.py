"""Sending one claimed notification and recording the outcome on its row: sent, failed,
or back in the queue after a transient mail error (bounded retries)."""

import logging
from datetime import datetime, timedelta

from accounts.audit import AuditAction, record
from reflect.mail import is_transient
from sessions_app.attention import policy
from sessions_app.notifications import emails
from sessions_app.notifications.models import Notification, NotificationKind, NotificationStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def send(row: Notification, now: datetime, mail, decision) -> str:
    row.attempts += 1
    message = emails.notification_email(row, connection=mail, now=now)
    if message is None:
        return finish(row, NotificationStatus.DROPPED, "Not sent: nothing was left to tell.", now)
    try:
        # One connection for the whole batch, opened by the first send that needs it
        # (open() is a no-op on an open connection): a TLS handshake per message would
        # cost more than everything else the dispatcher does.
        mail.open()
        message.send()
    except Exception as error:
        _drop_connection(mail)  # a connection in an unknown state is not reused
        return _send_failed(row, error, now)
    row.sent_at = now
    row.overrides = list(decision.overrides)
    if policy.QUIET_HOURS in decision.overrides or policy.DAY_OFF in decision.overrides:
        # Information governance asks who was reached in quiet time; the kind and the
        # rules broken say why, never what the message said.
        record(
            organization=row.organization,
            actor=None,
            action=AuditAction.URGENT_OVERRIDE,
            target=row.recipient.user.email,
            changes={"kind": row.kind, "overrides": list(decision.overrides), "notification": row.public_id},
        )
    reason = decision.reason if decision.overrides else "Sent."
    if row.payload.get("note"):
        reason = f"{reason} {row.payload['note']}"
    if row.kind == NotificationKind.DIGEST:
        row.merged_items.update(reason="Sent in your digest.", updated_at=now)
    return finish(row, NotificationStatus.SENT, reason, now)


def _drop_connection(mail) -> None:
    try:
        mail.close()
    except Exception:  # closing a broken connection may fail too; the next send reopens
        logger.debug("closing a failed mail connection raised", exc_info=True)


def _send_failed(row: Notification, error: Exception, now: datetime) -> str:
    if is_transient(error) and row.attempts < MAX_ATTEMPTS:
        # Bounded backoff: 1, 2, 4, 8 minutes, all well before a meeting-day reminder goes stale.
        row.due_at = now + timedelta(minutes=2 ** (row.attempts - 1))
        logger.warning("notification %s: transient mail error, retrying", row.public_id)
        return finish(row, NotificationStatus.PENDING, "The mail server was busy; trying again shortly.", now)
    logger.error("notification %s: mail failed (%s)", row.public_id, type(error).__name__)
    return finish(row, NotificationStatus.FAILED, f"Could not be delivered: {_describe(error)}.", now)


def _describe(error: Exception) -> str:
    code = getattr(error, "smtp_code", None)
    return f"the mail server answered {code}" if code else "the mail server refused it"


def finish(row: Notification, status: str, reason: str, now: datetime) -> str:
    row.status = status
    row.reason = reason[:300]
    row.updated_at = now
    row.claimed_at = None
    row.claim_token = None
    row.save(
        update_fields=[
            *("status", "reason", "updated_at", "claimed_at", "claim_token"),
            *("due_at", "digest", "sent_at", "overrides", "attempts"),
        ]
    )
    return status
