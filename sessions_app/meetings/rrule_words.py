"""A recurrence rule in words ("Monthly on the first Tuesday, 6 times"), in the reader's
language. Pure: no ORM, no clock."""

from django.utils.text import get_text_list
from django.utils.translation import gettext, gettext_lazy, ngettext

from reflect.dates import MONTH_NAMES, WEEKDAY_NAMES
from sessions_app.meetings.rrule import Rule, parse_rule

_ORDINALS = {
    1: gettext_lazy("first"),
    2: gettext_lazy("second"),
    3: gettext_lazy("third"),
    4: gettext_lazy("fourth"),
    5: gettext_lazy("fifth"),
    -1: gettext_lazy("last"),
    -2: gettext_lazy("second to last"),
}


def describe_rrule(rule: str) -> str:
    """A rule in words, in the reader's language: "Every 2 weeks on Tuesday", "Monthly on
    the first Tuesday". Whole phrases are translated, so a language can order them its way."""
    parsed = parse_rule(rule)
    pattern = _describe_pattern(parsed) or gettext("Custom rule (%(rule)s)") % {"rule": parsed.text}
    return pattern + _describe_end(parsed)


def _every(rule: Rule) -> str | None:
    if rule.interval <= 1:
        return None
    every = {
        "DAILY": ngettext("Every %(n)d day", "Every %(n)d days", rule.interval),
        "WEEKLY": ngettext("Every %(n)d week", "Every %(n)d weeks", rule.interval),
        "MONTHLY": ngettext("Every %(n)d month", "Every %(n)d months", rule.interval),
        "YEARLY": ngettext("Every %(n)d year", "Every %(n)d years", rule.interval),
    }[rule.freq]
    return every % {"n": rule.interval}


def _describe_pattern(rule: Rule) -> str | None:
    if rule.bymonth or rule.byweekno or rule.byyearday or rule.bysetpos or rule.wkst:
        return None
    every = _every(rule)
    if rule.freq == "DAILY" and not rule.bymonthday:
        return _describe_daily(rule, every)
    if rule.freq == "WEEKLY":
        days = _join(WEEKDAY_NAMES[day] for _nth, day in rule.byday) or gettext("the weekday of the first meeting")
        if every:
            return gettext("%(every)s on %(days)s") % {"every": every, "days": days}
        return gettext("Weekly on %(days)s") % {"days": days}
    if rule.freq == "MONTHLY":
        on = _describe_month_position(rule)
        if on is None:
            return None
        if every:
            return gettext("%(every)s on %(on)s") % {"every": every, "on": on}
        return gettext("Monthly on %(on)s") % {"on": on}
    if rule.freq == "YEARLY" and not (rule.byday or rule.bymonthday):
        if every:
            return gettext("%(every)s on the date of the first meeting") % {"every": every}
        return gettext("Yearly on the date of the first meeting")
    return None


def _describe_daily(rule: Rule, every: str | None) -> str:
    days = [day for _nth, day in rule.byday]
    if not days:
        return every or gettext("Every day")
    if days == [0, 1, 2, 3, 4] and every is None:
        return gettext("Every weekday")
    names = _join(WEEKDAY_NAMES[d] for d in days)
    if every:
        return gettext("%(every)s, on %(days)s") % {"every": every, "days": names}
    return gettext("Daily, on %(days)s") % {"days": names}


def _describe_month_position(rule: Rule) -> str | None:
    if not rule.byday and not rule.bymonthday:
        return gettext("the day of the month of the first meeting")
    if rule.byday and rule.bymonthday:
        return None
    if rule.bymonthday:
        days = [gettext("the last day") if d == -1 else gettext("day %(day)d") % {"day": d} for d in rule.bymonthday]
        return None if any(d < -1 for d in rule.bymonthday) else _join(days)
    if any(n not in _ORDINALS for n, _day in rule.byday):
        return None
    return _join(
        gettext("the %(nth)s %(weekday)s") % {"nth": _ORDINALS[n], "weekday": WEEKDAY_NAMES[day]}
        for n, day in rule.byday
    )


def _describe_end(rule: Rule) -> str:
    if rule.count is not None:
        return ngettext(", once", ", %(count)d times", rule.count) % {"count": rule.count}
    if rule.until is not None:
        until = f"{rule.until.day} {MONTH_NAMES[rule.until.month - 1]} {rule.until.year}"
        return gettext(", until %(date)s") % {"date": until}
    return ""


def _join(words) -> str:
    """ "A, B and C" in the reader's language."""
    return get_text_list([str(word) for word in words], gettext("and"))
