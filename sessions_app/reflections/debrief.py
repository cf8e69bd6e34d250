"""A debrief's only team record: action points, or nothing at all when it is not recorded."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from sessions_app.cohorts import selectors as cohort_selectors
from sessions_app.meetings import selectors as meeting_selectors
from sessions_app.reflections import services
from sessions_app.reflections.forms import ActionPointForm
from sessions_app.reflections.models import ActionPoint


def _people(meeting):
    return [m.membership for m in cohort_selectors.cohort_members(meeting.cohort)]


@require_http_methods(["GET", "POST"])
def meeting_actions(request, org_slug, meeting_id):
    meeting = meeting_selectors.access_meeting(request.membership, meeting_id)
    manages = cohort_selectors.can_manage_cohort(request.membership, meeting.cohort)
    people = _people(meeting)
    form = ActionPointForm(request.POST or None, people=people)
    if request.method == "POST":
        if not manages:
            raise PermissionDenied("Only the cohort's facilitators record action points.")
        if form.is_valid():
            owner = next((p for p in people if p.public_id == form.cleaned_data["owner"]), None)
            try:
                services.action_point_add(
                    meeting=meeting, what=form.cleaned_data["what"], owner=owner, due=form.cleaned_data["due"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Action point added."))
                return redirect("meeting_actions", org_slug=org_slug, meeting_id=meeting_id)
    points = ActionPoint.objects.filter(meeting=meeting).select_related("owner__user")
    return render(
        request,
        "sessions_app/debrief/actions.html",
        {"meeting": meeting, "points": points, "form": form, "manages": manages},
    )


@require_POST
def action_point_toggle(request, org_slug, meeting_id, action_id):
    meeting = meeting_selectors.access_meeting(request.membership, meeting_id)
    if not cohort_selectors.can_manage_cohort(request.membership, meeting.cohort):
        raise PermissionDenied("Only the cohort's facilitators change action points.")
    point = get_object_or_404(ActionPoint, meeting=meeting, public_id=action_id)
    services.action_point_toggle(action_point=point)
    return redirect("meeting_actions", org_slug=org_slug, meeting_id=meeting_id)


@require_POST
def meeting_not_recorded(request, org_slug, meeting_id):
    meeting = meeting_selectors.access_meeting(request.membership, meeting_id)
    if not cohort_selectors.can_manage_cohort(request.membership, meeting.cohort):
        raise PermissionDenied("Only the cohort's facilitators decide whether a debrief is recorded.")
    services.meeting_set_not_recorded(meeting=meeting, not_recorded=request.POST.get("not_recorded") == "1")
    messages.success(
        request,
        _("Not recorded: no action points and no shared reflections.")
        if meeting.not_recorded
        else "This debrief may keep action points again.",
    )
    return redirect("meeting_detail", org_slug=org_slug, meeting_id=meeting_id)
