"""What sessions_app does when a lower layer announces a change: accounts
(``accounts.signals``), cohorts and meetings (their ``signals.py``) or attention
(``attention.signals``).

Neither imports the code above it, so work that spans both is done here. Connected
once in ``SessionsAppConfig.ready``; every receiver runs synchronously inside the
sender's transaction."""

from datetime import datetime

from django.contrib.auth.signals import user_logged_out
from django_scopes import scope

from accounts.models import Invitation, Membership, User
from accounts.signals import invitation_accepted, membership_leaving, time_zone_changed
from sessions_app.attention import meeting_load
from sessions_app.attention.services import person_replan_everywhere
from sessions_app.attention.signals import attention_settings_changed
from sessions_app.calendars.models import CalendarFeed
from sessions_app.cohorts.models import Cohort
from sessions_app.cohorts.services import cohort_invitations_fulfil, cohort_memberships_end
from sessions_app.cohorts.signals import member_leaving
from sessions_app.meetings import rsvps
from sessions_app.meetings.signals import series_advice
from sessions_app.notifications import notify
from sessions_app.notifications.replan import person_replan
from sessions_app.push.models import PushSubscription
from sessions_app.push.services import SESSION_KEY as PUSH_SESSION_KEY
from sessions_app.push.services import push_subscriptions_delete_by_id
from sessions_app.video import services as video


def _replan(sender, *, user: User, **kwargs) -> None:
    person_replan_everywhere(user=user)


def _end_access(sender, *, membership: Membership, now: datetime, **kwargs) -> None:
    # Their feed URL stops working and their cohort places end, so an invitation back
    # later starts afresh.
    CalendarFeed.objects.filter(membership=membership).delete()
    PushSubscription.objects.filter(membership=membership).delete()
    cohort_memberships_end(membership=membership, now=now)


def _take_up_places(sender, *, invitation: Invitation, membership: Membership, **kwargs) -> None:
    cohort_invitations_fulfil(invitation=invitation, membership=membership)


def _replan_queue(sender, *, membership: Membership, now: datetime, **kwargs) -> None:
    person_replan(membership=membership, now=now)


def _leave_meetings(sender, *, membership: Membership, cohort: Cohort, now: datetime, **kwargs) -> None:
    rsvps.leave_coming_meetings(membership=membership, cohort=cohort, now=now)


def _forget_browser_pushes(sender, *, request, **kwargs) -> None:
    # A signed-out browser (a shared ward phone) gets no more pushes: the subscriptions it
    # made in this session are forgotten, each in its organisation's scope.
    session = getattr(request, "session", None)
    for organization_id, public_id in session.get(PUSH_SESSION_KEY, []) if session is not None else []:
        with scope(organization=organization_id):
            push_subscriptions_delete_by_id(public_ids=[public_id])


def connect() -> None:
    user_logged_out.connect(_forget_browser_pushes, weak=False, dispatch_uid="sessions_app.forget_browser_pushes")
    attention_settings_changed.connect(_replan_queue, weak=False, dispatch_uid="sessions_app.replan_on_attention")
    time_zone_changed.connect(_replan, weak=False, dispatch_uid="sessions_app.replan_on_time_zone")
    membership_leaving.connect(_end_access, weak=False, dispatch_uid="sessions_app.end_access_on_leaving")
    invitation_accepted.connect(_take_up_places, weak=False, dispatch_uid="sessions_app.places_on_accepting")
    # Before notify's receivers: a place given up goes to the next person waiting (and
    # they are told) before what was still owed to the leaver is dropped.
    member_leaving.connect(_leave_meetings, weak=False, dispatch_uid="sessions_app.leave_meetings")
    notify.connect()
    video.connect()
    series_advice.connect(meeting_load.series_advice, dispatch_uid="sessions_app.meeting_load_advice")
