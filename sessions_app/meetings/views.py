"""Pages of series, meetings and RSVPs, and the cohort pages that show them (the
cohort's own page, its ground rules)."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import group_size
from sessions_app.cohorts import selectors as cohort_selectors
from sessions_app.cohorts.forms import CohortMemberAddForm
from sessions_app.cohorts.models import CohortRole
from sessions_app.cohorts.presets import PRESETS
from sessions_app.meetings import recurrence, rsvps, selectors, signals
from sessions_app.meetings import series as series_services
from sessions_app.meetings import services as scheduling
from sessions_app.meetings.forms import (
    MeetingCancelForm,
    MeetingEditForm,
    PanelNotesForm,
    SeriesForm,
    nth_weekday_of_month,
)
from sessions_app.meetings.models import MeetingKind, Series
from sessions_app.meetings.panel_views import panel_context
from sessions_app.meetings.rrule_words import describe_rrule

SERIES_FIELDS = (
    "title",
    "first_date",
    "start_time",
    "time_zone",
    "duration_minutes",
    "location",
    "video_url",
    "capacity",
    "last_date",
)


@require_http_methods(["GET", "POST"])
def series_create_view(request, org_slug, cohort_id):
    cohort = cohort_selectors.access_managed_cohort(request.membership, cohort_id)
    first_date = timezone.localdate() + timedelta(days=7)
    initial = {
        "time_zone": request.organization.time_zone,
        "duration_minutes": cohort.default_duration_minutes,
        "first_date": first_date,
        # The kind's usual rhythm, on the suggested first date's weekday: Schwartz Rounds
        # are monthly, so "Every two weeks" would be a trap to notice and undo.
        "frequency": PRESETS[cohort.kind].frequency or "weekly",
        "weekday": first_date.weekday(),
        "nth": nth_weekday_of_month(first_date),
    }
    form = SeriesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            series = series_services.series_create(
                cohort=cohort,
                rule=data["rule"],
                actor=request.membership,
                **{name: data[name] for name in SERIES_FIELDS},
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            meetings = list(series.meetings.select_related("series"))
            scheduled = ngettext(
                "Scheduled %(count)d meeting for the next 16 weeks; more are added as time goes on.",
                "Scheduled %(count)d meetings for the next 16 weeks; more are added as time goes on.",
                len(meetings),
            ) % {"count": len(meetings)}
            moves = [move for move in map(selectors.meeting_gap_move, meetings) if move is not None]
            messages.success(request, " ".join([scheduled, *map(_gap_sentence, moves)]))
            # Packages above (attention: meeting load) may have advice; meetings never import them.
            for _receiver, advice in signals.series_advice.send(sender=Series, series=series):
                if advice:
                    messages.warning(request, advice)
            return redirect("cohort_detail", org_slug=org_slug, cohort_id=cohort.public_id)
    return render(request, "sessions_app/series_form.html", {"form": form, "cohort": cohort})


def _gap_sentence(move) -> str:
    # Said on the confirmation: the documented rule moved a meeting nobody asked to move.
    return gettext("%(date)s: %(move)s.") % {"date": date_format(move.local_date, "l j F Y"), "move": move.text}


@require_GET
def meeting_detail(request, org_slug, meeting_id):
    membership = request.membership
    meeting = selectors.access_meeting_page(membership, meeting_id)
    me = cohort_selectors.cohort_member_of(meeting.cohort, membership)
    facilitates = me is not None and me.role == CohortRole.FACILITATOR
    my_rsvp = meeting.my_rsvp
    may_attend = selectors.may_attend(meeting, membership)
    counts = selectors.rsvp_counts(meeting)
    k = group_size(membership.organization)
    context = {
        "meeting": meeting,
        "me": me,
        "my_rsvp": my_rsvp,
        # Everyone else (an admin looking in) sees how many are coming only from k people
        # up: a hot debrief called for one person would otherwise show that person's answer.
        "counts": counts if may_attend or facilitates or counts["going"] >= k else None,
        "k": k,
        "facilitates": facilitates,
        # can_manage_cohort's rule, from what is already read: admins and the cohort's facilitators.
        "manages": membership.is_admin or facilitates,
        # Names of who is coming: only for the cohort's own facilitators.
        "coming": list(selectors.meeting_going_and_waitlisted(meeting)) if facilitates else None,
        # Only where the cohort has a panel (Schwartz Rounds), or notes were already written.
        "panel_form": PanelNotesForm(initial={"panel_notes": meeting.panel_notes})
        if facilitates and (meeting.cohort.panel_size or meeting.panel_notes)
        else None,
        "may_attend": may_attend,
        # An open cohort's ground rules are read here (and at the door), not accepted first.
        "open_ground_rules": may_attend and meeting.cohort.is_open and not meeting.invite_only,
        # Asked here, not by the template: a page's queries are the view's to count.
        "shows_actions": meeting.kind != MeetingKind.REGULAR or meeting.has_action_points,
        "is_past": meeting.ends_at <= timezone.now(),
        "was_there": meeting.ends_at <= timezone.now() and meeting.i_was_there,
        "gap_move": selectors.meeting_gap_move(meeting),
        "elsewhere": _in_own_zone(meeting, request.user.time_zone),
    }
    context |= panel_context(
        meeting, membership, facilitates=facilitates, manages=context["manages"], is_past=context["is_past"]
    )
    return render(request, "sessions_app/meeting_detail.html", context)


def _in_own_zone(meeting, viewer_zone: str) -> str | None:
    """The meeting's time where it is held, when that is not the viewer's own clock."""
    if meeting.time_zone == viewer_zone:
        return None
    zone = ZoneInfo(meeting.time_zone)
    start, end = meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)
    same_day = start.date() == meeting.starts_at.astimezone(ZoneInfo(viewer_zone)).date()
    times = {"start": f"{start:%H:%M}", "end": f"{end:%H:%M}", "zone": meeting.time_zone}
    if same_day:
        return gettext("That is %(start)s–%(end)s in %(zone)s, where the meeting is held.") % times
    return gettext("That is %(day)s, %(start)s–%(end)s in %(zone)s, where the meeting is held.") % {
        **times,
        "day": date_format(start, "l j F"),
    }


@require_POST
def meeting_rsvp(request, org_slug, meeting_id):
    meeting = selectors.access_meeting(request.membership, meeting_id)
    status = request.POST.get("status", "")
    back = _safe_next(request, reverse("meeting_detail", kwargs={"org_slug": org_slug, "meeting_id": meeting_id}))
    try:
        rsvp = rsvps.rsvp_set(meeting=meeting, membership=request.membership, status=status)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        if error.code == rsvps.GROUND_RULES_FIRST:
            rules = reverse("ground_rules", kwargs={"org_slug": org_slug, "cohort_id": meeting.cohort.public_id})
            return redirect(f"{rules}?{urlencode({'going': meeting.public_id})}")
        return redirect(back)
    messages.success(request, rsvps.rsvp_message(rsvp.status))
    return redirect(back)


def _managed_meeting(request, meeting_id):
    meeting = selectors.access_meeting(request.membership, meeting_id)
    if not cohort_selectors.can_manage_cohort(request.membership, meeting.cohort):
        raise PermissionDenied("Only organisation admins and this cohort's facilitators can do this.")
    return meeting


@require_http_methods(["GET", "POST"])
def meeting_edit(request, org_slug, meeting_id):
    meeting = _managed_meeting(request, meeting_id)
    local = meeting.starts_at.astimezone(ZoneInfo(meeting.time_zone))
    initial = {
        "local_date": local.date(),
        "start_time": local.time().replace(tzinfo=None),
        "duration_minutes": int((meeting.ends_at - meeting.starts_at).total_seconds() // 60),
        "location": meeting.location,
        "video_url": meeting.video_url,
        "capacity": meeting.capacity,
    }
    form = MeetingEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        change = scheduling.MeetingChange(
            local_date=data["local_date"],
            start_time=data["start_time"],
            duration_minutes=data["duration_minutes"],
            location=data["location"],
            video_url=data["video_url"],
            capacity=data["capacity"],
        )
        try:
            updated = scheduling.meeting_update(
                meeting=meeting, change=change, following=data["following"], actor=request.membership
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            move = recurrence.gap_move(
                local_date=data["local_date"], start_time=data["start_time"], time_zone=meeting.time_zone
            )
            messages.success(
                request,
                " ".join([gettext("Saved. Everyone affected will be told."), *([_gap_sentence(move)] if move else [])]),
            )
            return redirect("meeting_detail", org_slug=org_slug, meeting_id=updated.public_id)
    return render(request, "sessions_app/meeting_edit.html", {"form": form, "meeting": meeting})


@require_http_methods(["GET", "POST"])
def meeting_cancel_view(request, org_slug, meeting_id):
    meeting = _managed_meeting(request, meeting_id)
    form = MeetingCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            count = scheduling.meeting_cancel(
                meeting=meeting, following=form.cleaned_data["following"], actor=request.membership
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                ngettext(
                    "Cancelled %(count)d meeting. Everyone affected will be told.",
                    "Cancelled %(count)d meetings. Everyone affected will be told.",
                    count,
                )
                % {"count": count},
            )
            return redirect("cohort_detail", org_slug=org_slug, cohort_id=meeting.cohort.public_id)
    return render(request, "sessions_app/meeting_cancel.html", {"form": form, "meeting": meeting})


@require_POST
def meeting_panel_notes(request, org_slug, meeting_id):
    meeting = selectors.access_meeting(request.membership, meeting_id)
    me = cohort_selectors.cohort_member_of(meeting.cohort, request.membership)
    if me is None or me.role != CohortRole.FACILITATOR:
        raise PermissionDenied("Only this cohort's facilitators prepare the panel.")
    form = PanelNotesForm(request.POST)
    if form.is_valid():
        scheduling.meeting_panel_notes_save(meeting=meeting, notes=form.cleaned_data["panel_notes"])
        messages.success(request, _("Panel notes saved."))
    else:
        messages.error(request, " ".join(form.errors.get("panel_notes", [])))
    return redirect("meeting_detail", org_slug=org_slug, meeting_id=meeting.public_id)


@require_GET
def cohort_detail(request, org_slug, cohort_id):
    membership = request.membership
    cohort = cohort_selectors.access_cohort_page(membership, cohort_id)
    members = list(cohort_selectors.cohort_members(cohort))
    for member in members:
        member.cohort = cohort  # already read: "me" asks it about its ground rules
    me = next((m for m in members if m.membership_id == membership.pk), None)
    # can_manage_cohort's rule, from the members just read.
    manages = membership.is_admin or (me is not None and me.role == CohortRole.FACILITATOR)
    meetings = selectors.with_my_rsvp(selectors.cohort_upcoming_meetings(cohort, now=timezone.now()), membership)
    context = {
        "cohort": cohort,
        "preset": PRESETS[cohort.kind],
        "manages": manages,
        "members": members,
        "me": me,
        "meetings": meetings,
        "series": [
            (s, describe_rrule(s.rrule), selectors.series_next_date(s, now=timezone.now()))
            for s in cohort.series.filter(last_date=None)
        ],
        "size_warning": cohort_selectors.cohort_below_minimum(cohort),
        "requests_waiting": cohort_selectors.pending_join_requests(cohort).count() if manages else 0,
    }
    # A steering group's own members find the programmes it oversees here.
    context["steered"] = list(cohort_selectors.steered_cohorts(cohort)) if me and cohort.steers else []
    if manages:
        context["add_form"] = CohortMemberAddForm(
            candidates=cohort_selectors.people_to_add(cohort, members),
            invites_new_people=membership.is_admin or request.organization.facilitators_may_invite,
        )
    return render(request, "sessions_app/cohort_detail.html", context)


@require_http_methods(["GET", "POST"])
def ground_rules(request, org_slug, cohort_id):
    cohort = cohort_selectors.access_cohort(request.membership, cohort_id)
    me = cohort_selectors.cohort_member_of(cohort, request.membership)
    if me is None:
        raise PermissionDenied("Only the cohort's members accept its ground rules.")
    # "Going" to a first meeting leads here; the answer waits in ?going= and is recorded
    # on acceptance, so nobody has to find the meeting and tap Going a second time.
    going_to = _pending_meeting(request, cohort, request.POST.get("going") or request.GET.get("going"))
    if request.method == "POST":
        try:
            rsvp = rsvps.ground_rules_accept(cohort_member=me, going_to=going_to)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            rsvp = None
        if rsvp is None:
            messages.success(
                request,
                _("Thank you. You're ready to join the meetings of %(cohort_name)s.") % {"cohort_name": cohort.name},
            )
            return redirect("cohort_detail", org_slug=org_slug, cohort_id=cohort.public_id)
        messages.success(
            request,
            _("Thank you for accepting the ground rules. %(answer)s") % {"answer": rsvps.rsvp_message(rsvp.status)},
        )
        return redirect("meeting_detail", org_slug=org_slug, meeting_id=going_to.public_id)
    return render(request, "sessions_app/ground_rules.html", {"cohort": cohort, "me": me, "going_to": going_to})


def _pending_meeting(request, cohort, meeting_id: str | None):
    """The meeting of *this* cohort that the person was answering, if any: an id from
    anywhere else is ignored, whether or not such a meeting exists."""
    if not meeting_id:
        return None
    return selectors.visible_meetings(request.membership).filter(cohort=cohort, public_id=meeting_id).first()


def _safe_next(request, default: str) -> str:
    """Where to go back to after an answer: ``next`` when it stays on this site."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default
