"""A sweep's hold on the rows it works on, and how it writes down what became of them.

Claiming is ``select_for_update(skip_locked=True)`` on PostgreSQL and a conditional
``UPDATE … WHERE status IN (pending, held)`` everywhere, so two dispatchers never take
the same row. A claimed row carries a lease: a dispatcher killed mid-send leaves it in
``sending`` and the next sweep after the lease takes it again (the resend carries the
same Message-ID, so a mail server or client can recognise it).

The lease measures one send, not the batch: while a sweep works through its batch it
keeps the rows it has not reached yet alive (a heartbeat every quarter lease), and before
each row it checks, with a conditional update on its claim token, that the row is still
its own. So a slow batch is never taken over by an idle dispatcher, and a sweep that
stalled past its lease (and lost rows to another) skips them instead of sending twice.

Outcomes are written in the same statement as the next row's take (``Claim.take``): a row
handed to the mail server is on record as sent before the next message is handed over,
so a kill at any moment leaves at most one message sent and not recorded, the one a
resend after the lease repeats with the same Message-ID — as when each row had its own
write, with one statement a row instead of two.
"""

import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from sessions_app.notifications.models import DUE_STATUSES, Notification, NotificationStatus

# What processing a row may change, written back when it is done.
OUTCOME_FIELDS = (
    *("status", "reason", "updated_at", "claimed_at", "claim_token"),
    *("due_at", "digest", "sent_at", "overrides", "attempts", "channels"),
)


def lease() -> timedelta:
    return timedelta(seconds=getattr(settings, "NOTIFICATION_LEASE_SECONDS", 60))


@dataclass
class Claim:
    """One sweep's hold on its batch. ``now`` is the sweep's clock (passed in by tests);
    the lease itself runs on the real clock, as the other dispatchers' sweeps do.
    ``done`` holds the rows processed since the last write, their outcomes still to write."""

    token: uuid.UUID
    now: datetime
    _beat: float = field(default_factory=time.monotonic)
    done: list[Notification] = field(default_factory=list)

    def mine(self):
        return Notification.objects.filter(status=NotificationStatus.SENDING, claim_token=self.token)

    def keep_alive(self) -> None:
        """Refresh the lease of every row still waiting in the batch, a few times a lease."""
        if time.monotonic() - self._beat >= lease().total_seconds() / 4:
            self.mine().update(claimed_at=self._lease_time())
            self._beat = time.monotonic()

    def take(self, row: Notification) -> bool:
        """Refresh this row's lease, if the row is still ours, and write the outcomes of
        the rows done before it, in one statement. The attempt is counted in the database
        now, so that a send interrupted by a kill counts; the row's outcome writes its own
        count back, raised only if it really tried to send."""
        done, self.done = self.done, []
        written = _write(done, take=(row, self.token, self._lease_time()))
        if written == len(done) + 1:
            return True
        return bool(done) and self.mine().filter(pk=row.pk).exists()  # a done row was deleted meanwhile: ask

    def record(self, row: Notification) -> None:
        """``row`` is done: its outcome is written with the next take, or by ``flush``."""
        self.done.append(row)

    def flush(self) -> None:
        done, self.done = self.done, []
        if done:
            _write(done)

    def _lease_time(self) -> datetime:
        # A sweep run with a clock in the future must not look abandoned to itself.
        return max(timezone.now(), self.now)


def _write(done: list[Notification], take: tuple[Notification, uuid.UUID, datetime] | None = None) -> int:
    """One ``UPDATE``: each outcome field as ``CASE id WHEN … THEN … ELSE field END`` for the
    ``done`` rows (what bulk_update writes, without the ORM's cost of building it: this
    runs once a row), and, for ``take`` (row, token, lease), the lease and the attempt,
    if that row is still held with that token. Outcomes are written whoever holds the row
    now: a row this sweep sent after stalling past its lease must read "sent", so that
    the sweep that took it over skips it. Returns how many rows it wrote."""
    quote, meta = connection.ops.quote_name, Notification._meta
    pk = quote(meta.pk.column)
    sets, set_params = [], []
    for name in OUTCOME_FIELDS:
        field = meta.get_field(name)
        column = quote(field.column)
        whens = []
        for row in done:
            whens.append(f"WHEN %s THEN {_placeholder(field)}")
            set_params += [row.pk, field.get_db_prep_save(getattr(row, field.attname), connection)]
        if take is not None and name == "claimed_at":
            whens.append(f"WHEN %s THEN {_placeholder(field)}")
            set_params += [take[0].pk, field.get_db_prep_save(take[2], connection)]
        if take is not None and name == "attempts":
            whens.append(f"WHEN %s THEN {column} + 1")
            set_params.append(take[0].pk)
        if whens:
            sets.append(f"{column} = CASE {pk} {' '.join(whens)} ELSE {column} END")
    where, where_params = [], []
    if done:
        where.append(f"{pk} IN ({', '.join(['%s'] * len(done))})")
        where_params += [row.pk for row in done]
    if take is not None:
        token = meta.get_field("claim_token").get_db_prep_save(take[1], connection)
        where.append(f"({pk} = %s AND {quote('status')} = %s AND {quote('claim_token')} = %s)")
        where_params += [take[0].pk, NotificationStatus.SENDING.value, token]
    # Only the model's own table and column names are spliced in; every value is a parameter.
    sql = f"UPDATE {quote(meta.db_table)} SET {', '.join(sets)} WHERE {' OR '.join(where)}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*set_params, *where_params])
        return cursor.rowcount


def _placeholder(field) -> str:
    # PostgreSQL types a CASE from its branches: say what each value is.
    return f"CAST(%s AS {field.db_type(connection)})" if connection.vendor == "postgresql" else "%s"


def reclaim_abandoned(now: datetime) -> int:
    return Notification.objects.filter(status=NotificationStatus.SENDING, claimed_at__lt=now - lease()).update(
        status=NotificationStatus.PENDING,
        claim_token=None,
        reason="Retrying after an interrupted send.",
        updated_at=now,
    )


def claim_due(claim: Claim, batch_size: int) -> list[int]:
    due = Notification.objects.filter(status__in=DUE_STATUSES, due_at__lte=claim.now).order_by("due_at", "pk")
    taken = {"status": NotificationStatus.SENDING, "claimed_at": claim.now, "claim_token": claim.token}
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:batch_size])
            Notification.objects.filter(pk__in=ids).update(**taken)
        return ids
    # SQLite has no row locks: claim one row at a time with a conditional update.
    candidates = due.values_list("pk", flat=True)[:batch_size]
    return [pk for pk in candidates if Notification.objects.filter(pk=pk, status__in=DUE_STATUSES).update(**taken)]
