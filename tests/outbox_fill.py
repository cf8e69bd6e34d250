"""Fill the outbox with many rows at PostgreSQL's own speed (one INSERT … SELECT over
generate_series), for the EXPLAIN tests and bench/scale.py.

The rows are history as a busy site has it: spread over two years before ``now`` and
across the people given; per hundred rows 2 waiting and 1 held (due over the coming
fortnight), 64 sent, 15 merged into digests, 17 dropped and 1 failed.
"""

from datetime import datetime

TABLE = "sessions_app_notification"
STATUS_BY_PERCENT = (
    "CASE WHEN mod(n, 100) < 2 THEN 'pending' WHEN mod(n, 100) < 3 THEN 'held' WHEN mod(n, 100) < 67 THEN 'sent' "
    "WHEN mod(n, 100) < 82 THEN 'merged' WHEN mod(n, 100) < 99 THEN 'dropped' ELSE 'failed' END"
)
TWO_YEARS_MINUTES = 2 * 365 * 24 * 60
FORTNIGHT_MINUTES = 14 * 24 * 60

FILL = f"""
WITH people AS (
    SELECT organization_id, id AS recipient_id, row_number() OVER (ORDER BY id) - 1 AS position
    FROM accounts_membership WHERE id = ANY(%(recipients)s)
), numbered AS (
    SELECT n, {STATUS_BY_PERCENT} AS status FROM generate_series(1, %(rows)s::bigint) AS n
), timed AS (
    SELECT n, status,
        CASE WHEN status IN ('pending', 'held')
            THEN %(now)s::timestamptz + make_interval(mins => 1 + mod(n * 7919, {FORTNIGHT_MINUTES})::int)
            ELSE %(now)s::timestamptz - make_interval(mins => 1 + mod(n * 104729, {TWO_YEARS_MINUTES})::int)
        END AS due_at
    FROM numbered
)
INSERT INTO {TABLE} (
    public_id, organization_id, recipient_id, kind, priority, idempotency_key, due_at, status, reason,
    overrides, payload, attempts, channels, sent_at, created_at, updated_at
)
SELECT
    %(tag)s || n, people.organization_id, people.recipient_id,
    CASE WHEN mod(n, 7) = 0 THEN 'reflection_prompt' WHEN mod(n, 7) = 1 THEN 'invite' ELSE 'reminder' END,
    'normal', 'fill:' || %(tag)s || n, due_at, status, '',
    '[]'::jsonb, '{{}}'::jsonb, CASE WHEN status = 'sent' THEN 1 ELSE 0 END,
    CASE WHEN status = 'sent' THEN '["email"]'::jsonb ELSE '[]'::jsonb END,
    CASE WHEN status = 'sent' THEN due_at END, due_at - interval '1 day', due_at
FROM timed JOIN people ON people.position = mod(n, %(people)s)
"""  # noqa: S608 - only this module's constants are formatted in; values go as parameters


def fill_outbox(cursor, *, recipients: list[int], rows: int, now: datetime, tag: str = "f") -> None:
    """Insert ``rows`` notifications for the memberships ``recipients`` (ids), round robin."""
    cursor.execute(FILL, {"recipients": recipients, "rows": rows, "now": now, "tag": tag, "people": len(recipients)})
