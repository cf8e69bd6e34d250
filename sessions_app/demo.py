"""Demo cohorts and meetings for ``manage.py seed_demo``. Idempotent: a cohort is made
once by name, its series once, and re-running only tops the horizon up."""

from datetime import time, timedelta

from django.utils import timezone

from accounts.models import Membership, Organization
from sessions_app.attendance.models import Attendance, AttendanceSource
from sessions_app.cohorts import services as cohorts
from sessions_app.cohorts.models import Cohort, CohortRole
from sessions_app.feedback import services as feedback
from sessions_app.feedback.models import FeedbackRole, FeedbackShare
from sessions_app.insights.evaluations import evaluation_submit
from sessions_app.meetings import panel, rrule
from sessions_app.meetings import series as series_services
from sessions_app.meetings import services as scheduling
from sessions_app.meetings.models import Meeting, MeetingStatus
from sessions_app.reflections.models import Visibility
from sessions_app.reflections.services import reflection_save
from sessions_app.supervision import services as supervision
from sessions_app.supervision.models import SupervisionEntry
from sessions_app.trim import services as trim
from sessions_app.trim.models import TrimCase

# org slug -> [(cohort name, kind, frequency args, start time, [(email, role)])]. The
# Schwartz Rounds are open to all staff (their kind's default), so everyone in St Mary's
# finds them on "What's on"; Team Time on Ward 7 is closed and takes requests to join.
DEMO_COHORTS = {
    "st-marys": [
        (
            "Schwartz Rounds",
            "schwartz_rounds",
            {"frequency": "monthly_weekday", "weekdays": [2], "nth": 1},
            time(12, 30),
            [
                ("farah@stmarys.example", CohortRole.FACILITATOR),
                ("sam@stmarys.example", "member"),
                ("priya@stmarys.example", "member"),
                ("tom@stmarys.example", "member"),
                ("lucy@stmarys.example", "member"),
            ],
        ),
        (
            "Balint group (GP trainees)",
            "balint_group",
            {"frequency": "fortnightly", "weekdays": [1]},
            time(18, 0),
            [
                ("farah@stmarys.example", CohortRole.FACILITATOR),
                ("priya@stmarys.example", "member"),
                ("tom@stmarys.example", "member"),
                ("lucy@stmarys.example", "member"),
                # Five, so a member may share without their name (k = 5).
                ("sam@stmarys.example", "member"),
            ],
        ),
        (
            "Team Time (Ward 7)",
            "team_time",
            {"frequency": "weekly", "weekdays": [3]},
            time(14, 0),
            [
                ("farah@stmarys.example", CohortRole.FACILITATOR),
                ("tom@stmarys.example", "member"),
                ("lucy@stmarys.example", "member"),
            ],
        ),
    ],
    "northfield-chaplaincy": [
        (
            "Case reflection circle",
            "chaplaincy_case_reflection",
            {"frequency": "monthly_weekday", "weekdays": [3], "nth": 2},
            time(10, 0),
            [
                ("joel@northfield.example", CohortRole.FACILITATOR),
                ("sam@stmarys.example", "member"),
                ("maria@northfield.example", "member"),
                ("ben@northfield.example", "member"),
            ],
        ),
    ],
}

DEMO_PLACES = {"chaplaincy_case_reflection": "The chapel", "team_time": "Ward 7 day room"}


def seed_cohorts(organization: Organization) -> None:
    members = {m.user.email: m for m in Membership.objects.filter(organization=organization).select_related("user")}
    for name, kind, rule_args, start, people in DEMO_COHORTS.get(organization.slug, []):
        cohort = Cohort.objects.filter(organization=organization, name=name).first()
        if cohort is None:
            cohort = cohorts.cohort_create(organization=organization, name=name, kind=kind)
        for email, role in people:
            if not cohort.members.filter(membership=members[email]).exists():  # seeding runs again
                cohorts.cohort_add_member(cohort=cohort, membership=members[email], role=role)
        if not cohort.series.exists():
            series_services.series_create(
                cohort=cohort,
                rule=rrule.build_rrule(**rule_args),
                first_date=timezone.localdate() + timedelta(days=1),
                start_time=start,
                time_zone=organization.time_zone,
                duration_minutes=cohort.default_duration_minutes,
                location=DEMO_PLACES.get(kind, "Education centre, room 3"),
                capacity=12 if kind == "balint_group" else None,
            )
        series_services.series_materialize_all(cohort_ids=[cohort.pk])
        if kind == "balint_group":
            seed_evaluated_meeting(cohort, [members[email] for email, _role in people])
    if organization.slug in ROUNDS_PROGRAMME:
        _seed_rounds_programme(organization, members)
    seed_trim(organization, members)
    seed_feedback(organization, members)
    seed_supervision(organization, members)


# org slug -> (the author of an NMC reflective account, their discussion partner)
DEMO_FEEDBACK = {"st-marys": ("priya@stmarys.example", "farah@stmarys.example")}


def seed_feedback(organization: Organization, members: dict[str, Membership]) -> None:
    """An NMC reflective account shared for feedback with its author's discussion
    partner, who wrote feedback and signed off, once (issue 14 §2)."""
    if organization.slug not in DEMO_FEEDBACK or FeedbackShare.objects.filter(organization=organization).exists():
        return
    author, partner = (members[email] for email in DEMO_FEEDBACK[organization.slug])
    account = reflection_save(
        author=author,
        template_key="nmc",
        answers={
            "what_was_it": "A study day on recognising sepsis early.",
            "learned": "How often the first signs are put down to something else.",
            "changed": "I escalate a rising NEWS2 score sooner, and say why in the notes.",
            "code": "Preserving safety: recognising and responding to deterioration.",
        },
        visibility=Visibility.PRIVATE,
        code_themes=["preserve_safety", "practise_effectively"],
    )
    share = feedback.feedback_share_create(
        reflection=account, author=author, reader=partner, role=FeedbackRole.NMC_PARTNER, note="For my revalidation."
    )
    feedback.feedback_save(share=share, reader=partner, text="A clear account; the change to your practice shows.")
    feedback.sign_off_give(
        share=share,
        reader=partner,
        name=partner.user.name,
        number="12A3456E",
        discussed_on=timezone.localdate() - timedelta(days=1),
    )


# org slug -> the person keeping a supervision log (a CPE student in the chaplaincy) and
# their supervisor; the entries' (days ago, minutes, kind, confirmed).
DEMO_SUPERVISION = {
    "northfield-chaplaincy": ("maria@northfield.example", "joel@northfield.example"),
    "st-marys": ("priya@stmarys.example", "farah@stmarys.example"),
}
DEMO_SUPERVISION_ENTRIES = [
    (40, 90, "individual", True),
    (33, 120, "group", True),
    (26, 480, "clinical", False),
    (12, 60, "education", False),
    (5, 90, "individual", False),
]


def seed_supervision(organization: Organization, members: dict[str, Membership]) -> None:
    """A few entries in a student's log, some confirmed by their supervisor, once."""
    if organization.slug not in DEMO_SUPERVISION:
        return
    student, supervisor = (members[email] for email in DEMO_SUPERVISION[organization.slug])
    if SupervisionEntry.objects.filter(owner=student).exists():
        return
    today = timezone.localdate()
    for days_ago, minutes, kind, confirmed in DEMO_SUPERVISION_ENTRIES:
        data = supervision.EntryData(
            held_on=today - timedelta(days=days_ago),
            minutes=minutes,
            kind=kind,
            supervisor=None if kind == "clinical" else supervisor,
        )
        entry = supervision.entry_create(owner=student, data=data)
        if confirmed:
            supervision.entry_confirm(entry=entry, supervisor=supervisor, version=entry.version)


# org slug -> the TRiM practitioner, the manager who calls a debrief, its cohort and the people called
DEMO_TRIM = {
    "st-marys": (
        "farah@stmarys.example",
        "ada@stmarys.example",
        "Balint group (GP trainees)",
        ["priya@stmarys.example"],
    ),
}


def seed_trim(organization: Organization, members: dict[str, Membership]) -> None:
    """A practitioner and one hot debrief with its TRiM pathway, once."""
    if organization.slug not in DEMO_TRIM or TrimCase.objects.filter(organization=organization).exists():
        return
    practitioner, manager, cohort_name, called = DEMO_TRIM[organization.slug]
    trim.practitioner_grant(membership=members[practitioner], actor=members[manager])
    people = [members[email] for email in called]
    now = timezone.now()
    debrief = scheduling.hot_debrief_create(
        cohort=Cohort.objects.get(organization=organization, name=cohort_name),
        starts_at=now + timedelta(hours=2),
        people=people,
        title="Bay 4 debrief",
        now=now,
        actor=members[manager],
    )
    trim.trim_case_open(debrief=debrief, people=people, manager=members[manager], now=now)


# The Schwartz Rounds programme as it runs (issue 13): topics on the coming Rounds, a
# panel of three for the next one (one of them prepared), and a steering group.
ROUNDS_PROGRAMME = {
    "st-marys": {
        "topics": ["The patient I can't forget", "When the family disagrees", "A good death?"],
        "panel": ["priya@stmarys.example", "lucy@stmarys.example", "tom@stmarys.example"],
        "prepared": "priya@stmarys.example",
        "steering_group": "Rounds steering group",
        "steering_people": [
            ("farah@stmarys.example", CohortRole.FACILITATOR),
            ("priya@stmarys.example", "member"),
            ("tom@stmarys.example", "member"),
        ],
    }
}


def _seed_rounds_programme(organization: Organization, members: dict[str, Membership]) -> None:
    plan = ROUNDS_PROGRAMME[organization.slug]
    rounds = Cohort.objects.get(organization=organization, name="Schwartz Rounds")
    name = plan["steering_group"]
    steering = Cohort.objects.filter(organization=organization, name=name).first()
    if steering is None:
        steering = cohorts.cohort_create(organization=organization, name=name, kind="custom")
    for email, role in plan["steering_people"]:
        if not steering.members.filter(membership=members[email]).exists():
            cohorts.cohort_add_member(cohort=steering, membership=members[email], role=role)
    if rounds.steering_group_id is None:
        cohorts.cohort_update(cohort=rounds, steering_group=steering)
    coming = list(rounds.meetings.filter(status=MeetingStatus.SCHEDULED, starts_at__gt=timezone.now())[:3])
    for meeting, topic in zip(coming, plan["topics"], strict=False):
        if not meeting.title:
            scheduling.meeting_topic_set(meeting=meeting, topic=topic)
    if coming and not coming[0].panellists.exists():
        facilitator = members[plan["steering_people"][0][0]]  # Farah facilitates the Rounds too
        for email in plan["panel"]:
            place = panel.panellist_add(meeting=coming[0], membership=members[email], actor=facilitator)
            if email == plan["prepared"]:
                panel.panellist_prepared_set(place=place, prepared=True)


# A Balint group rather than the Rounds: pages and tests that take the Rounds' first
# meeting as "the next one" stay as they were.
PAST_MEETING = "The night the lift broke"
# (insight, relevance, support, safety, comment): five answers, so that the results show
# with the default k of 5.
PAST_ANSWERS = [
    (5, 5, 4, 4, "Hearing the registrar's story changed how I see nights."),
    (4, 5, 4, 5, "I did not know others felt the same."),
    (4, 4, 3, 4, "The room was too warm."),
    (5, 4, 5, 4, "Please keep the same time."),
    (3, 4, 4, 4, ""),
]


def seed_evaluated_meeting(cohort: Cohort, people: list[Membership]) -> None:
    """A meeting a month ago, its register and five evaluations, so its results can be read."""
    if Meeting.objects.filter(cohort=cohort, title=PAST_MEETING).exists():
        return
    starts_at = timezone.now().replace(microsecond=0) - timedelta(days=30)
    meeting = Meeting.objects.create(
        organization=cohort.organization,
        cohort=cohort,
        title=PAST_MEETING,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        time_zone=cohort.organization.time_zone,
    )
    for person, (insight, relevance, support, safety, comment) in zip(people, PAST_ANSWERS, strict=False):
        Attendance.objects.create(
            organization=cohort.organization, meeting=meeting, membership=person, source=AttendanceSource.REGISTER
        )
        ratings = {"insight": insight, "relevance": relevance, "support": support, "safety": safety}
        evaluation_submit(
            meeting=meeting,
            respondent=person,
            ratings=ratings,
            comment=comment,
            now=meeting.ends_at + timedelta(hours=1),
        )
