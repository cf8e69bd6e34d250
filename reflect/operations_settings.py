"""Settings for running Reflect at scale: how long the outbox keeps its history and
when the readiness check calls delivery stalled (docs/operations.md). Kept out of
settings.py so that it stays readable; settings.py imports them all."""

from django.core.exceptions import ImproperlyConfigured

from reflect.env import env_bool, env_int

# A claimed notification whose dispatcher died is taken again after this many seconds.
NOTIFICATION_LEASE_SECONDS = env_int("NOTIFICATION_LEASE_SECONDS", 60)

# The ledger shows this week and last (up to 14 days back) and the dispatcher reads 8
# days of sends for the caps: a shorter history would change what people are told and
# what the caps allow, so the floor is 30 days.
NOTIFICATION_RETENTION_MIN_DAYS = 30
# Finished outbox rows (sent, merged, dropped, failed) are deleted this many days after
# they were last changed, by the daily purge (sessions_app/notifications/retention.py).
NOTIFICATION_RETENTION_DAYS = env_int("NOTIFICATION_RETENTION_DAYS", 90)
if NOTIFICATION_RETENTION_DAYS < NOTIFICATION_RETENTION_MIN_DAYS:
    raise ImproperlyConfigured(
        f"NOTIFICATION_RETENTION_DAYS={NOTIFICATION_RETENTION_DAYS} must be at least "
        f"{NOTIFICATION_RETENTION_MIN_DAYS}: the ledger and the attention caps read that far back."
    )
# Rows deleted per transaction: short transactions, no long locks on the outbox.
NOTIFICATION_RETENTION_BATCH = env_int("NOTIFICATION_RETENTION_BATCH", 5000)

# /healthz/ready answers 503 when a notification has been due for longer than this: the
# sweep runs every minute, so ten minutes means no dispatcher is working.
HEALTH_DISPATCH_STALL_MINUTES = env_int("HEALTH_DISPATCH_STALL_MINUTES", 10)
# How long the readiness check waits for the broker before calling it down.
HEALTH_BROKER_TIMEOUT_SECONDS = env_int("HEALTH_BROKER_TIMEOUT_SECONDS", 2)


def transaction_pooling(database: dict) -> dict:
    """``database`` ready for pgbouncer in transaction mode when DATABASE_TRANSACTION_POOLING
    is on (web processes only: see docs/operations.md): no server-side cursors and no
    prepared statements, which live in a server session a client does not keep."""
    if not env_bool("DATABASE_TRANSACTION_POOLING", False):
        return database
    if database["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_TRANSACTION_POOLING is for PostgreSQL behind pgbouncer.")
    options = {**database.get("OPTIONS", {}), "prepare_threshold": None}
    return {**database, "DISABLE_SERVER_SIDE_CURSORS": True, "OPTIONS": options}
