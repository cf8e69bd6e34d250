"""The attention policy's words: how a rule, a duration and a moment are said in the
reasons people read in their ledger. Pure."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from reflect.dates import MONTH_NAMES, WEEKDAY_NAMES
from sessions_app.attention.terms import DAILY_CAP, DAY_OFF, MIN_GAP, QUIET_HOURS, WEEKLY_CAP, Limits


def phrase(limits: Limits, rule: str) -> str:
    return {
        QUIET_HOURS: "your quiet hours",
        DAY_OFF: "your day off",
        DAILY_CAP: f"your daily limit of {limits.daily_cap}",
        WEEKLY_CAP: f"your weekly limit of {limits.weekly_cap}",
        MIN_GAP: f"the {duration(limits.min_gap)} you asked for between messages",
    }[rule]


def clock(limits: Limits, moment: datetime, now: datetime) -> str:
    """ "07:00" on the day of ``now``, "07:00 on Sunday 25 October" on any other."""
    local = moment.astimezone(limits.zone)
    text = f"{local:%H:%M}"
    if local.date() != now.astimezone(limits.zone).date():
        text += f" on {WEEKDAY_NAMES[local.weekday()]} {local.day} {MONTH_NAMES[local.month - 1]}"
    return text


def duration(delta: timedelta) -> str:
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


def join(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
