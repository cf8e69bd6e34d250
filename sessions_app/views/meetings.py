from datetime import timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sessions_app import selectors
from sessions_app.forms import HotDebriefForm, MeetingCancelForm, MeetingEditForm, PanelNotesForm, SeriesForm
from sessions_app.models import CohortRole, RsvpStatus
from sessions_app.services import meeting_load, rsvps, scheduling
from sessions_app.views._access import managed_cohort, safe_next

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
def series_create(request, org_slug, cohort_id):
    cohort = managed_cohort(request, cohort_id)
    initial = {
        "time_zone": request.organization.time_zone,
        "duration_minutes": cohort.default_duration_minutes,
        "first_date": timezone.localdate() + timedelta(days=7),
    }
    form = SeriesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            series = scheduling.series_create(
                cohort=cohort,
                rule=data["rule"],
                actor=request.membership,
                **{name: data[name] for name in SERIES_FIELDS},
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            count = series.meetings.count()
            messages.success(
                request, f"Scheduled {count} meetings for the next 16 weeks; more are added as time goes on."
            )
            over = meeting_load.members_pushed_over(series)
            if over:
                messages.warning(
                    request,
                    f"This series puts {over} member{'s' if over != 1 else ''} over their monthly meeting budget; "
                    "they are offered a one-click skip for the extra meetings.",
                )
            return redirect("cohort_detail", org_slug=org_slug, cohort_id=cohort.public_id)
    return render(request, "sessions_app/series_form.html", {"form": form, "cohort": cohort})


@require_http_methods(["GET", "POST"])
def hot_debrief_create(request, org_slug, cohort_id):
    cohort = managed_cohort(request, cohort_id)
    candidates = list(selectors.cohort_members(cohort))
    form = HotDebriefForm(request.POST or None, candidates=[m.membership for m in candidates])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = [m.membership for m in candidates if m.membership.public_id in set(data["people"])]
        meeting = scheduling.hot_debrief_create(
            cohort=cohort,
            starts_at=timezone.now() + timedelta(minutes=data["starts_in"]),
            people=chosen,
            title=data["title"],
            location=data["location"],
            video_url=data["video_url"],
            follow_ups=data["follow_ups"],
            actor=request.membership,
        )
        messages.success(request, f"Debrief called for {len(chosen)} people.")
        return redirect("meeting_detail", org_slug=org_slug, meeting_id=meeting.public_id)
    return render(request, "sessions_app/hot_debrief_form.html", {"form": form, "cohort": cohort})


@require_GET
def meeting_detail(request, org_slug, meeting_id):
    membership = request.membership
    meeting = selectors.access_meeting(membership, meeting_id)
    me = selectors.cohort_member_of(meeting.cohort, membership)
    facilitates = me is not None and me.role == CohortRole.FACILITATOR
    my_rsvp = meeting.rsvps.filter(membership=membership).values_list("status", flat=True).first()
    context = {
        "meeting": meeting,
        "me": me,
        "my_rsvp": my_rsvp,
        "counts": selectors.rsvp_counts(meeting),
        "facilitates": facilitates,
        "manages": selectors.can_manage_cohort(membership, meeting.cohort),
        # Names of who is coming: only for the cohort's own facilitators.
        "coming": list(selectors.meeting_going(meeting)) if facilitates else None,
        "panel_form": PanelNotesForm(initial={"panel_notes": meeting.panel_notes}) if facilitates else None,
        "may_attend": rsvps.may_attend(meeting, membership),
        "is_past": meeting.ends_at <= timezone.now(),
    }
    return render(request, "sessions_app/meeting_detail.html", context)


@require_POST
def meeting_rsvp(request, org_slug, meeting_id):
    meeting = selectors.access_meeting(request.membership, meeting_id)
    status = request.POST.get("status", "")
    back = safe_next(request, reverse("meeting_detail", kwargs={"org_slug": org_slug, "meeting_id": meeting_id}))
    try:
        rsvp = rsvps.rsvp_set(meeting=meeting, membership=request.membership, status=status)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        if "ground rules" in " ".join(error.messages):
            return redirect("ground_rules", org_slug=org_slug, cohort_id=meeting.cohort.public_id)
        return redirect(back)
    messages.success(request, _rsvp_message(rsvp.status))
    return redirect(back)


def _rsvp_message(status: str) -> str:
    return {
        RsvpStatus.GOING: "You're going. See you there.",
        RsvpStatus.WAITLISTED: "This one is full, so you're on the waitlist; you'll get the first free place.",
        RsvpStatus.CANT: "Noted: you can't make it.",
        RsvpStatus.SKIP: "Skipping this one. No need to explain.",
    }[status]


def _managed_meeting(request, meeting_id):
    meeting = selectors.access_meeting(request.membership, meeting_id)
    if not selectors.can_manage_cohort(request.membership, meeting.cohort):
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
            messages.success(request, "Saved. Everyone affected will be told.")
            return redirect("meeting_detail", org_slug=org_slug, meeting_id=updated.public_id)
    return render(request, "sessions_app/meeting_edit.html", {"form": form, "meeting": meeting})


@require_http_methods(["GET", "POST"])
def meeting_cancel(request, org_slug, meeting_id):
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
                request, f"Cancelled {count} meeting{'s' if count != 1 else ''}. Everyone affected will be told."
            )
            return redirect("cohort_detail", org_slug=org_slug, cohort_id=meeting.cohort.public_id)
    return render(request, "sessions_app/meeting_cancel.html", {"form": form, "meeting": meeting})


@require_POST
def meeting_panel_notes(request, org_slug, meeting_id):
    meeting = selectors.access_meeting(request.membership, meeting_id)
    me = selectors.cohort_member_of(meeting.cohort, request.membership)
    if me is None or me.role != CohortRole.FACILITATOR:
        raise PermissionDenied("Only this cohort's facilitators prepare the panel.")
    form = PanelNotesForm(request.POST)
    if form.is_valid():
        scheduling.meeting_panel_notes_save(meeting=meeting, notes=form.cleaned_data["panel_notes"])
        messages.success(request, "Panel notes saved.")
    else:
        messages.error(request, " ".join(form.errors.get("panel_notes", [])))
    return redirect("meeting_detail", org_slug=org_slug, meeting_id=meeting.public_id)


@require_POST
def meeting_load_skip(request, org_slug):
    month = request.POST.get("month", "")
    skipped = meeting_load.meeting_load_skip_surplus(membership=request.membership, month=month)
    messages.success(
        request, f"Skipping {skipped} meeting{'s' if skipped != 1 else ''} in {month}. No need to explain."
    )
    return redirect("organization_home", org_slug=org_slug)
