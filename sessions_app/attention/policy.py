"""The attention policy: may Reflect interrupt this person now, and if not, what then?

Pure: no ORM, no clock. Every instant is passed in, aware; every instant returned is
aware UTC. Only the standard library (``zoneinfo``) is used, so the rules below can be
checked against thousands of generated cases in milliseconds.

Quiet time
----------
A person's *quiet time* is the union of

* their quiet hours: for every local date D, from ``quiet_start`` on D to ``quiet_end``
  on D (or on D + 1 when the window wraps midnight, ``quiet_start > quiet_end``). Equal
  start and end make an empty window, the same as no quiet hours;
* their days off: every local date whose weekday (0 = Monday) is in ``days_off``, from
  its midnight to the next.

Each window is a half-open interval of instants, ``[start, end)``, computed in the
person's own zone with zoneinfo, so "22:00–07:00" is 22:00 to 07:00 on the wall clock
whatever the clocks did that night: ten hours of elapsed time on the night London falls
back, eight on the night it springs forward. A wall time is turned into an instant by
one rule:

* a time that happens twice (fall-back) takes the first, earlier instant (``fold=0``);
* a time that does not exist (spring-forward gap) resolves forward to the first instant
  the clock shows a later time: quiet hours ending at 02:30 in New York on 8 March 2026
  end at 03:00 EDT, the moment the clocks jump.

``decide`` — one due item, one person, now
------------------------------------------
The rules apply in order; the first that matches gives the decision.

1. It is too late (``now >= latest_useful_at``): DROP. Nothing is ever sent late.
2. The person is on leave: DROP, for everything, urgent items and digests included.
   Reflect does not reach people on leave.
3. A low-priority item (not the digest itself) waits for the daily digest: DIGEST at
   ``next_digest_at(after=now)``, or DROP if that is too late.
4. The digest itself respects quiet time (rule 5, never overridden) and is otherwise
   sent: it is exempt from caps and the minimum gap, because it is what they protect.
5. Quiet time now: an urgent item is SENT where the organisation allows urgent
   messages to break quiet time (``urgent_may_break_quiet``), recording the override
   (``quiet_hours`` and/or ``day_off``). A reminder is DROPPED: it was planned out of
   quiet time, earlier (``plan_time``), and after quiet time it would be late. Anything
   else is DEFERRED to the end of the quiet period, or DROPPED if that end is too late.
6. Caps: interruptions already sent on the same *local* calendar day as now (daily), and
   in the 7 × 24 hours before now (weekly). Once either cap is reached an urgent item is
   SENT with the override recorded (``daily_cap``, ``weekly_cap``); anything else is
   merged into the next DIGEST, or DROPPED if that is too late.
7. Minimum gap since the most recent interruption: an urgent item is SENT with
   ``min_gap`` recorded; anything else is DEFERRED until the gap has passed (and, if that
   lands in quiet time, to the end of that quiet period — never for a reminder, which
   would then be late), or, if that is too late, merged into the digest or dropped as in
   rule 6.
8. Precedence (looking ahead): an item that would be sent gives way to higher-ranked
   items due for the same person soon (``ahead``), so that a routine notice never costs
   a reminder its slot:

   * if a higher-ranked item falls due within the minimum gap after now, this one is
     DEFERRED until the gap after that item has passed (quiet time skipped as in rule 7),
     or merged into the digest or dropped if that is too late;
   * if sending it now would leave too few interruptions under the daily cap (for
     higher-ranked items due later the same local day) or the weekly cap (due in the
     next seven days), it is merged into the DIGEST, or dropped if that is too late.
9. Otherwise: SEND.

Precedence — what yields to what
--------------------------------
Every item has a rank; a lower rank yields to a higher one and never the other way:

1. urgent items (hot-debrief calls, cancellations within 24 hours) — they may exceed
   caps and the gap, so they never need a slot;
2. reminders before a meeting (``Item.is_reminder``) — the message that gets a person
   into the room, useless after it starts;
3. other normal notices (a change, a new meeting, a place freed, panel preparation);
4. low-priority items (reflection prompts, a new series, changes to meetings beyond the
   planning window): they wait for the digest and so never take a slot.

Digests are exempt from caps and the gap and take no slot. A higher-ranked item never
waits for a lower one: the look-ahead only ever holds the lower one back.

An urgent item that is sent records every rule it broke, so the ledger can show each
override. DEFER and DIGEST times are always later than now, never in quiet time and
always before ``latest_useful_at``. ``Item.due_at`` is not consulted: the dispatcher
calls ``decide`` once an item is due, and the decision is about ``now``.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
QUIET_HOURS = "quiet_hours"
DAY_OFF = "day_off"
DAILY_CAP = "daily_cap"
WEEKLY_CAP = "weekly_cap"
MIN_GAP = "min_gap"
WEEK = timedelta(days=7)
# The last allowed moment before a quiet period is "the minute before it starts": 20:59
# for quiet hours from 21:00, which a once-a-minute dispatcher can still act on.
_BEFORE_QUIET = timedelta(minutes=1)
# Quiet time never covers a whole week (one day at least is not a day off, and quiet
# hours leave part of every day free), so a walk through it ends within a few dozen steps.
_MAX_STEPS = 64

TOO_LATE = "Dropped: it would have arrived too late to be useful."
ON_LEAVE = "Not sent: you were on leave."


class Priority(StrEnum):
    URGENT = "urgent"
    NORMAL = "normal"
    LOW = "low"


class Action(StrEnum):
    SEND = "send"
    DEFER = "defer"
    DIGEST = "digest"
    DROP = "drop"


@dataclass(frozen=True, kw_only=True)
class Budget:
    """One person's attention budget. Local times are wall-clock times in ``time_zone``.

    Raises ``ValueError`` for settings no rule can honour: an unknown zone, negative caps
    or gap, half-set quiet hours, or every day of the week off (that is leave)."""

    time_zone: str
    quiet_start: time | None = time(21, 0)
    quiet_end: time | None = time(7, 0)
    days_off: frozenset[int] = frozenset()
    daily_cap: int = 3
    weekly_cap: int = 10
    min_gap: timedelta = timedelta(hours=2)
    digest_time: time = time(17, 0)
    on_leave: bool = False
    urgent_may_break_quiet: bool = False

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {self.time_zone!r}") from error
        object.__setattr__(self, "days_off", frozenset(self.days_off))
        if not self.days_off <= frozenset(range(7)):
            raise ValueError("days_off holds weekday numbers, 0 (Monday) to 6 (Sunday)")
        if len(self.days_off) == 7:
            raise ValueError("every day cannot be a day off: use on_leave")
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValueError("quiet_start and quiet_end are set together, or both None")
        for value in (self.quiet_start, self.quiet_end, self.digest_time):
            if value is not None and value.tzinfo is not None:
                raise ValueError("quiet hours and digest time are local wall-clock times, without tzinfo")
        if self.daily_cap < 0 or self.weekly_cap < 0:
            raise ValueError("caps cannot be negative")
        if self.min_gap < timedelta(0):
            raise ValueError("min_gap cannot be negative")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


@dataclass(frozen=True, kw_only=True)
class Item:
    priority: Priority
    due_at: datetime
    latest_useful_at: datetime | None
    is_digest: bool = False
    is_reminder: bool = False

    def __post_init__(self) -> None:
        _require_aware(self.due_at, "due_at")
        if self.latest_useful_at is not None:
            _require_aware(self.latest_useful_at, "latest_useful_at")

    @property
    def rank(self) -> int:
        """Precedence (see the module docstring): 3 urgent, 2 reminder, 1 notice, 0 low."""
        if self.priority == Priority.URGENT:
            return 3
        if self.priority == Priority.LOW or self.is_digest:
            return 0
        return 2 if self.is_reminder else 1


@dataclass(frozen=True)
class Decision:
    action: Action
    at: datetime | None
    reason: str
    overrides: tuple[str, ...] = ()


# --- quiet time ------------------------------------------------------------------------


def in_quiet_time(budget: Budget, moment: datetime) -> bool:
    """Whether ``moment`` falls in the person's quiet hours or on one of their days off."""
    return bool(_quiet_kinds(budget, moment))


def _quiet_kinds(budget: Budget, moment: datetime) -> tuple[str, ...]:
    """Which quiet windows hold ``moment``: ``quiet_hours``, ``day_off``, both or neither."""
    _require_aware(moment, "moment")
    kinds = {kind for start, end, kind in _pieces_near(budget, moment) if start <= moment < end}
    return tuple(kind for kind in (QUIET_HOURS, DAY_OFF) if kind in kinds)


def _pieces_near(budget: Budget, moment: datetime) -> tuple[tuple[datetime, datetime, str], ...]:
    day = moment.astimezone(budget.zone).date()
    return _pieces(budget.time_zone, budget.quiet_start, budget.quiet_end, budget.days_off, day)


@lru_cache(maxsize=8192)
def _pieces(
    time_zone: str, quiet_start: time | None, quiet_end: time | None, days_off: frozenset[int], day: date
) -> tuple[tuple[datetime, datetime, str], ...]:
    """Every quiet window that can hold an instant whose local date is ``day``, or that
    ends at one: quiet hours anchored two days back (a fall-back night can repeat the
    hour before midnight) to one day on, and days off from the day before to the day after."""
    zone = ZoneInfo(time_zone)
    pieces = []
    if quiet_start is not None and quiet_end is not None and quiet_start != quiet_end:
        wraps = quiet_start > quiet_end
        for offset in (-2, -1, 0, 1):
            anchor = day + timedelta(days=offset)
            start = _resolve(zone, anchor, quiet_start)
            end = _resolve(zone, anchor + timedelta(days=1) if wraps else anchor, quiet_end)
            if start < end:
                pieces.append((start, end, QUIET_HOURS))
    for offset in (-1, 0, 1):
        anchor = day + timedelta(days=offset)
        if anchor.weekday() in days_off:
            pieces.append(
                (_resolve(zone, anchor, time(0)), _resolve(zone, anchor + timedelta(days=1), time(0)), DAY_OFF)
            )
    return tuple(pieces)


def _resolve(zone: ZoneInfo, day: date, wall: time) -> datetime:
    """The instant (UTC) at which the clock in ``zone`` shows ``wall`` on ``day``: the
    earlier one if it shows it twice, the moment it jumps past it if it never does."""
    naive = datetime.combine(day, wall)
    earlier = naive.replace(tzinfo=zone).astimezone(UTC)  # fold=0: the offset before any change
    if _wall(zone, earlier) == naive:
        return earlier
    # In a gap fold=0 lands after the jump and fold=1 before it; search the seconds between
    # for the jump itself (zone transitions happen on whole seconds).
    low = int(naive.replace(tzinfo=zone, fold=1).astimezone(UTC).timestamp()) - 1
    high = int(earlier.timestamp()) + 1
    while high - low > 1:
        middle = (low + high) // 2
        if _wall(zone, datetime.fromtimestamp(middle, UTC)) >= naive:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def _wall(zone: ZoneInfo, moment: datetime) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def _quiet_end(budget: Budget, moment: datetime) -> datetime:
    """The first instant at or after ``moment`` that is not quiet time."""
    current = moment
    for _ in range(_MAX_STEPS):
        ends = [end for start, end, _kind in _pieces_near(budget, current) if start <= current < end]
        if not ends:
            return current.astimezone(UTC)
        current = max(ends)
    raise RuntimeError("quiet time without end")  # unreachable: Budget forbids a week of it


def _quiet_start(budget: Budget, moment: datetime) -> datetime:
    """The start of the unbroken quiet period that holds ``moment`` (which must be quiet)."""
    current = min(start for start, end, _kind in _pieces_near(budget, moment) if start <= moment < end)
    for _ in range(_MAX_STEPS):
        earlier = [start for start, end, _kind in _pieces_near(budget, current) if start < current <= end]
        if not earlier:
            return current
        current = min(earlier)
    raise RuntimeError("quiet time without start")  # unreachable, as above


def _last_allowed_before(budget: Budget, moment: datetime) -> datetime:
    """The minute before the quiet period that holds ``moment`` begins."""
    candidate = _quiet_start(budget, moment) - _BEFORE_QUIET
    for _ in range(_MAX_STEPS):
        if not in_quiet_time(budget, candidate):
            return candidate
        # The allowed window before was shorter than a minute: look before the one before.
        candidate = _quiet_start(budget, candidate) - _BEFORE_QUIET
    raise RuntimeError("no allowed moment before quiet time")  # unreachable, as above


# --- times -----------------------------------------------------------------------------


def next_digest_at(*, budget: Budget, after: datetime, skip_days: Iterable[date] = ()) -> datetime:
    """The next daily digest strictly after ``after``: local ``digest_time`` on a day that
    is not a day off (nor in ``skip_days``: days that already had their digest); when that
    falls in quiet hours, the end of that quiet period."""
    _require_aware(after, "after")
    skip_days = frozenset(skip_days)
    zone = budget.zone
    first_day = after.astimezone(zone).date()
    best: datetime | None = None
    for offset in range(-1, 16):
        day = first_day + timedelta(days=offset)
        if day.weekday() in budget.days_off or day in skip_days:
            continue
        at = _resolve(zone, day, budget.digest_time)
        if best is not None and at >= best:
            break  # later days only give later digests
        if in_quiet_time(budget, at):
            at = _quiet_end(budget, at)
        if at > after and (best is None or at < best):
            best = at
    if best is None:  # unreachable: Budget keeps at least one working day a week
        raise RuntimeError("no digest time found")
    return best


def plan_time(
    *, budget: Budget, wanted_at: datetime, latest_useful_at: datetime | None, now: datetime
) -> datetime | None:
    """When to plan a reminder wanted at ``wanted_at``, or ``None`` to plan none.

    An allowed time is kept. A time in quiet time moves *earlier*, to the minute before
    that quiet period starts (the end of the last allowed window, days off skipped), if
    that is not already past; otherwise the reminder is dropped — never sent late.
    A wanted time already past counts as ``now``. Never returns a time in quiet time,
    before ``now``, or at or after ``latest_useful_at``."""
    _require_aware(wanted_at, "wanted_at")
    _require_aware(now, "now")
    if latest_useful_at is not None:
        _require_aware(latest_useful_at, "latest_useful_at")
        if wanted_at >= latest_useful_at:
            return None
    at = max(wanted_at, now).astimezone(UTC)
    if in_quiet_time(budget, at):
        # Earlier, or not at all: after quiet time it would be late.
        earlier = _last_allowed_before(budget, at)
        return earlier if earlier >= now else None
    return at if _useful(at, latest_useful_at) else None


# --- the decision ----------------------------------------------------------------------


def decide(
    *, budget: Budget, item: Item, sent: Sequence[datetime], now: datetime, ahead: Sequence[Item] = ()
) -> Decision:
    """Send, defer, merge into the digest or drop one due item; see the module docstring.

    ``sent`` holds the times of interruptions already sent to this person, in any order,
    digests excluded; times older than a week are ignored, and times after ``now`` (clock
    skew between workers) count as sent, which can only make the policy stricter.
    ``ahead`` holds the person's other items still waiting (their ``due_at`` is when they
    fall due); only those ranked above ``item`` and due within the next week matter."""
    _require_aware(now, "now")
    for moment in sent:
        _require_aware(moment, "sent")
    now = now.astimezone(UTC)
    latest = item.latest_useful_at
    if not _useful(now, latest):
        return Decision(Action.DROP, None, TOO_LATE)
    if budget.on_leave:
        return Decision(Action.DROP, None, ON_LEAVE)
    if item.priority == Priority.LOW and not item.is_digest:
        return _merge(
            budget,
            now,
            latest,
            saved="it can wait",
            dropped="your next digest would have been too late for it to be useful",
        )

    urgent = item.priority == Priority.URGENT and not item.is_digest
    quiet = _quiet_kinds(budget, now)
    if quiet and not (urgent and budget.urgent_may_break_quiet):
        if item.is_reminder:
            # Never late: a reminder is planned out of quiet time, earlier; one that finds
            # itself in it anyway is not sent after it.
            why = _join([_phrase(budget, kind) for kind in quiet])
            return Decision(Action.DROP, None, f"Dropped: it fell in {why}, and after them it would have been late.")
        return _hold_for_quiet(budget, now, latest, quiet)
    if item.is_digest:
        return Decision(Action.SEND, None, "Sent: your digest.")

    caps = _caps_reached(budget, sent, now)
    last = max(sent, default=None)
    gap_open = last is not None and now - last < budget.min_gap
    if urgent:
        overrides = (*quiet, *caps, *((MIN_GAP,) if gap_open else ()))
        return _send_urgent(budget, overrides)
    if caps:
        limits = _join([_phrase(budget, cap) for cap in caps])
        verb = "were" if len(caps) > 1 else "was"
        return _merge(
            budget,
            now,
            latest,
            saved=f"{limits} {verb} reached",
            dropped=f"{limits} {verb} reached and your next digest would have been too late",
        )
    if gap_open:
        return _hold_for_gap(budget, now, latest, last + budget.min_gap, reminder=item.is_reminder)
    return _give_way(budget, item, sent, now, ahead) or Decision(Action.SEND, None, "Sent.")


def _give_way(budget: Budget, item: Item, sent: Sequence[datetime], now: datetime, ahead: Sequence[Item]):
    """Rule 8: hold ``item`` back if sending it now would cost a higher-ranked item its
    slot (the gap before it, or the last interruption the caps leave); else ``None``."""
    higher = sorted(
        # Urgent items may exceed the caps and the gap, so they never need a slot kept.
        other.due_at
        for other in ahead
        if item.rank < other.rank < 3 and now <= other.due_at < now + WEEK
    )
    if not higher:
        return None
    latest = item.latest_useful_at
    within_gap = [at for at in higher if at < now + budget.min_gap]
    if within_gap:
        first = within_gap[0]
        at, why = first + budget.min_gap, f"a reminder due at {clock(budget, first, now)} goes first"
        if in_quiet_time(budget, at):
            at = _quiet_end(budget, at)
        if _useful(at, latest):
            return Decision(Action.DEFER, at.astimezone(UTC), f"Held until {clock(budget, at, now)}: {why}.")
        return _merge(budget, now, latest, saved=why, dropped=f"{why} and your next digest would have been too late")
    zone = budget.zone
    today = now.astimezone(zone).date()
    sent_today = sum(1 for moment in sent if moment.astimezone(zone).date() == today)
    later_today = [at for at in higher if at.astimezone(zone).date() == today]
    sent_week = sum(1 for moment in sent if moment > now - WEEK)
    if later_today and sent_today + 1 + len(later_today) > budget.daily_cap:
        why = f"a reminder due at {clock(budget, later_today[0], now)} needs your last message today"
    elif sent_week + 1 + len(higher) > budget.weekly_cap:
        why = f"a reminder due at {clock(budget, higher[0], now)} needs your last message this week"
    else:
        return None
    return _merge(budget, now, latest, saved=why, dropped=f"{why} and your next digest would have been too late")


def _caps_reached(budget: Budget, sent: Iterable[datetime], now: datetime) -> tuple[str, ...]:
    zone = budget.zone
    today = now.astimezone(zone).date()
    today_count = sum(1 for moment in sent if moment.astimezone(zone).date() == today)
    week_count = sum(1 for moment in sent if moment > now - WEEK)
    reached = []
    if today_count >= budget.daily_cap:
        reached.append(DAILY_CAP)
    if week_count >= budget.weekly_cap:
        reached.append(WEEKLY_CAP)
    return tuple(reached)


def _hold_for_quiet(budget: Budget, now: datetime, latest: datetime | None, quiet: tuple[str, ...]) -> Decision:
    end = _quiet_end(budget, now)
    why = _join([_phrase(budget, kind) for kind in quiet])
    if _useful(end, latest):
        return Decision(Action.DEFER, end, f"Held until {clock(budget, end, now)}: {why}.")
    return Decision(Action.DROP, None, f"Dropped: it would have been too late after {why}.")


def _hold_for_gap(
    budget: Budget, now: datetime, latest: datetime | None, gap_over: datetime, *, reminder: bool = False
) -> Decision:
    wait = _duration(budget.min_gap)
    at, why = gap_over, f"at least {wait} between messages"
    quiet = _quiet_kinds(budget, at)
    if quiet and reminder:
        latest = at  # a reminder is never carried across quiet time: that would make it late
    elif quiet:
        at = _quiet_end(budget, at)
        why += f", then {_join([_phrase(budget, kind) for kind in quiet])}"
    if _useful(at, latest):
        return Decision(Action.DEFER, at.astimezone(UTC), f"Held until {clock(budget, at, now)}: {why}.")
    return _merge(
        budget,
        now,
        latest,
        saved=f"waiting {wait} after your last message would have made it too late",
        dropped=f"waiting {wait} after your last message, or for your next digest, would have made it too late",
    )


def _merge(budget: Budget, now: datetime, latest: datetime | None, *, saved: str, dropped: str) -> Decision:
    at = next_digest_at(budget=budget, after=now)
    if _useful(at, latest):
        return Decision(Action.DIGEST, at, f"Saved for your digest at {clock(budget, at, now)}: {saved}.")
    return Decision(Action.DROP, None, f"Dropped: {dropped}.")


def _send_urgent(budget: Budget, overrides: tuple[str, ...]) -> Decision:
    if not overrides:
        return Decision(Action.SEND, None, "Sent.")
    reason = f"Sent despite {_join([_phrase(budget, name) for name in overrides])}: it was urgent"
    if QUIET_HOURS in overrides or DAY_OFF in overrides:
        reason += ", and your organisation lets urgent messages through"
    return Decision(Action.SEND, None, reason + ".", overrides)


# --- organisation ceilings -------------------------------------------------------------


def within_ceiling(*, person: Budget, ceiling: Budget) -> Budget:
    """The budget to apply: the person's own, loosened no further than the organisation's
    ceiling allows.

    * Caps are the lower of the two and the minimum gap the longer: a person may always
      ask for fewer interruptions, never for more than the ceiling.
    * Quiet hours, days off, digest time, leave and time zone are the person's own
      choice: each one only ever holds messages back.
    * Whether urgent messages may break quiet time is the organisation's decision alone.
    """
    return replace(
        person,
        daily_cap=min(person.daily_cap, ceiling.daily_cap),
        weekly_cap=min(person.weekly_cap, ceiling.weekly_cap),
        min_gap=max(person.min_gap, ceiling.min_gap),
        urgent_may_break_quiet=ceiling.urgent_may_break_quiet,
    )


# --- words -----------------------------------------------------------------------------


def _phrase(budget: Budget, rule: str) -> str:
    return {
        QUIET_HOURS: "your quiet hours",
        DAY_OFF: "your day off",
        DAILY_CAP: f"your daily limit of {budget.daily_cap}",
        WEEKLY_CAP: f"your weekly limit of {budget.weekly_cap}",
        MIN_GAP: f"the {_duration(budget.min_gap)} you asked for between messages",
    }[rule]


def clock(budget: Budget, moment: datetime, now: datetime) -> str:
    """ "07:00" on the day of ``now``, "07:00 on Sunday 25 October" on any other."""
    local = moment.astimezone(budget.zone)
    text = f"{local:%H:%M}"
    if local.date() != now.astimezone(budget.zone).date():
        text += f" on {WEEKDAY_NAMES[local.weekday()]} {local.day} {MONTH_NAMES[local.month - 1]}"
    return text


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes == 0:
        return _count(int(delta.total_seconds()), "second")
    hours, minutes = divmod(minutes, 60)
    parts = [_count(hours, "hour")] if hours else []
    if minutes:
        parts.append(_count(minutes, "minute"))
    return " ".join(parts)


def _count(number: int, unit: str) -> str:
    return f"{number} {unit}" if number == 1 else f"{number} {unit}s"


def _join(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _useful(moment: datetime, latest: datetime | None) -> bool:
    return latest is None or moment < latest


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
