"""Sign-in at the door (the facilitator's screen, the code a person types or scans), the
facilitator's register, and the person's own attendance."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sessions_app.attendance import codes, selectors, services
from sessions_app.attendance.forms import DoorCodeForm, WalkInEmailForm, WalkInNameForm
from sessions_app.attendance.qr import qr_svg
from sessions_app.cohorts.models import CohortMember


@require_GET
def door_screen(request, org_slug, meeting_id):
    """Full screen, for a tablet at the door or the projector: the QR code and the code."""
    meeting = selectors.access_facilitated_meeting(request.membership, meeting_id)
    now = timezone.now()
    code = selectors.meeting_door_code(meeting)
    url = request.build_absolute_uri(reverse("attendance_door_code", kwargs={"org_slug": org_slug, "code": code}))
    context = {
        "meeting": meeting,
        "code": codes.display(code),
        "qr": qr_svg(url, label=_("QR code to sign in to this meeting")),
        "door_url": request.build_absolute_uri(reverse("attendance_door", kwargs={"org_slug": org_slug})),
        "refusal": services.door_refusal(meeting=meeting, user=request.user, now=now),
    }
    return render(request, "sessions_app/attendance/door_screen.html", context)


@require_http_methods(["GET", "POST"])
def door(request, org_slug):
    """Typing the code from the screen: checked on the meeting's own door page."""
    form = DoorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return redirect("attendance_door_code", org_slug=org_slug, code=form.cleaned_data["code"])
    return render(request, "sessions_app/attendance/door_form.html", {"form": form, "door_action": ""})


@require_http_methods(["GET", "POST"])
def door_code(request, org_slug, code):
    """Where the QR code leads: the meeting, and one button, "I'm here"."""
    now = timezone.now()
    left, until = services.door_misses_left(user=request.user, now=now)
    if left == 0:
        return _door_problem(request, _too_many(request, until), status=429)
    normalised = codes.normalise(code)
    meeting = selectors.door_lookup(membership=request.membership, code=normalised, now=now) if normalised else None
    if meeting is None:
        if (until := services.door_miss_count(user=request.user, now=now)) is not None:
            return _door_problem(request, _too_many(request, until), status=429)
        return _door_problem(request, _not_a_code(request), status=404)
    if request.method == "POST":
        return _door_post(request, meeting, now)
    member = CohortMember.objects.filter(cohort_id=meeting.cohort_id, membership=request.membership).first()
    context = {
        "meeting": meeting,
        "code": normalised,
        "present": selectors.attendance_of(meeting, request.membership) is not None,
        "refusal": services.door_refusal(meeting=meeting, user=request.user, now=now),
        # Shown, not a gate: to people who have not accepted them, and to visitors of an
        # open cohort, for whom nothing records an acceptance.
        "rules": meeting.cohort.ground_rules if member is None or member.needs_ground_rules else "",
        "may_acknowledge": member is not None and member.needs_ground_rules,
    }
    return render(request, "sessions_app/attendance/door.html", context)


def _door_post(request, meeting, now):
    back = redirect(
        "attendance_door_code", org_slug=request.organization.slug, code=request.resolver_match.kwargs["code"]
    )
    if request.POST.get("action") == "ground_rules":
        if services.door_ground_rules_acknowledge(meeting=meeting, membership=request.membership):
            messages.success(request, _("Thank you for accepting the ground rules."))
        return back
    try:
        added = services.door_sign_in(meeting=meeting, membership=request.membership, now=now)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return back
    messages.success(
        request, _("Thank you, you're signed in.") if added else _("You're already signed in — thank you.")
    )
    return back


def _too_many(request, until) -> str:
    local = timezone.localtime(until)
    return _("Too many codes that didn't match. Please wait until %(time)s, then try again.") % {
        "time": f"{local:%H:%M}"
    }


def _not_a_code(request) -> str:
    return _(
        "This code doesn't let you sign in to anything at %(organization)s. Check it against the screen: "
        "it may be mistyped, for another organisation, or for a meeting that isn't open to you."
    ) % {"organization": request.organization.name}


def _door_problem(request, problem: str, *, status: int):
    context = {
        "form": DoorCodeForm(),
        "problem": problem,
        "door_action": reverse("attendance_door", kwargs={"org_slug": request.organization.slug}),
    }
    return render(request, "sessions_app/attendance/door_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def register(request, org_slug, meeting_id):
    meeting = selectors.access_facilitated_meeting(request.membership, meeting_id)
    if request.method == "POST":
        try:
            added, removed = services.register_save(
                meeting=meeting,
                actor=request.membership,
                listed=set(request.POST.getlist("listed")),
                present=set(request.POST.getlist("present")),
                now=timezone.now(),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Register saved: %(added)d marked present, %(removed)d removed.")
                % {
                    "added": added,
                    "removed": removed,
                },
            )
        return redirect("attendance_register", org_slug=org_slug, meeting_id=meeting.public_id)
    return _register_page(request, meeting, WalkInEmailForm(), WalkInNameForm())


def _register_page(request, meeting, email_form, name_form, *, status: int = 200):
    context = {
        "meeting": meeting,
        "register": selectors.meeting_register(meeting),
        "email_form": email_form,
        "name_form": name_form,
        "refusal": None
        if meeting.starts_at - codes.OPENS_BEFORE_START <= timezone.now()
        else _("The register opens 30 minutes before the meeting."),
    }
    return render(request, "sessions_app/attendance/register.html", context, status=status)


@require_POST
def walk_in(request, org_slug, meeting_id):
    meeting = selectors.access_facilitated_meeting(request.membership, meeting_id)
    by_name = "name" in request.POST
    email_form = WalkInEmailForm(None if by_name else request.POST)
    name_form = WalkInNameForm(request.POST if by_name else None)
    form = name_form if by_name else email_form
    if form.is_valid():
        try:
            if by_name:
                services.walk_in_by_name(
                    meeting=meeting, actor=request.membership, name=form.cleaned_data["name"], now=timezone.now()
                )
                messages.success(request, _("Added %(name)s as a walk-in.") % {"name": form.cleaned_data["name"]})
            else:
                person, added = services.walk_in_by_email(
                    meeting=meeting, actor=request.membership, email=form.cleaned_data["email"], now=timezone.now()
                )
                message = _("Added %(name)s as a walk-in.") if added else _("%(name)s is already on the register.")
                messages.success(request, message % {"name": person.user.name})
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("attendance_register", org_slug=org_slug, meeting_id=meeting.public_id)
    return _register_page(request, meeting, email_form, name_form, status=400)


@require_GET
def my_attendance(request, org_slug):
    rows = list(selectors.my_attendance(request.membership))
    year = selectors.this_year(rows, now=timezone.now(), time_zone=request.user.time_zone)
    context = {
        "rows": [(row, int((row.meeting.ends_at - row.meeting.starts_at).total_seconds() // 60)) for row in rows],
        "year_count": len(year),
        "year_hours": selectors.hours(year),
    }
    return render(request, "sessions_app/attendance/mine.html", context)
