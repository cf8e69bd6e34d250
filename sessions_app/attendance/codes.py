"""The sign-in code of a meeting: eight characters a person can type on a phone, shown
by the facilitator on a screen at the door and encoded in a QR code.

The code is an HMAC (Django's ``salted_hmac`` with its own purpose salt, keyed by
``SECRET_KEY``) of the organisation, the meeting and its start and end: it is bound to
that meeting of that organisation, a moved meeting gets a new one, and the code itself
says nothing about the meeting. Nothing is stored: a typed code is checked against the
organisation's meetings of the day around now (``selectors.door_lookup``).

Unguessable enough for its life: 31⁸ ≈ 8.5 × 10¹¹ codes. A person may get a code wrong
ten times in fifteen minutes (``services.DOOR_MISSES``) before being asked to wait, so
960 guesses a day: even against fifty meetings open to them at once, a guesser's chance
over a whole day is about one in eighteen million.

Pure: no models and no clock of its own.
"""

from datetime import datetime, timedelta

from django.utils.crypto import constant_time_compare, salted_hmac

# No 0/O, 1/I/L: nothing to confuse when copying from a projector.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 8
SALT = "reflect.attendance.door-code"
OPENS_BEFORE_START = timedelta(minutes=30)
CLOSES_AFTER_END = timedelta(minutes=30)

EARLY, OPEN, CLOSED = "early", "open", "closed"


def door_code(*, organization_id: int, meeting_id: str, starts_at: datetime, ends_at: datetime) -> str:
    """The meeting's code, without the hyphen people see (``display``)."""
    value = f"{organization_id}:{meeting_id}:{int(starts_at.timestamp())}:{int(ends_at.timestamp())}"
    number = int.from_bytes(salted_hmac(SALT, value, algorithm="sha256").digest(), "big")
    chars = []
    for _position in range(LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return "".join(chars)


def display(code: str) -> str:
    """``ABCD-EFGH``: two groups of four read more easily off a screen."""
    return f"{code[:4]}-{code[4:]}"


def normalise(typed: str) -> str | None:
    """The code as typed, in capitals without spaces or hyphens; None when it cannot be a code."""
    code = "".join(typed.split()).replace("-", "").upper()
    if len(code) != LENGTH or any(char not in ALPHABET for char in code):
        return None
    return code


def same(code: str, expected: str) -> bool:
    return constant_time_compare(code, expected)


def window(*, starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    """When sign-in opens and closes, both included."""
    return starts_at - OPENS_BEFORE_START, ends_at + CLOSES_AFTER_END


def window_state(*, now: datetime, starts_at: datetime, ends_at: datetime) -> str:
    opens, closes = window(starts_at=starts_at, ends_at=ends_at)
    if now < opens:
        return EARLY
    return OPEN if now <= closes else CLOSED
