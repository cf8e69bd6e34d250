"""A Round's panel: the people who tell their story at one meeting, whether they have
prepared, and the briefing only they see. The facilitators choose the panel from the
organisation's active members (an open Round's panel may come from anywhere in it)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership
from sessions_app.cohorts.models import Cohort
from sessions_app.meetings import signals
from sessions_app.meetings.models import Meeting, MeetingPanellist


def meeting_panel(meeting: Meeting) -> list[MeetingPanellist]:
    """The panel of one meeting with the people's names, in the order they were asked: one query."""
    return list(MeetingPanellist.objects.filter(meeting=meeting).select_related("membership__user"))


def panel_candidates(meeting: Meeting, panel: list[MeetingPanellist]) -> list[Membership]:
    """The organisation's active members (with a switched-on account) not yet on the panel."""
    on_panel = {p.membership_id for p in panel}
    everyone = Membership.objects.filter(
        organization_id=meeting.organization_id, is_active=True, user__is_active=True
    ).select_related("user")
    return [m for m in everyone.order_by("user__display_name", "user__email") if m.pk not in on_panel]


def access_panellist(meeting: Meeting, panellist_id: str) -> MeetingPanellist:
    """One place on this meeting's panel (404 for any other id)."""
    place = MeetingPanellist.objects.filter(meeting=meeting, public_id=panellist_id).first()
    if place is None:
        raise Http404("No such panellist.")
    return place


def access_briefing(membership: Membership, meeting_id: str) -> MeetingPanellist:
    """This person's own place on the panel of this meeting, with the meeting: the only way
    to a briefing. Anyone else, the meeting's other members and facilitators included, and
    anyone whose cohort was archived, gets the same 404 as for a meeting that does not exist."""
    place = (
        MeetingPanellist.objects.filter(
            meeting__public_id=meeting_id,
            membership=membership,
            membership__is_active=True,
            meeting__cohort__archived_at=None,
        )
        .select_related("meeting__cohort", "meeting__series", "meeting__organization")
        .first()
    )
    if place is None:
        raise Http404("No such briefing.")
    return place


def _assert_open_to_changes(meeting: Meeting, now: datetime) -> None:
    if meeting.ends_at <= now:
        raise ValidationError(_("This meeting has already taken place."))
    if meeting.is_cancelled:
        raise ValidationError(_("This meeting is cancelled."))


def panellist_add(
    *, meeting: Meeting, membership: Membership, actor: Membership | None, now: datetime | None = None
) -> MeetingPanellist:
    """Put someone on the panel of one meeting, up to the cohort's panel size; they are
    told (through the attention policy) and get the panel-preparation reminder."""
    now = now or timezone.now()
    _assert_open_to_changes(meeting, now)
    if membership.organization_id != meeting.organization_id or not membership.is_active:
        raise ValidationError(_("Choose someone who is a member of the organisation."))
    with transaction.atomic():
        # Locks the cohort row, so two facilitators adding at once cannot pass the size check together.
        size = Cohort.objects.select_for_update().values_list("panel_size", flat=True).get(pk=meeting.cohort_id)
        panel = MeetingPanellist.objects.filter(meeting=meeting)
        if panel.filter(membership=membership).exists():
            raise ValidationError(_("%(name)s is already on the panel.") % {"name": membership.user.name})
        if size and panel.count() >= size:
            raise ValidationError(_("The panel is full: %(size)d people. Take someone off it first.") % {"size": size})
        place = MeetingPanellist.objects.create(
            organization_id=meeting.organization_id,
            meeting=meeting,
            membership=membership,
            added_by=actor,
            added_at=now,
        )
        signals.panellist_added.send(sender=MeetingPanellist, meeting=meeting, membership=membership, now=now)
    return place


def panellist_remove(*, place: MeetingPanellist, now: datetime | None = None) -> None:
    """Take someone off the panel: what was still waiting to go out to them about it is dropped."""
    now = now or timezone.now()
    with transaction.atomic():
        meeting, membership = place.meeting, place.membership
        place.delete()
        signals.panellist_removed.send(sender=MeetingPanellist, meeting=meeting, membership=membership, now=now)


def panellist_prepared_set(*, place: MeetingPanellist, prepared: bool, now: datetime | None = None) -> None:
    """The panellist says they have prepared their story (or takes it back)."""
    place.prepared_at = (now or timezone.now()) if prepared else None
    place.save(update_fields=["prepared_at"])
