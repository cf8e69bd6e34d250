"""A meeting's topic and its panel (Schwartz Rounds): the facilitators set the topic and
choose the panel on the meeting page; each panellist has a briefing page of their own."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sessions_app.cohorts import selectors as cohort_selectors
from sessions_app.cohorts.models import CohortRole
from sessions_app.meetings import panel, selectors
from sessions_app.meetings import services as scheduling
from sessions_app.meetings.forms import PanellistAddForm, TopicForm


def _back(meeting):
    return redirect("meeting_detail", org_slug=meeting.organization.slug, meeting_id=meeting.public_id)


def _facilitated_meeting(request, meeting_id):
    """A meeting this person may see (else 404) and facilitates (else 403)."""
    meeting = selectors.access_meeting(request.membership, meeting_id)
    me = cohort_selectors.cohort_member_of(meeting.cohort, request.membership)
    if me is None or me.role != CohortRole.FACILITATOR:
        raise PermissionDenied("Only this cohort's facilitators choose the panel.")
    return meeting


def _say_errors(request, errors) -> None:
    messages.error(request, " ".join(str(error) for error in errors))


@require_POST
def meeting_topic(request, org_slug, meeting_id):
    meeting = selectors.access_meeting(request.membership, meeting_id)
    if not cohort_selectors.can_manage_cohort(request.membership, meeting.cohort):
        raise PermissionDenied("Only organisation admins and this cohort's facilitators can do this.")
    form = TopicForm(request.POST)
    if not form.is_valid():
        _say_errors(request, form.errors["topic"])
        return _back(meeting)
    try:
        scheduling.meeting_topic_set(meeting=meeting, topic=form.cleaned_data["topic"], actor=request.membership)
    except ValidationError as error:
        _say_errors(request, error.messages)
    else:
        messages.success(request, _("Topic saved. Everyone affected will be told."))
    return _back(meeting)


@require_POST
def panellist_add(request, org_slug, meeting_id):
    meeting = _facilitated_meeting(request, meeting_id)
    candidates = panel.panel_candidates(meeting, panel.meeting_panel(meeting))
    form = PanellistAddForm(request.POST, candidates=candidates)
    if not form.is_valid():
        _say_errors(request, form.errors["membership"])
        return _back(meeting)
    person = next(m for m in candidates if m.public_id == form.cleaned_data["membership"])
    try:
        panel.panellist_add(meeting=meeting, membership=person, actor=request.membership)
    except ValidationError as error:
        _say_errors(request, error.messages)
    else:
        messages.success(request, _("%(name)s is on the panel and will be told.") % {"name": person.user.name})
    return _back(meeting)


@require_POST
def panellist_remove(request, org_slug, meeting_id, panellist_id):
    meeting = _facilitated_meeting(request, meeting_id)
    place = panel.access_panellist(meeting, panellist_id)
    panel.panellist_remove(place=place)
    messages.success(request, _("%(name)s is no longer on the panel.") % {"name": place.membership.user.name})
    return _back(meeting)


@require_GET
def panel_briefing(request, org_slug, meeting_id):
    place = panel.access_briefing(request.membership, meeting_id)
    meeting = place.meeting
    context = {"place": place, "meeting": meeting, "cohort": meeting.cohort, "panel_size": meeting.cohort.panel_size}
    return render(request, "sessions_app/panel_briefing.html", context)


@require_POST
def panel_prepared(request, org_slug, meeting_id):
    place = panel.access_briefing(request.membership, meeting_id)
    prepared = request.POST.get("prepared") == "1"
    panel.panellist_prepared_set(place=place, prepared=prepared)
    messages.success(request, _("Thank you: marked as prepared.") if prepared else _("Marked as not prepared yet."))
    return redirect("panel_briefing", org_slug=org_slug, meeting_id=meeting_id)


def panel_context(meeting, membership, *, facilitates: bool, manages: bool, is_past: bool) -> dict:
    """What the meeting page shows of the topic and the panel: the topic form to those
    who run the meeting; for cohorts with a panel (Schwartz Rounds), the panel, who has
    prepared and the add form to its facilitators, and the way to the briefing to a panellist."""
    changeable = manages and not meeting.is_cancelled and not is_past
    has_panel = bool(meeting.cohort.panel_size)
    team = panel.meeting_panel(meeting) if has_panel else []  # no query for cohorts without a panel
    context = {
        "topic_form": TopicForm(initial={"topic": meeting.title}) if changeable else None,
        "panel": team if facilitates and has_panel else None,
        "on_panel": any(place.membership_id == membership.pk for place in team),
        "panel_full": has_panel and len(team) >= meeting.cohort.panel_size,
    }
    if context["panel"] is not None and changeable and not context["panel_full"]:
        context["panellist_form"] = PanellistAddForm(candidates=panel.panel_candidates(meeting, team))
    return context
