"""One dispatcher at a time per person, so that the sent history read before a send is
still true when the send is recorded and caps hold with any number of dispatchers.

PostgreSQL: a session advisory lock on the membership id (no other advisory locks are
used here), released with the connection if the worker dies. A sweep takes the locks of
everyone in its batch it can get in one statement and holds them for the batch; the people
another sweep holds it takes one at a time afterwards, holding nothing else, so two sweeps
never wait for each other in a circle. SQLite runs one worker and has no such locks.
"""

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from django.db import connection

POLL = 0.02  # seconds between attempts at a person another sweep holds


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def everyone_free(people: Iterable[int]) -> Iterator[set[int]]:
    """Lock whichever of ``people`` no other sweep holds, in one statement; yield them."""
    wanted = sorted(set(people))
    if not _postgresql():
        yield set(wanted)
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT k FROM unnest(%s::bigint[]) AS k WHERE pg_try_advisory_lock(k)", [wanted])
        held = {k for (k,) in cursor.fetchall()}
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(k) FROM unnest(%s::bigint[]) AS k", [sorted(held)])


@contextmanager
def one_person(membership_id: int, *, meanwhile: Callable[[], None]) -> Iterator[None]:
    """Wait for one person another sweep holds, calling ``meanwhile`` between attempts
    (the waiting sweep keeps its own rows' leases alive instead of losing them)."""
    if not _postgresql():
        yield
        return
    while True:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [membership_id])
            (locked,) = cursor.fetchone()
        if locked:
            break
        meanwhile()
        time.sleep(POLL)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [membership_id])
