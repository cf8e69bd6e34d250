"""The sign-in code itself (pure): its alphabet and length, what a person may type, and
that it changes with anything it is bound to."""

from datetime import UTC, datetime, timedelta

import pytest

from sessions_app.attendance import codes

pytestmark = pytest.mark.programmes

START = datetime(2027, 1, 13, 12, 30, tzinfo=UTC)
END = START + timedelta(hours=1)
BOUND = {"organization_id": 7, "meeting_id": "m3eT1nG", "starts_at": START, "ends_at": END}


def test_a_code_is_eight_unambiguous_characters_and_the_same_every_time():
    code = codes.door_code(**BOUND)
    assert len(code) == 8
    assert set(code) <= set(codes.ALPHABET)
    assert not set("01OIL") & set(codes.ALPHABET)
    assert code == codes.door_code(**BOUND)


@pytest.mark.parametrize(
    "change",
    [
        {"organization_id": 8},
        {"meeting_id": "m3eT1nH"},
        {"starts_at": START + timedelta(minutes=15)},
        {"ends_at": END + timedelta(minutes=15)},
    ],
    ids=["organisation", "meeting", "moved start", "moved end"],
)
def test_the_code_changes_with_everything_it_is_bound_to(change):
    assert codes.door_code(**{**BOUND, **change}) != codes.door_code(**BOUND)


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [("abcd-ef23", "ABCDEF23"), (" ABCD EF23 ", "ABCDEF23"), ("ABCDEF2", None), ("ABCD-EF20", None), ("", None)],
)
def test_what_a_person_types_is_read_kindly_or_refused(typed, normalised):
    assert codes.normalise(typed) == normalised


def test_the_window_includes_both_edges():
    opens, closes = codes.window(starts_at=START, ends_at=END)
    assert (opens, closes) == (START - timedelta(minutes=30), END + timedelta(minutes=30))
    states = [
        codes.window_state(now=t, starts_at=START, ends_at=END)
        for t in (opens - timedelta(seconds=1), opens, closes, closes + timedelta(seconds=1))
    ]
    assert states == ["early", "open", "open", "closed"]
