"""Names and rules about dates and time zones that every app shares, defined once: which
time-zone names Reflect accepts, and the names of the weekdays and months.

Pure standard library, so the pure cores (the attention policy, recurrence) use it too.
The names are English, marked for translation; ``reflect.datewords`` translates them."""

from functools import cache
from zoneinfo import available_timezones


def gettext_noop(message: str) -> str:
    """Marks ``message`` for makemessages (which looks for this name) and returns it as it
    is: importing Django's own would pull the ORM into the pure cores."""
    return message


# In the tz database but not places: "localtime" and "posixrules" follow whatever the
# server is set to (a person or a series would move when the machine does), and
# "Factory" is a placeholder.
NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})

WEEKDAY_NAMES = (
    gettext_noop("Monday"),
    gettext_noop("Tuesday"),
    gettext_noop("Wednesday"),
    gettext_noop("Thursday"),
    gettext_noop("Friday"),
    gettext_noop("Saturday"),
    gettext_noop("Sunday"),
)
MONTH_NAMES = (
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
)
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
