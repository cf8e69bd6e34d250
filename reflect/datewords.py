"""How a moment is written in a message, in the active language: a message built inside
``translation.override`` (see ``accounts.languages.speaking_to``) says "Mer 9 Rhag 18:00"
to a Welsh reader and "Wed 9 Dec 18:00" to an English one.

Not strftime: its %a and %b follow the server's C locale, whatever the reader speaks.
The names are ``reflect.dates``': the full ones are lazy, the abbreviations translated here."""

from datetime import date, datetime

from django.utils.translation import gettext, pgettext

from reflect.dates import MONTH_ABBREVIATIONS, MONTH_NAMES, WEEKDAY_ABBREVIATIONS, WEEKDAY_NAMES


def weekday_name(day: date) -> str:
    """``day``'s weekday in full ("Wednesday")."""
    return str(WEEKDAY_NAMES[day.weekday()])


def month_name(day: date) -> str:
    """``day``'s month in full ("December")."""
    return str(MONTH_NAMES[day.month - 1])


def short_when(local: datetime) -> str:
    """A local moment as messages write it: "Wed 9 Dec 18:00"."""
    return pgettext("weekday, day, month and time, as in Wed 9 Dec 18:00", "%(weekday)s %(day)d %(month)s %(time)s") % {
        "weekday": gettext(WEEKDAY_ABBREVIATIONS[local.weekday()]),
        "day": local.day,
        "month": gettext(MONTH_ABBREVIATIONS[local.month - 1]),
        "time": f"{local:%H:%M}",
    }


def short_day(day: date) -> str:
    """A day as messages write it: "Thu 10 Dec"."""
    return pgettext("weekday, day and month, as in Thu 10 Dec", "%(weekday)s %(day)d %(month)s") % {
        "weekday": gettext(WEEKDAY_ABBREVIATIONS[day.weekday()]),
        "day": day.day,
        "month": gettext(MONTH_ABBREVIATIONS[day.month - 1]),
    }


def short_date(day: date) -> str:
    """A date as messages write it: "9 Dec 2026"."""
    return pgettext("day, month and year, as in 9 Dec 2026", "%(day)d %(month)s %(year)d") % {
        "day": day.day,
        "month": gettext(MONTH_ABBREVIATIONS[day.month - 1]),
        "year": day.year,
    }
