"""Names and rules about dates and time zones that every app shares, defined once: which
time-zone names Reflect accepts, and the names of the weekdays and months.

Standard library and Django's lazy translations only (no ORM), so the pure cores (the
attention policy, recurrence) use it too. The full names are Django's own, translated
lazily; the abbreviations are marked here and ``reflect.datewords`` translates them."""

from functools import cache
from zoneinfo import available_timezones

from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.translation import gettext_noop

# In the tz database but not places: "localtime" and "posixrules" follow whatever the
# server is set to (a person or a series would move when the machine does), and
# "Factory" is a placeholder.
NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})

# Django's own names, translated lazily into the reader's language (its catalogues have
# them in Welsh too): a name becomes words only where it is shown.
WEEKDAY_NAMES = tuple(WEEKDAYS[day] for day in range(7))
MONTH_NAMES = tuple(MONTHS[month] for month in range(1, 13))
# Abbreviations as messages write them ("Wed 9 Dec"); Django's MONTHS_3 are lower case.
WEEKDAY_ABBREVIATIONS = (
    gettext_noop("Mon"),
    gettext_noop("Tue"),
    gettext_noop("Wed"),
    gettext_noop("Thu"),
    gettext_noop("Fri"),
    gettext_noop("Sat"),
    gettext_noop("Sun"),
)
MONTH_ABBREVIATIONS = (
    gettext_noop("Jan"),
    gettext_noop("Feb"),
    gettext_noop("Mar"),
    gettext_noop("Apr"),
    gettext_noop("May"),
    gettext_noop("Jun"),
    gettext_noop("Jul"),
    gettext_noop("Aug"),
    gettext_noop("Sep"),
    gettext_noop("Oct"),
    gettext_noop("Nov"),
    gettext_noop("Dec"),
)


@cache
def known_zone_names() -> frozenset[str]:
    """Every time-zone name a person, an organisation or a series may use."""
    return frozenset(available_timezones()) - NOT_PLACES


def is_known_zone(name: str) -> bool:
    return name in known_zone_names()
