"""Recurrence rules as text (RFC 5545 RRULE): parse and validate one, and build one from
the series form's friendly choices (``rrule_words`` describes one in words).

Pure: no ORM, no clock. Expanding a rule into meetings is ``recurrence``'s job.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Literal

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY
from django.utils.translation import gettext

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
            gettext(
                "BYSETPOS picks from the dates another BY… part lists "
                "(for example BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1); add that part."
            )
        )
    fields: dict = {"freq": freq}
    if "INTERVAL" in parts:
        fields["interval"] = _positive_int("INTERVAL", parts.pop("INTERVAL"))
    if "COUNT" in parts:
        fields["count"] = _positive_int("COUNT", parts.pop("COUNT"), MAX_COUNT)
    if "UNTIL" in parts:
        if "count" in fields:
            raise ValueError(gettext("A rule ends with COUNT or with UNTIL, not both."))
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
        raise ValueError(gettext("Enter a recurrence rule, for example FREQ=WEEKLY;BYDAY=TU."))
    parts: dict[str, str] = {}
    for chunk in filter(None, body.split(";")):
        name, sep, value = chunk.partition("=")
        name, value = name.strip().upper(), value.strip().upper()
        if not sep or not name or not value:
            raise ValueError(
                gettext("Could not read “%(chunk)s”: a rule is NAME=VALUE parts separated by semicolons.")
                % {"chunk": chunk}
            )
        if name not in _KNOWN_PARTS:
            raise ValueError(gettext("%(name)s is not an RRULE part.") % {"name": name})
        if name in parts:
            raise ValueError(gettext("%(name)s appears more than once.") % {"name": name})
        parts[name] = value
    return parts


def _parse_freq(value: str | None) -> str:
    if value is None:
        raise ValueError(gettext("The rule needs a FREQ, for example FREQ=WEEKLY."))
    if value in _SUB_DAILY:
        raise ValueError(gettext("Debriefs repeat at most daily; FREQ=%(value)s is not allowed.") % {"value": value})
    if value not in FREQUENCIES:
        raise ValueError(
            gettext("FREQ=%(value)s is not a frequency; use DAILY, WEEKLY, MONTHLY or YEARLY.") % {"value": value}
        )
    return value


def _reject_time_parts(parts: dict[str, str]) -> None:
    for name in _TIME_PARTS:
        if name not in parts:
            continue
        value = parts[name]
        if "," in value:
            raise ValueError(
                gettext("%(part)s would put more than one meeting on a day; a series meets once a day.")
                % {"part": f"{name}={value}"}
            )
        raise ValueError(
            gettext("The meeting time is set on the series, not in the rule: remove %(part)s.")
            % {"part": f"{name}={value}"}
        )


def _positive_int(name: str, value: str, largest: int | None = None) -> int:
    number = int(value) if value.isdigit() else 0
    if number < 1 or (largest is not None and number > largest):
        if largest is None:
            message = gettext("%(name)s must be a whole number of at least 1, not “%(value)s”.")
        else:
            message = gettext(
                "%(name)s must be a whole number from 1 to %(largest)s, not “%(value)s”; "
                "end a longer series with UNTIL."
            )
        raise ValueError(message % {"name": name, "value": value, "largest": largest})
    return number


def _parse_until(value: str) -> datetime:
    match = _UNTIL_VALUE.fullmatch(value)
    try:
        day = datetime.strptime(match[1], "%Y%m%d").date()
        clock = datetime.strptime(match[2], "%H%M%S").time() if match[2] else time(23, 59, 59)
    except (TypeError, ValueError):  # TypeError: no match at all
        raise ValueError(
            gettext("UNTIL must be a date like 20261231 or a UTC time like 20261231T170000Z, not “%(value)s”.")
            % {"value": value}
        ) from None
    return datetime.combine(day, clock, tzinfo=UTC if match[3] else None)


def _parse_byday(value: str, freq: str) -> tuple[tuple[int | None, int], ...]:
    days = []
    for token in value.split(","):
        match = _BYDAY_TOKEN.fullmatch(token)
        if not match:
            raise ValueError(
                gettext("BYDAY lists weekdays such as MO,TU or 1MO,-1FR, not “%(token)s”.") % {"token": token}
            )
        ordinal = None if match[1] is None else int(match[1])
        if ordinal is not None:
            _check_byday_ordinal(token, ordinal, freq)
        days.append((ordinal, WEEKDAY_CODES.index(match[2])))
    return tuple(sorted(set(days), key=lambda d: (d[1], d[0] or 0)))


def _check_byday_ordinal(token: str, ordinal: int, freq: str) -> None:
    if freq not in ("MONTHLY", "YEARLY"):
        raise ValueError(
            gettext("A numbered weekday such as %(token)s needs FREQ=MONTHLY or FREQ=YEARLY.") % {"token": token}
        )
    largest = 5 if freq == "MONTHLY" else 53
    if not 1 <= abs(ordinal) <= largest:
        raise ValueError(
            gettext("BYDAY=%(token)s is out of range: use 1 to %(largest)s or -%(largest)s to -1.")
            % {"token": token, "largest": largest}
        )


def _parse_wkst(value: str) -> int:
    if value not in WEEKDAY_CODES:
        raise ValueError(gettext("WKST must be a weekday code such as MO, not “%(value)s”.") % {"value": value})
    return WEEKDAY_CODES.index(value)


def _parse_number_list(name: str, value: str, freq: str) -> tuple[int, ...]:
    largest, signed, frequencies = _NUMBER_LISTS[name]
    if freq not in frequencies:
        raise ValueError(gettext("%(name)s cannot be used with FREQ=%(freq)s.") % {"name": name, "freq": freq})
    numbers = []
    for token in value.split(","):
        if not re.fullmatch(r"[+-]?\d{1,3}", token):
            raise ValueError(
                gettext("%(name)s must list whole numbers separated by commas, not “%(value)s”.")
                % {"name": name, "value": value}
            )
        number = int(token)
        if not (1 <= number <= largest or (signed and -largest <= number <= -1)):
            if signed:
                message = gettext("%(part)s is out of range: use 1 to %(largest)s or -%(largest)s to -1.")
            else:
                message = gettext("%(part)s is out of range: use 1 to %(largest)s.")
            raise ValueError(message % {"part": f"{name}={token}", "largest": largest})
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
            raise ValueError(gettext("Choose at least one weekday."))
        parts = ["FREQ=WEEKLY", "INTERVAL=2" if frequency == "fortnightly" else "", f"BYDAY={','.join(days)}"]
    elif frequency == "monthly_weekday":
        if len(days) != 1:
            raise ValueError(gettext("A monthly meeting on a weekday needs exactly one weekday."))
        if nth not in (1, 2, 3, 4, -1):
            raise ValueError(
                gettext("Choose the first, second, third, fourth or last (1 to 4, or -1) weekday of the month.")
            )
        parts = ["FREQ=MONTHLY", f"BYDAY={nth}{days[0]}"]
    elif frequency == "monthly_day":
        if month_day is None or not (1 <= month_day <= 28 or month_day == -1):
            raise ValueError(gettext("Choose a day of the month from 1 to 28, or -1 for the last day."))
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
