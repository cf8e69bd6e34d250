"""Sending one claimed notification and setting the outcome on its row: sent, failed,
or back in the queue after a transient mail or push error (bounded retries). A notice
goes out by e-mail, push or both, as the person chose for its kind; the row records
the channels that carried it."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from accounts.audit import AuditAction, record
from reflect.mail import is_transient
from sessions_app.attention import policy
from sessions_app.attention.channels import EMAIL, PUSH
from sessions_app.attention.terms import Decision
from sessions_app.notifications import emails, pushes
from sessions_app.notifications.models import Notification, NotificationKind, NotificationStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def send(
    row: Notification,
    now: datetime,
    mail,
    decision,
    channels: tuple[str, ...] = (EMAIL,),
    *,
    may_email: bool = True,
    stencils: dict | None = None,
) -> str:
    """Send one notice the policy allowed, on each of ``channels`` it has not gone out on yet.

    One notice is one row whichever channels carry it: a retry (after a busy mail server or
    push service) sends only on the channels still missing, so nobody gets it twice."""
    row.attempts += 1
    results = [
        (channel, _deliver(row, channel, now, mail, stencils)) for channel in channels if channel not in row.channels
    ]
    if may_email and channels == (PUSH,) and not row.channels and not any(o.retry for _c, o in results):
        # Push alone reached no browser (all expired or refused): e-mail rather than nothing,
        # unless they unsubscribed from this kind of e-mail.
        results.append((EMAIL, _deliver(row, EMAIL, now, mail, stencils)))
    retry = next((outcome for _channel, outcome in results if outcome.retry), None)
    failed = next((outcome for _channel, outcome in results if outcome.failed), None)
    if retry is not None:
        row.due_at = now + timedelta(minutes=2 ** (row.attempts - 1))
        return finish(row, NotificationStatus.PENDING, retry.reason, now)
    if not row.channels:
        if failed is not None:
            return finish(row, NotificationStatus.FAILED, failed.reason, now)
        return finish(row, NotificationStatus.DROPPED, "Not sent: nothing was left to tell.", now)
    return _sent(row, now, decision, note=failed.reason if failed is not None else "")


@dataclass
class Delivery:
    delivered: bool = False
    retry: bool = False
    failed: bool = False
    reason: str = ""


def _deliver(row: Notification, channel: str, now: datetime, mail, stencils: dict | None) -> Delivery:
    delivery = _deliver_push(row, now) if channel == PUSH else _deliver_email(row, now, mail, stencils)
    if delivery.delivered:
        row.channels = [*row.channels, channel]
        row.sent_at = row.sent_at or now
    return delivery


def _deliver_email(row: Notification, now: datetime, mail, stencils: dict | None) -> Delivery:
    message = emails.notification_email(row, connection=mail, now=now, stencils=stencils)
    if message is None:
        return Delivery()
    try:
        # One connection for the whole batch, opened by the first send that needs it
        # (open() is a no-op on an open connection): a TLS handshake per message would
        # cost more than everything else the dispatcher does.
        mail.open()
        message.send()
    except Exception as error:
        _drop_connection(mail)  # a connection in an unknown state is not reused
        return _send_failed(row, error)
    return Delivery(delivered=True)


def _deliver_push(row: Notification, now: datetime) -> Delivery:
    if row.kind == NotificationKind.DIGEST and not emails.digest_items(row):
        return Delivery()  # nothing left to tell, as for the e-mail
    outcome = pushes.push_notice(row, now)
    if outcome.delivered:
        return Delivery(delivered=True)
    if outcome.retry and row.attempts < MAX_ATTEMPTS:
        logger.warning("notification %s: push service busy, retrying", row.public_id)
        return Delivery(retry=True, reason="The push service was busy; trying again shortly.")
    return Delivery(failed=True, reason="Could not be pushed: no browser of yours accepted it.")


def _sent(row: Notification, now: datetime, decision, *, note: str = "") -> str:
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
    reason = decision.reason if decision.overrides or decision.reason.startswith("Sent on") else "Sent."
    for extra in (row.payload.get("note"), note):
        if extra:
            reason = f"{reason} {extra}"
    if row.kind == NotificationKind.DIGEST:
        row.merged_items.update(reason="Sent in your digest.", updated_at=now)
    return finish(row, NotificationStatus.SENT, reason, now)


def finish_partly_sent(row: Notification, now: datetime, decision) -> str:
    """A notice that went out on one channel and waited to retry another, which the
    policy no longer allows now: it stays sent where it went, and the rest is not sent."""
    sent = Decision(policy.Action.SEND, None, "Sent on one channel only.")
    return _sent(row, now, sent, note=decision.reason)


def _drop_connection(mail) -> None:
    try:
        mail.close()
    except Exception:  # closing a broken connection may fail too; the next send reopens
        logger.debug("closing a failed mail connection raised", exc_info=True)


def _send_failed(row: Notification, error: Exception) -> Delivery:
    if is_transient(error) and row.attempts < MAX_ATTEMPTS:
        # Bounded backoff (in send): 1, 2, 4, 8 minutes, all well before a meeting-day
        # reminder goes stale.
        logger.warning("notification %s: transient mail error, retrying", row.public_id)
        return Delivery(retry=True, reason="The mail server was busy; trying again shortly.")
    logger.error("notification %s: mail failed (%s)", row.public_id, type(error).__name__)
    return Delivery(failed=True, reason=f"Could not be delivered: {_describe(error)}.")


def _describe(error: Exception) -> str:
    code = getattr(error, "smtp_code", None)
    return f"the mail server answered {code}" if code else "the mail server refused it"


def finish(row: Notification, status: str, reason: str, now: datetime) -> str:
    """Set the row's outcome and release its claim, in memory: the dispatcher writes it
    (``claims.OUTCOME_FIELDS``) before it hands the next message to the mail server."""
    row.status = status
    row.reason = reason[:300]
    row.updated_at = now
    row.claimed_at = None
    row.claim_token = None
    return status
