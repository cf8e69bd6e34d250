"""Recurrence rules as text (RFC 5545 RRULE): parse and validate one, build one from the
series form's friendly choices, and describe one in words.

Pure: no ORM, no clock. Expanding a rule into meetings is ``recurrence``'s job.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Literal

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY
from django.utils.text import get_text_list
from django.utils.translation import gettext, gettext_lazy, ngettext

from reflect.dates import MONTH_NAMES, WEEKDAY_NAMES

MAX_COUNT = 1000

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # index = date.weekday()

FREQUENCIES = {"DAILY": DAILY, "WEEKLY": WEEKLY, "MONTHLY": MONTHLY, "YEARLY": YEARLY}

_SUB_DAILY = ("HOURLY", "MINUTELY", "SECONDLY")

_TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")

# name: (largest absolute value, negative values allowed, frequencies it may be used with)
_NUMBER_LISTS = {
    "BYMONTH": (12, False, ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")),
    "BYWEEKNO": (53, True, ("YEARLY",)),
    "BYYEARDAY": (366, True, ("YEARLY",)),
    "BYMONTHDAY": (31, True, ("DAILY", "MONTHLY", "YEARLY")),
    "BYSETPOS": (366, True, ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")),
}

_KNOWN_PARTS = ("FREQ", "INTERVAL", "COUNT", "UNTIL", *_NUMBER_LISTS, "BYDAY", "WKST", *_TIME_PARTS)

_BYDAY_TOKEN = re.compile(r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)")

_UNTIL_VALUE = re.compile(r"(\d{8})(?:T(\d{6})(Z?))?")


@dataclass(frozen=True)
class Rule:
    freq: str
    interval: int = 1
    count: int | None = None
    until: datetime | None = None  # naive local wall clock, or aware UTC
    bymonth: tuple[int, ...] = ()
    byweekno: tuple[int, ...] = ()
    byyearday: tuple[int, ...] = ()
    bymonthday: tuple[int, ...] = ()
    byday: tuple[tuple[int | None, int], ...] = ()  # (ordinal, weekday)
    bysetpos: tuple[int, ...] = ()
    wkst: int = 0

    @property
    def text(self) -> str:
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        if self.until is not None:
            zone_mark = "Z" if self.until.tzinfo else ""
            parts.append(f"UNTIL={self.until:%Y%m%dT%H%M%S}{zone_mark}")
        for name in ("BYMONTH", "BYWEEKNO", "BYYEARDAY", "BYMONTHDAY"):
            if values := getattr(self, name.lower()):
                parts.append(f"{name}={','.join(map(str, values))}")
        if self.byday:
            tokens = (f"{'' if n is None else n}{WEEKDAY_CODES[day]}" for n, day in self.byday)
            parts.append(f"BYDAY={','.join(tokens)}")
        if self.bysetpos:
            parts.append(f"BYSETPOS={','.join(map(str, self.bysetpos))}")
        if self.wkst:
            parts.append(f"WKST={WEEKDAY_CODES[self.wkst]}")
        return ";".join(parts)


# ---------------------------------------------------------------- validation


def validate_rrule(text: str) -> str:
    """Check a raw RRULE (with or without "RRULE:") and return it normalised.

    Everything that can be judged from the text alone. Whether the rule yields any
    meeting can depend on the first date too (FREQ=DAILY;INTERVAL=7;BYDAY=TU meets only
    if the series starts on a Tuesday): ``validate_series`` checks that.

    More than one meeting a day is ruled out by shape: FREQ is at least DAILY and the
    time of day belongs to the series, not the rule (no BYHOUR/BYMINUTE/BYSECOND).
    """
    return parse_rule(text).text


@lru_cache(maxsize=4096)
def parse_rule(text: str) -> Rule:
    parts = _split_parts(text)
    freq = _parse_freq(parts.pop("FREQ", None))
    _reject_time_parts(parts)
    if "BYSETPOS" in parts and not any(name.startswith("BY") and name != "BYSETPOS" for name in parts):
        raise ValueError(
            "BYSETPOS picks from the dates another BY… part lists "
            "(for example BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1); add that part."
        )
    fields: dict = {"freq": freq}
    if "INTERVAL" in parts:
        fields["interval"] = _positive_int("INTERVAL", parts.pop("INTERVAL"), "of at least 1")
    if "COUNT" in parts:
        fields["count"] = _positive_int("COUNT", parts.pop("COUNT"), f"from 1 to {MAX_COUNT}", MAX_COUNT)
    if "UNTIL" in parts:
        if "count" in fields:
            raise ValueError("A rule ends with COUNT or with UNTIL, not both.")
        fields["until"] = _parse_until(parts.pop("UNTIL"))
    if "BYDAY" in parts:
        fields["byday"] = _parse_byday(parts.pop("BYDAY"), freq)
    if "WKST" in parts:
        fields["wkst"] = _parse_wkst(parts.pop("WKST"))
    for name, value in parts.items():
        fields[name.lower()] = _parse_number_list(name, value, freq)
    return Rule(**fields)


def _split_parts(text: str) -> dict[str, str]:
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:") :].strip()
    if not body:
        raise ValueError("Enter a recurrence rule, for example FREQ=WEEKLY;BYDAY=TU.")
    parts: dict[str, str] = {}
    for chunk in filter(None, body.split(";")):
        name, sep, value = chunk.partition("=")
        name, value = name.strip().upper(), value.strip().upper()
        if not sep or not name or not value:
            raise ValueError(f"Could not read “{chunk}”: a rule is NAME=VALUE parts separated by semicolons.")
        if name not in _KNOWN_PARTS:
            raise ValueError(f"{name} is not an RRULE part.")
        if name in parts:
            raise ValueError(f"{name} appears more than once.")
        parts[name] = value
    return parts


def _parse_freq(value: str | None) -> str:
    if value is None:
        raise ValueError("The rule needs a FREQ, for example FREQ=WEEKLY.")
    if value in _SUB_DAILY:
        raise ValueError(f"Debriefs repeat at most daily; FREQ={value} is not allowed.")
    if value not in FREQUENCIES:
        raise ValueError(f"FREQ={value} is not a frequency; use DAILY, WEEKLY, MONTHLY or YEARLY.")
    return value


def _reject_time_parts(parts: dict[str, str]) -> None:
    for name in _TIME_PARTS:
        if name not in parts:
            continue
        value = parts[name]
        if "," in value:
            raise ValueError(f"{name}={value} would put more than one meeting on a day; a series meets once a day.")
        raise ValueError(f"The meeting time is set on the series, not in the rule: remove {name}={value}.")


def _positive_int(name: str, value: str, allowed: str, largest: int | None = None) -> int:
    number = int(value) if value.isdigit() else 0
    if number < 1 or (largest is not None and number > largest):
        hint = "; end a longer series with UNTIL" if name == "COUNT" else ""
        raise ValueError(f"{name} must be a whole number {allowed}, not “{value}”{hint}.")
    return number


def _parse_until(value: str) -> datetime:
    match = _UNTIL_VALUE.fullmatch(value)
    try:
        day = datetime.strptime(match[1], "%Y%m%d").date()
        clock = datetime.strptime(match[2], "%H%M%S").time() if match[2] else time(23, 59, 59)
    except (TypeError, ValueError):  # TypeError: no match at all
        raise ValueError(
            f"UNTIL must be a date like 20261231 or a UTC time like 20261231T170000Z, not “{value}”."
        ) from None
    return datetime.combine(day, clock, tzinfo=UTC if match[3] else None)


def _parse_byday(value: str, freq: str) -> tuple[tuple[int | None, int], ...]:
    days = []
    for token in value.split(","):
        match = _BYDAY_TOKEN.fullmatch(token)
        if not match:
            raise ValueError(f"BYDAY lists weekdays such as MO,TU or 1MO,-1FR, not “{token}”.")
        ordinal = None if match[1] is None else int(match[1])
        if ordinal is not None:
            _check_byday_ordinal(token, ordinal, freq)
        days.append((ordinal, WEEKDAY_CODES.index(match[2])))
    return tuple(sorted(set(days), key=lambda d: (d[1], d[0] or 0)))


def _check_byday_ordinal(token: str, ordinal: int, freq: str) -> None:
    if freq not in ("MONTHLY", "YEARLY"):
        raise ValueError(f"A numbered weekday such as {token} needs FREQ=MONTHLY or FREQ=YEARLY.")
    largest = 5 if freq == "MONTHLY" else 53
    if not 1 <= abs(ordinal) <= largest:
        raise ValueError(f"BYDAY={token} is out of range: use 1 to {largest} or -{largest} to -1.")


def _parse_wkst(value: str) -> int:
    if value not in WEEKDAY_CODES:
        raise ValueError(f"WKST must be a weekday code such as MO, not “{value}”.")
    return WEEKDAY_CODES.index(value)


def _parse_number_list(name: str, value: str, freq: str) -> tuple[int, ...]:
    largest, signed, frequencies = _NUMBER_LISTS[name]
    if freq not in frequencies:
        raise ValueError(f"{name} cannot be used with FREQ={freq}.")
    numbers = []
    for token in value.split(","):
        if not re.fullmatch(r"[+-]?\d{1,3}", token):
            raise ValueError(f"{name} must list whole numbers separated by commas, not “{value}”.")
        number = int(token)
        if not (1 <= number <= largest or (signed and -largest <= number <= -1)):
            negative = f" or -{largest} to -1" if signed else ""
            raise ValueError(f"{name}={token} is out of range: use 1 to {largest}{negative}.")
        numbers.append(number)
    return tuple(sorted(set(numbers)))


# ---------------------------------------------------------------- expansion

Frequency = Literal["weekly", "fortnightly", "monthly_weekday", "monthly_day", "daily"]

# Which build_rrule arguments each friendly frequency uses.
_FRIENDLY_CHOICES = {
    "weekly": ("weekdays",),
    "fortnightly": ("weekdays",),
    "monthly_weekday": ("weekdays", "nth"),
    "monthly_day": ("month_day",),
    "daily": ("weekdays",),
}

_ORDINALS = {
    1: gettext_lazy("first"),
    2: gettext_lazy("second"),
    3: gettext_lazy("third"),
    4: gettext_lazy("fourth"),
    5: gettext_lazy("fifth"),
    -1: gettext_lazy("last"),
    -2: gettext_lazy("second to last"),
}


def build_rrule(
    *,
    frequency: Frequency,
    weekdays: list[int] | None = None,
    nth: int | None = None,
    month_day: int | None = None,
    until: date | None = None,
    count: int | None = None,
) -> str:
    """The RRULE for a choice made in the friendly form.

    ``weekdays`` count from 0 = Monday, like ``date.weekday()``. ``nth`` (1 to 4, or -1 for
    the last) goes with ``monthly_weekday`` and exactly one weekday; ``month_day`` (1 to 28,
    or -1 for the last day, so that every month has one) with ``monthly_day``. ``until``
    is the last local date a meeting may fall on.
    """
    _reject_unused(frequency, weekdays=weekdays, nth=nth, month_day=month_day)
    days = _weekday_codes(weekdays)
    if frequency in ("weekly", "fortnightly"):
        if not days:
            raise ValueError("Choose at least one weekday.")
        parts = ["FREQ=WEEKLY", "INTERVAL=2" if frequency == "fortnightly" else "", f"BYDAY={','.join(days)}"]
    elif frequency == "monthly_weekday":
        if len(days) != 1:
            raise ValueError("A monthly meeting on a weekday needs exactly one weekday.")
        if nth not in (1, 2, 3, 4, -1):
            raise ValueError("Choose the first, second, third, fourth or last (1 to 4, or -1) weekday of the month.")
        parts = ["FREQ=MONTHLY", f"BYDAY={nth}{days[0]}"]
    elif frequency == "monthly_day":
        if month_day is None or not (1 <= month_day <= 28 or month_day == -1):
            raise ValueError("Choose a day of the month from 1 to 28, or -1 for the last day.")
        parts = ["FREQ=MONTHLY", f"BYMONTHDAY={month_day}"]
    else:
        parts = ["FREQ=DAILY", f"BYDAY={','.join(days)}" if days else ""]
    if until is not None:
        parts.append(f"UNTIL={until:%Y%m%d}T235959")
    if count is not None:
        parts.append(f"COUNT={count}")
    return validate_rrule(";".join(filter(None, parts)))


def _weekday_codes(weekdays: list[int] | None) -> list[str]:
    if any(day not in range(7) for day in weekdays or ()):
        raise ValueError("Weekdays are numbered 0 (Monday) to 6 (Sunday).")
    return [WEEKDAY_CODES[day] for day in sorted(set(weekdays or ()))]


def _reject_unused(frequency: str, **choices: object) -> None:
    if frequency not in _FRIENDLY_CHOICES:
        raise ValueError(f"Unknown frequency “{frequency}”.")
    for name, value in choices.items():
        if value not in (None, []) and name not in _FRIENDLY_CHOICES[frequency]:
            raise ValueError(f"A {frequency.replace('_', ' ')} series does not take {name.replace('_', ' ')}.")


def describe_rrule(rule: str) -> str:
    """A rule in words, in the reader's language: "Every 2 weeks on Tuesday", "Monthly on
    the first Tuesday". Whole phrases are translated, so a language can order them its way."""
    parsed = parse_rule(rule)
    pattern = _describe_pattern(parsed) or gettext("Custom rule (%(rule)s)") % {"rule": parsed.text}
    return pattern + _describe_end(parsed)


def _every(rule: Rule) -> str | None:
    if rule.interval <= 1:
        return None
    every = {
        "DAILY": ngettext("Every %(n)d day", "Every %(n)d days", rule.interval),
        "WEEKLY": ngettext("Every %(n)d week", "Every %(n)d weeks", rule.interval),
        "MONTHLY": ngettext("Every %(n)d month", "Every %(n)d months", rule.interval),
        "YEARLY": ngettext("Every %(n)d year", "Every %(n)d years", rule.interval),
    }[rule.freq]
    return every % {"n": rule.interval}


def _describe_pattern(rule: Rule) -> str | None:
    if rule.bymonth or rule.byweekno or rule.byyearday or rule.bysetpos or rule.wkst:
        return None
    every = _every(rule)
    if rule.freq == "DAILY" and not rule.bymonthday:
        return _describe_daily(rule, every)
    if rule.freq == "WEEKLY":
        days = _join(WEEKDAY_NAMES[day] for _nth, day in rule.byday) or gettext("the weekday of the first meeting")
        if every:
            return gettext("%(every)s on %(days)s") % {"every": every, "days": days}
        return gettext("Weekly on %(days)s") % {"days": days}
    if rule.freq == "MONTHLY":
        on = _describe_month_position(rule)
        if on is None:
            return None
        if every:
            return gettext("%(every)s on %(on)s") % {"every": every, "on": on}
        return gettext("Monthly on %(on)s") % {"on": on}
    if rule.freq == "YEARLY" and not (rule.byday or rule.bymonthday):
        if every:
            return gettext("%(every)s on the date of the first meeting") % {"every": every}
        return gettext("Yearly on the date of the first meeting")
    return None


def _describe_daily(rule: Rule, every: str | None) -> str:
    days = [day for _nth, day in rule.byday]
    if not days:
        return every or gettext("Every day")
    if days == [0, 1, 2, 3, 4] and every is None:
        return gettext("Every weekday")
    names = _join(WEEKDAY_NAMES[d] for d in days)
    if every:
        return gettext("%(every)s, on %(days)s") % {"every": every, "days": names}
    return gettext("Daily, on %(days)s") % {"days": names}


def _describe_month_position(rule: Rule) -> str | None:
    if not rule.byday and not rule.bymonthday:
        return gettext("the day of the month of the first meeting")
    if rule.byday and rule.bymonthday:
        return None
    if rule.bymonthday:
        days = [gettext("the last day") if d == -1 else gettext("day %(day)d") % {"day": d} for d in rule.bymonthday]
        return None if any(d < -1 for d in rule.bymonthday) else _join(days)
    if any(n not in _ORDINALS for n, _day in rule.byday):
        return None
    return _join(
        gettext("the %(nth)s %(weekday)s") % {"nth": _ORDINALS[n], "weekday": WEEKDAY_NAMES[day]}
        for n, day in rule.byday
    )


def _describe_end(rule: Rule) -> str:
    if rule.count is not None:
        return ngettext(", once", ", %(count)d times", rule.count) % {"count": rule.count}
    if rule.until is not None:
        until = f"{rule.until.day} {MONTH_NAMES[rule.until.month - 1]} {rule.until.year}"
        return gettext(", until %(date)s") % {"date": until}
    return ""


def _join(words) -> str:
    """ "A, B and C" in the reader's language."""
    return get_text_list([str(word) for word in words], gettext("and"))
