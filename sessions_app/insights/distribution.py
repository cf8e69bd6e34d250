"""The admin's distribution of messages per person a week: raw tallies from the outbox
and the k rule applied to them. Reads only; ``services.notification_distribution_show``
keeps what was first shown.

Each bucket is a figure about people, so it goes through ``figures.shown`` (the k rule,
with ``accounts.models.group_size`` as k), plus secondary suppression.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, group_size
from sessions_app.insights.figures import shown
from sessions_app.notifications.models import Notification, NotificationKind, NotificationStatus

WEEKLY_BUCKETS = [(0, 0, _("none")), (1, 2, "1–2"), (3, 5, "3–5"), (6, 10, "6–10"), (11, None, _("more than 10"))]
DISTRIBUTION_WEEKS = 4


def distribution_period(organization, *, now: datetime) -> tuple[datetime, datetime]:
    """The last ``DISTRIBUTION_WEEKS`` whole weeks (Monday 00:00 in the organisation's time
    zone) that ended before ``now``. Only ended weeks: with a rolling window, two looks
    minutes apart differ by the messages sent in between, and show who received them."""
    tz = ZoneInfo(organization.time_zone)
    today = now.astimezone(tz).date()
    this_monday = today - timedelta(days=today.weekday())
    first_monday = this_monday - timedelta(weeks=DISTRIBUTION_WEEKS)
    return (
        datetime.combine(first_monday, time(0), tzinfo=tz),
        datetime.combine(this_monday, time(0), tzinfo=tz),
    )


def notification_tallies(organization, *, since: datetime, until: datetime) -> dict:
    """How many active members fall in each bucket of messages a week between ``since``
    and ``until``: raw counts, before the k rule (``distribution_from``)."""
    weeks = max(1, round((until - since).days / 7))
    sent = dict(
        Notification.objects.filter(status=NotificationStatus.SENT, sent_at__gte=since, sent_at__lt=until)
        .exclude(kind=NotificationKind.DIGEST)
        .values_list("recipient_id")
        .annotate(n=Count("pk"))
    )
    people = list(Membership.objects.filter(organization=organization, is_active=True).values_list("pk", flat=True))
    per_week = [round(sent.get(pk, 0) / weeks) for pk in people]
    counts = [
        sum(1 for value in per_week if value >= low and (high is None or value <= high))
        for low, high, _label in WEEKLY_BUCKETS
    ]
    return {"people": len(people), "counts": counts}


def distribution_from(tallies: dict, *, k: int, since: datetime, until: datetime) -> dict | None:
    """The k rule on a distribution: None when fewer than k people are counted, and any
    bucket under k (with secondary suppression) shown as "not shown"."""
    if tallies["people"] < k:
        return None
    counts = suppress_small_groups(tallies["counts"], k)
    buckets = [{"label": label, "count": count} for (_l, _h, label), count in zip(WEEKLY_BUCKETS, counts, strict=True)]
    return {
        "people": tallies["people"],
        "k": k,
        "buckets": buckets,
        "first_day": since.date(),
        "last_day": (until - timedelta(days=1)).date(),
    }


def notification_distribution(organization, *, now: datetime) -> dict | None:
    """How many messages people received per week over the last whole weeks, as the
    database holds it now, as a distribution only. k is ``group_size``, the one k rule.
    Pages show ``services.notification_distribution_show``, which keeps it as
    first shown."""
    since, until = distribution_period(organization, now=now)
    tallies = notification_tallies(organization, since=since, until=until)
    return distribution_from(tallies, k=group_size(organization), since=since, until=until)


def suppress_small_groups(counts: list[int], k: int) -> list[int | None]:
    """Hide (None) every group of 1..k-1 people. The admin knows how many members there
    are, so one hidden group could be recovered by subtraction: then the smallest other
    group is hidden too (secondary suppression, as statistics offices do)."""
    # An empty group is shown as 0: nobody is in it, so it says nothing about a person.
    visible: list[int | None] = [count if count == 0 else shown(count, people=count, k=k) for count in counts]
    if visible.count(None) == 1:
        left = [i for i, count in enumerate(visible) if count is not None]
        visible[min(left, key=lambda i: counts[i])] = None
    return visible
