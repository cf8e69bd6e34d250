"""A certificate's reference: what it says, signed, so that whoever it is handed to can
have an organisation admin check it on the verify page without seeing anything else.

Nothing is stored: the reference carries the person's public id, the period and the two
totals, with a keyed MAC over them and the organisation (a reference from one
organisation is worthless in another). Base32, in groups of four, so it can be read out
or typed from paper; about 40 characters, the price of keeping no copy of anyone's
attendance. 48 bits of MAC are plenty where each guess is one request to a signed-in page.
"""

import base64
import binascii
import struct
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "reflect.records.certificate"
EPOCH = date(2000, 1, 1)
PERSON_BYTES = 9  # a public id is 9 random bytes in URL-safe base64
LAYOUT = ">9sHHHI"  # person, first day, last day (days since 2000), sessions, minutes
MAC_BYTES = 6


@dataclass(frozen=True)
class Claim:
    person: str  # the membership's public id
    start: date
    end: date
    sessions: int
    minutes: int


def _mac(organization_id: int, body: bytes) -> bytes:
    return salted_hmac(SALT, str(organization_id).encode() + b":" + body, algorithm="sha256").digest()[:MAC_BYTES]


def reference_for(claim: Claim, *, organization_id: int) -> str:
    person = base64.urlsafe_b64decode(claim.person)
    days = ((claim.start - EPOCH).days, (claim.end - EPOCH).days)
    body = struct.pack(LAYOUT, person, *days, min(claim.sessions, 0xFFFF), claim.minutes)
    text = base64.b32encode(body + _mac(organization_id, body)).decode().rstrip("=")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def claim_from(reference: str, *, organization_id: int) -> Claim | None:
    """What a genuine reference of this organisation says, or None for anything else."""
    text = "".join(ch for ch in reference.upper() if ch.isalnum())
    try:
        raw = base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError):
        return None
    size = struct.calcsize(LAYOUT)
    if len(raw) != size + MAC_BYTES:
        return None
    body, mac = raw[:size], raw[size:]
    if not constant_time_compare(mac, _mac(organization_id, body)):
        return None
    person, start, end, sessions, minutes = struct.unpack(LAYOUT, body)
    return Claim(
        person=base64.urlsafe_b64encode(person).decode(),
        start=EPOCH + timedelta(days=start),
        end=EPOCH + timedelta(days=end),
        sessions=sessions,
        minutes=minutes,
    )
