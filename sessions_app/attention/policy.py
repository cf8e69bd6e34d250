"""The attention policy: may Reflect interrupt this person now, and if not, what then?

Pure: no ORM, no clock. Every instant is passed in, aware; every instant returned is
aware UTC. Only the standard library (``zoneinfo``) is used, so the rules below can be
checked against thousands of generated cases in milliseconds.

The policy is four modules; this one decides and is the one callers import:
``terms`` (limits, item, decision, rule names), ``quiet`` (quiet time, digest and
reminder times; its docstring says what quiet time is) and ``words`` (the reasons' wording).

``decide`` — one due item, one person, now
------------------------------------------
The rules apply in order; the first that matches gives the decision.

1. It is too late (``now >= latest_useful_at``): DROP. Nothing is ever sent late.
2. The person is on leave (``now`` falls on a day of their leave, in their time zone):
   DROP, for everything, urgent items and digests included. Reflect does not reach people
   on leave; leave ends by itself on its last day.
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
from dataclasses import replace
from datetime import UTC, datetime

from sessions_app.attention.quiet import in_quiet_time, next_digest_at, plan_time, quiet_end, quiet_kinds
from sessions_app.attention.terms import (
    DAILY_CAP,
    DAY_OFF,
    MAX_QUIET_DATES,
    MAX_QUIET_DATES_DAYS,
    MIN_GAP,
    ON_LEAVE,
    QUIET_HOURS,
    TOO_LATE,
    WEEK,
    WEEKLY_CAP,
    Action,
    Decision,
    Item,
    Limits,
    Priority,
    QuietDates,
    require_aware,
    useful,
)
from sessions_app.attention.words import clock, duration, join, phrase

# The policy's public face: callers import these from here, wherever they are defined.
__all__ = [
    "DAILY_CAP",
    "DAY_OFF",
    "MAX_QUIET_DATES",
    "MAX_QUIET_DATES_DAYS",
    "MIN_GAP",
    "ON_LEAVE",
    "QUIET_HOURS",
    "TOO_LATE",
    "WEEK",
    "WEEKLY_CAP",
    "Action",
    "Decision",
    "Item",
    "Limits",
    "Priority",
    "QuietDates",
    "clock",
    "decide",
    "in_quiet_time",
    "next_digest_at",
    "plan_time",
    "within_ceiling",
]


def decide(
    *, limits: Limits, item: Item, sent: Sequence[datetime], now: datetime, ahead: Sequence[Item] = ()
) -> Decision:
    """Send, defer, merge into the digest or drop one due item; see the module docstring.

    ``sent`` holds the times of interruptions already sent to this person, in any order,
    digests excluded; times older than a week are ignored, and times after ``now`` (clock
    skew between workers) count as sent, which can only make the policy stricter.
    ``ahead`` holds the person's other items still waiting (their ``due_at`` is when they
    fall due); only those ranked above ``item`` and due within the next week matter."""
    require_aware(now, "now")
    for moment in sent:
        require_aware(moment, "sent")
    now = now.astimezone(UTC)
    latest = item.latest_useful_at
    if not useful(now, latest):
        return Decision(Action.DROP, None, TOO_LATE)
    if limits.on_leave_at(now):
        return Decision(Action.DROP, None, ON_LEAVE)
    if item.priority == Priority.LOW and not item.is_digest:
        return _merge(
            limits,
            now,
            latest,
            saved="it can wait",
            dropped="your next digest would have been too late for it to be useful",
        )

    urgent = item.priority == Priority.URGENT and not item.is_digest
    quiet = quiet_kinds(limits, now)
    if quiet and not (urgent and limits.urgent_may_break_quiet):
        if item.is_reminder:
            # Never late: a reminder is planned out of quiet time, earlier; one that finds
            # itself in it anyway is not sent after it.
            why = join([phrase(limits, kind) for kind in quiet])
            return Decision(Action.DROP, None, f"Dropped: it fell in {why}, and after them it would have been late.")
        return _hold_for_quiet(limits, now, latest, quiet)
    if item.is_digest:
        return Decision(Action.SEND, None, "Sent: your digest.")

    caps = _caps_reached(limits, sent, now)
    last = max(sent, default=None)
    gap_open = last is not None and now - last < limits.min_gap
    if urgent:
        overrides = (*quiet, *caps, *((MIN_GAP,) if gap_open else ()))
        return _send_urgent(limits, overrides)
    if caps:
        reached = join([phrase(limits, cap) for cap in caps])
        verb = "were" if len(caps) > 1 else "was"
        return _merge(
            limits,
            now,
            latest,
            saved=f"{reached} {verb} reached",
            dropped=f"{reached} {verb} reached and your next digest would have been too late",
        )
    if gap_open:
        return _hold_for_gap(limits, now, latest, last + limits.min_gap, reminder=item.is_reminder)
    return _give_way(limits, item, sent, now, ahead) or Decision(Action.SEND, None, "Sent.")


def _give_way(limits: Limits, item: Item, sent: Sequence[datetime], now: datetime, ahead: Sequence[Item]):
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
    within_gap = [at for at in higher if at < now + limits.min_gap]
    if within_gap:
        first = within_gap[0]
        at, why = first + limits.min_gap, f"a reminder due at {clock(limits, first, now)} goes first"
        if in_quiet_time(limits, at):
            at = quiet_end(limits, at)
        if useful(at, latest):
            return Decision(Action.DEFER, at.astimezone(UTC), f"Held until {clock(limits, at, now)}: {why}.")
        return _merge(limits, now, latest, saved=why, dropped=f"{why} and your next digest would have been too late")
    zone = limits.zone
    today = now.astimezone(zone).date()
    sent_today = sum(1 for moment in sent if moment.astimezone(zone).date() == today)
    later_today = [at for at in higher if at.astimezone(zone).date() == today]
    sent_week = sum(1 for moment in sent if moment > now - WEEK)
    if later_today and sent_today + 1 + len(later_today) > limits.daily_cap:
        why = f"a reminder due at {clock(limits, later_today[0], now)} needs your last message today"
    elif sent_week + 1 + len(higher) > limits.weekly_cap:
        why = f"a reminder due at {clock(limits, higher[0], now)} needs your last message this week"
    else:
        return None
    return _merge(limits, now, latest, saved=why, dropped=f"{why} and your next digest would have been too late")


def _caps_reached(limits: Limits, sent: Iterable[datetime], now: datetime) -> tuple[str, ...]:
    zone = limits.zone
    today = now.astimezone(zone).date()
    today_count = sum(1 for moment in sent if moment.astimezone(zone).date() == today)
    week_count = sum(1 for moment in sent if moment > now - WEEK)
    reached = []
    if today_count >= limits.daily_cap:
        reached.append(DAILY_CAP)
    if week_count >= limits.weekly_cap:
        reached.append(WEEKLY_CAP)
    return tuple(reached)


def _hold_for_quiet(limits: Limits, now: datetime, latest: datetime | None, quiet: tuple[str, ...]) -> Decision:
    end = quiet_end(limits, now)
    why = join([phrase(limits, kind) for kind in quiet])
    if useful(end, latest):
        return Decision(Action.DEFER, end, f"Held until {clock(limits, end, now)}: {why}.")
    return Decision(Action.DROP, None, f"Dropped: it would have been too late after {why}.")


def _hold_for_gap(
    limits: Limits, now: datetime, latest: datetime | None, gap_over: datetime, *, reminder: bool = False
) -> Decision:
    wait = duration(limits.min_gap)
    at, why = gap_over, f"at least {wait} between messages"
    quiet = quiet_kinds(limits, at)
    if quiet and reminder:
        latest = at  # a reminder is never carried across quiet time: that would make it late
    elif quiet:
        at = quiet_end(limits, at)
        why += f", then {join([phrase(limits, kind) for kind in quiet])}"
    if useful(at, latest):
        return Decision(Action.DEFER, at.astimezone(UTC), f"Held until {clock(limits, at, now)}: {why}.")
    return _merge(
        limits,
        now,
        latest,
        saved=f"waiting {wait} after your last message would have made it too late",
        dropped=f"waiting {wait} after your last message, or for your next digest, would have made it too late",
    )


def _merge(limits: Limits, now: datetime, latest: datetime | None, *, saved: str, dropped: str) -> Decision:
    at = next_digest_at(limits=limits, after=now)
    if useful(at, latest):
        return Decision(Action.DIGEST, at, f"Saved for your digest at {clock(limits, at, now)}: {saved}.")
    return Decision(Action.DROP, None, f"Dropped: {dropped}.")


def _send_urgent(limits: Limits, overrides: tuple[str, ...]) -> Decision:
    if not overrides:
        return Decision(Action.SEND, None, "Sent.")
    reason = f"Sent despite {join([phrase(limits, name) for name in overrides])}: it was urgent"
    if QUIET_HOURS in overrides or DAY_OFF in overrides:
        reason += ", and your organisation lets urgent messages through"
    return Decision(Action.SEND, None, reason + ".", overrides)


# --- organisation ceilings -------------------------------------------------------------


def within_ceiling(*, person: Limits, ceiling: Limits) -> Limits:
    """The limits to apply: the person's own, loosened no further than the organisation's
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
