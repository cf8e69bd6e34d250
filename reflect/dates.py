"""Names and rules about dates and time zones that every app shares, defined once: which
time-zone names Reflect accepts, and the names of the weekdays and months.

Pure standard library, so the pure cores (the attention policy, recurrence) use it too."""

from functools import cache
from zoneinfo import available_timezones

# In the tz database but not places: "localtime" and "posixrules" follow whatever the
# server is set to (a person or a series would move when the machine does), and
# "Factory" is a placeholder.
NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})

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


@cache
def known_zone_names() -> frozenset[str]:
    """Every time-zone name a person, an organisation or a series may use."""
    return frozenset(available_timezones()) - NOT_PLACES


def is_known_zone(name: str) -> bool:
    return name in known_zone_names()
