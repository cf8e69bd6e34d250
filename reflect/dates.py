"""Names and rules about dates and time zones that every app shares, defined once: which
time-zone names Reflect accepts, and the names of the weekdays and months.

Standard library and Django's lazy translations only (no ORM), so the pure cores (the
attention policy, recurrence) use it too."""

from functools import cache
from zoneinfo import available_timezones

from django.utils.dates import MONTHS, WEEKDAYS

# In the tz database but not places: "localtime" and "posixrules" follow whatever the
# server is set to (a person or a series would move when the machine does), and
# "Factory" is a placeholder.
NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})

# Django's own names, translated lazily into the reader's language (its catalogues have
# them in Welsh too): a name becomes words only where it is shown.
WEEKDAY_NAMES = tuple(WEEKDAYS[day] for day in range(7))
MONTH_NAMES = tuple(MONTHS[month] for month in range(1, 13))


@cache
def known_zone_names() -> frozenset[str]:
    """Every time-zone name a person, an organisation or a series may use."""
    return frozenset(available_timezones()) - NOT_PLACES


def is_known_zone(name: str) -> bool:
    return name in known_zone_names()
