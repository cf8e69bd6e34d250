"""The data set behind bench/pages.py: organisations of realistic size, built fast.

Small tables go through ``bulk_create``; the three big ones (RSVPs, reflections and the
notification outbox) through PostgreSQL's COPY, with every column the model has and its
Django default where the row leaves it out. Reflection text is real ciphertext: one
answers JSON is encrypted once and its token reused, since the pages never decrypt
content they do not show and the cost measured is the rows', not the words'.

Sizes (``SIZES``): ``large`` is the issue's trust (one organisation of 5,000 members in 60
cohorts with two years of fortnightly meetings, 50,000 reflections and 500,000
notifications, beside four organisations of 100); ``small`` is one organisation of 50.
The viewer (the member the pages are opened as) sits in three cohorts at both sizes.
"""

import itertools
import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta

SIZES = {
    "large": {
        "members": 5000,
        "cohorts": 60,
        "weeks_back": 92,
        "weeks_ahead": 12,
        "reflections": 50_000,
        "notifications": 500_000,
        "audit": 20_000,
        "others": 4,
    },
    "small": {
        "members": 50,
        "cohorts": 3,
        "weeks_back": 12,
        "weeks_ahead": 12,
        "reflections": 200,
        "notifications": 2_000,
        "audit": 100,
        "others": 0,
    },
}
OTHER_MEMBERS = 100
GOING_SHARE = 3  # one member in three answers "going" to each meeting


@dataclass
class World:
    org: object
    viewer: object  # a member's Membership
    admin: object  # an organisation admin's Membership
    cohort: object  # one of the viewer's cohorts
    meeting: object  # the viewer's next meeting
    reflection: object  # one of the viewer's own reflections
    counts: dict


def _copy(model, rows) -> int:
    """COPY ``rows`` (dicts keyed by attname) into ``model``'s table; returns how many."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    json_fields = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
    written = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            values = []
            for field in fields:
                value = row[field.attname] if field.attname in row else field.get_default()
                values.append(json.dumps(value) if field.attname in json_fields else value)
            copy.write_row(values)
            written += 1
    return written


def _people(org, count: int, password: str, prefix: str) -> list:
    from accounts.models import Membership, Role, User

    users = User.objects.bulk_create(
        (User(email=f"{prefix}{n}@bench.example", display_name=f"Person {n}", password=password) for n in range(count)),
        batch_size=2000,
    )
    return Membership.objects.bulk_create(
        (
            Membership(organization=org, user=user, role=Role.ADMIN if n == 1 else Role.MEMBER)
            for n, user in enumerate(users)
        ),
        batch_size=2000,
    )


def _cohorts(org, people: list, size: dict, now: datetime) -> tuple[list, dict]:
    """Cohorts, their members (the viewer in the first three), a fortnightly series each
    and its meetings; returns the meetings and each cohort's members."""
    from sessions_app.cohorts.models import Cohort, CohortMember, CohortRole
    from sessions_app.meetings.models import Meeting, Series

    cohorts = Cohort.objects.bulk_create(
        Cohort(organization=org, name=f"Team Time {n}", kind="team_time", is_open=n % 5 == 0)
        for n in range(size["cohorts"])
    )
    members: dict[int, list] = {c.pk: [] for c in cohorts}
    for n, person in enumerate(people[2:]):
        members[cohorts[n % len(cohorts)].pk].append(person)
    for cohort in cohorts[1:3]:
        members[cohort.pk].insert(0, people[0])
    members[cohorts[0].pk].insert(0, people[0])
    CohortMember.objects.bulk_create(
        (
            CohortMember(
                organization=org,
                cohort_id=cohort_id,
                membership=person,
                role=CohortRole.FACILITATOR if n == 1 else CohortRole.MEMBER,
                ground_rules_acknowledged_at=now - timedelta(days=700),
            )
            for cohort_id, people_in in members.items()
            for n, person in enumerate(people_in)
        ),
        batch_size=5000,
    )
    first = (now - timedelta(weeks=size["weeks_back"])).date()
    meetings = []
    for n, cohort in enumerate(cohorts):
        start = datetime.combine(first + timedelta(days=n % 14), time(13), tzinfo=now.tzinfo)
        series = Series.objects.create(
            organization=org,
            cohort=cohort,
            title=cohort.name,
            rrule="FREQ=WEEKLY;INTERVAL=2",
            first_date=start.date(),
            start_time=time(13),
            time_zone="Europe/London",
            duration_minutes=60,
            materialized_until=now + timedelta(weeks=size["weeks_ahead"]),
        )
        meetings += [
            Meeting(
                organization=org,
                cohort=cohort,
                series=series,
                series_local_date=(start + timedelta(weeks=2 * k)).date(),
                starts_at=start + timedelta(weeks=2 * k),
                ends_at=start + timedelta(weeks=2 * k, hours=1),
                time_zone="Europe/London",
            )
            for k in range((size["weeks_back"] + size["weeks_ahead"]) // 2)
        ]
    return Meeting.objects.bulk_create(meetings, batch_size=5000), members


def _rsvps(org, meetings: list, members: dict, now: datetime) -> int:
    from sessions_app.meetings.models import Rsvp

    def rows():
        for meeting in meetings:
            for n, person in enumerate(members[meeting.cohort_id]):
                if (n + meeting.pk) % GOING_SHARE == 0 or n == 0:  # the viewer answers every one
                    yield {
                        "organization_id": org.pk,
                        "meeting_id": meeting.pk,
                        "membership_id": person.pk,
                        "status": "going",
                        "requested_at": now,
                        "updated_at": now,
                    }

    return _copy(Rsvp, rows())


def _reflections(org, meetings: list, members: dict, count: int, token: str) -> int:
    from reflect.ids import new_public_id
    from sessions_app.reflections.models import Reflection

    past = [m for m in meetings if m.ends_at < meetings[-1].starts_at - timedelta(weeks=12)] or meetings
    visibilities = itertools.cycle(["private", "cohort", "cohort_anonymous", "facilitators"])

    def rows():
        for n in range(count):
            meeting = past[n % len(past)]
            people = members[meeting.cohort_id]
            yield {
                "organization_id": org.pk,
                "public_id": new_public_id(),
                "author_id": people[n % len(people)].pk,
                "meeting_id": meeting.pk,
                "cohort_id": meeting.cohort_id,
                "template_key": "rolfe",
                "template_name": "What? So what? Now what?",
                "answers_json": token,
                "visibility": next(visibilities),
                "shared_at": meeting.ends_at,
                "is_draft": False,
                "created_at": meeting.ends_at + timedelta(hours=2),
                "updated_at": meeting.ends_at,
            }

    return _copy(Reflection, rows())


def _notifications(org, meetings: list, people: list, count: int, now: datetime) -> int:
    from sessions_app.notifications.models import Notification

    def rows():
        for n in range(count):
            meeting = meetings[n % len(meetings)]
            person = people[n % len(people)]
            sent = meeting.starts_at < now
            yield {
                "organization_id": org.pk,
                "recipient_id": person.pk,
                "kind": "reminder",
                "priority": "normal",
                "meeting_id": meeting.pk,
                "idempotency_key": f"bench:{org.pk}:{n}",
                "due_at": meeting.starts_at - timedelta(days=1),
                "latest_useful_at": meeting.starts_at,
                "status": "sent" if sent else "pending",
                "reason": "within budget" if sent else "",
                "sent_at": meeting.starts_at - timedelta(days=1) if sent else None,
                "channels": ["email"],
                "created_at": meeting.starts_at - timedelta(days=3),
                "updated_at": now,
            }

    return _copy(Notification, rows())


def _audit(org, admin, count: int, now: datetime) -> int:
    from accounts.audit.models import AuditEvent

    def rows():
        for n in range(count):
            yield {
                "organization_id": org.pk,
                "occurred_at": now - timedelta(minutes=n),
                "action": "member.invited",
                "actor_public_id": admin.public_id,
                "actor_email": admin.user.email,
                "target": f"person{n}",
                "changes": {"role": "member"},
            }

    return _copy(AuditEvent, rows())


def _organisation(slug: str, size: dict, now: datetime, password: str, token: str) -> dict:
    from accounts.models import Organization

    org = Organization.objects.create(name=f"Bench {slug}", slug=slug, time_zone="Europe/London")
    people = _people(org, size["members"], password, prefix=f"{slug}-")
    meetings, members = _cohorts(org, people, size, now)
    counts = {
        "members": len(people),
        "meetings": len(meetings),
        "rsvps": _rsvps(org, meetings, members, now),
        "reflections": _reflections(org, meetings, members, size["reflections"], token),
        "notifications": _notifications(org, meetings, people, size["notifications"], now),
        "audit_events": _audit(org, people[1], size["audit"], now),
    }
    return {"org": org, "people": people, "meetings": meetings, "counts": counts}


def build(size_name: str, now: datetime, *, slug: str) -> World:
    """Build the ``size_name`` data set, its main organisation called ``slug``, and return
    what the pages are opened with."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django_scopes import scopes_disabled

    from reflect import crypto
    from sessions_app.reflections.models import Reflection

    size = SIZES[size_name]
    password = make_password(None)
    token = crypto.encrypt(
        json.dumps({"what": "A rushed handover.", "so_what": "I missed the family.", "now_what": "Ask."})
    )
    with scopes_disabled(), transaction.atomic():
        main = _organisation(slug, size, now, password, token)
        for n in range(size["others"]):
            _organisation(f"{slug}-other-{n}", {**SIZES["small"], "members": OTHER_MEMBERS}, now, password, token)
        viewer, admin = main["people"][0], main["people"][1]
        TOTP.activate(admin.user, generate_totp_secret())  # admins of a real trust have a second factor
        # A day ahead at least: gunicorn serves on the real clock, hours after ``now``.
        first_cohort = main["meetings"][0].cohort_id
        soon = now + timedelta(days=1)
        upcoming = [m for m in main["meetings"] if m.starts_at > soon and m.cohort_id == first_cohort]
        reflection = Reflection.objects.filter(author=viewer).order_by("-created_at").first()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return World(
        org=main["org"],
        viewer=viewer,
        admin=admin,
        cohort=upcoming[0].cohort,
        meeting=upcoming[0],
        reflection=reflection,
        counts=main["counts"],
    )
