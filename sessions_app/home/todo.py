"""The home page's one "To do" card: what asks the person to act, one short line each.

Ground rules give one line per cohort; meeting load gives one line per month, named as a
person says it ("December: 15 hours of meetings, over your 4-hour budget"). The card
never lists meetings: the person reviews those on the meeting-load page, where they can
skip them.
"""

import math
from dataclasses import dataclass
from datetime import datetime

from django.utils import formats
from django.utils.translation import ngettext

from accounts.models import Membership
from sessions_app.attention import meeting_load
from sessions_app.cohorts import selectors as cohort_selectors
from sessions_app.cohorts.models import Cohort


@dataclass(frozen=True)
class MonthLoad:
    month: str  # "2026-12": the anchor on the review page
    name: str  # "December"
    text: str  # "December: 15 hours of meetings, over your 4-hour budget"


@dataclass(frozen=True)
class ToDo:
    ground_rules: list[Cohort]
    months: list[MonthLoad]

    def __bool__(self) -> bool:
        return bool(self.ground_rules or self.months)


def to_do(membership: Membership, *, now: datetime) -> ToDo:
    """What the person is asked to do, in a fixed number of queries however many cohorts
    and months it covers."""
    cohorts = [member.cohort for member in cohort_selectors.cohorts_needing_ground_rules(membership)]
    months = [
        MonthLoad(
            month=overload.month,
            name=overload.month_name,
            text=month_load_text(name=overload.month_name, minutes=overload.minutes, limit=overload.limit),
        )
        for overload in meeting_load.overloads(membership, now=now)
    ]
    return ToDo(ground_rules=cohorts, months=months)


def hours(minutes: int, *, up: bool = False) -> float:
    """Minutes as hours in half hours, never 0: 900 → 15, 450 → 7.5, 20 → 0.5. The load
    rounds up and the budget down, so a load just over the budget never reads as equal."""
    halves = math.ceil(minutes / 30) if up else minutes // 30
    return max(halves, 1) / 2


def _number(value: float) -> str:
    # 15 and 7.5, not 15.0; the decimal separator of the active language.
    return formats.number_format(value, decimal_pos=0 if value == int(value) else 1)


def month_load_text(*, name: str, minutes: int, limit: int) -> str:
    load = hours(minutes, up=True)
    return ngettext(
        "%(month)s: %(hours)s hour of meetings, over your %(budget)s-hour budget",
        "%(month)s: %(hours)s hours of meetings, over your %(budget)s-hour budget",
        # The plural follows the whole hours shown: 1 hour, 1.5 hours, 15 hours.
        1 if load == 1 else max(int(load), 2),
    ) % {"month": name, "hours": _number(load), "budget": _number(hours(limit))}
