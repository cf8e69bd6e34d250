"""Counting attempts in the shared cache, in fixed windows aligned to the epoch (a window
of 86 400 seconds is the UTC day), as allauth counts its own limits: every web process
and worker sees one count, and a count expires with its window."""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    name: str  # what is counted, e.g. "door-codes"
    per: int  # how many in one window
    seconds: int  # the window's length


def _window(limit: Limit, now: datetime) -> tuple[int, datetime]:
    index = int(now.timestamp()) // limit.seconds
    return index, datetime.fromtimestamp((index + 1) * limit.seconds, tz=UTC)


def _key(limit: Limit, who: str, index: int) -> str:
    return f"reflect:rl:{limit.name}:{who}:{index}"


def attempts_left(limit: Limit, *, who: str, now: datetime) -> tuple[int, datetime]:
    """How many more attempts ``who`` has in this window, and when the window ends."""
    index, end = _window(limit, now)
    return max(0, limit.per - cache.get(_key(limit, who, index), 0)), end


def attempt_consume(limit: Limit, *, who: str, now: datetime) -> datetime | None:
    """Count one attempt. None when it was within the limit; otherwise it is not counted
    and the answer is when the window ends (when the person may try again)."""
    index, end = _window(limit, now)
    key = _key(limit, who, index)
    cache.add(key, 0, timeout=int((end - now).total_seconds()) + 60)
    if cache.incr(key) > limit.per:
        cache.decr(key)
        return end
    return None
