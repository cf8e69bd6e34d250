"""Pages of the TRiM pathway: calling a hot debrief (which opens it), a person's own
offers, a practitioner's caseload and risk assessments, and the admins' list of
practitioners. Scores and referrals appear on the practitioners' pages only."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import org_admin_required
from accounts.models import Membership
from sessions_app.cohorts import selectors as cohort_selectors
from sessions_app.meetings import rsvps
from sessions_app.meetings import services as scheduling
from sessions_app.meetings.forms import HotDebriefForm
from sessions_app.meetings.models import RsvpStatus
from sessions_app.trim import selectors, services
from sessions_app.trim.forms import AssessmentForm, OfferAnswerForm, PractitionerGrantForm
from sessions_app.trim.models import Referral


def _active_members(organization) -> list[Membership]:
    members = Membership.objects.filter(organization=organization, is_active=True, user__is_active=True)
    return list(members.select_related("user").order_by("user__display_name", "pk"))


@require_http_methods(["GET", "POST"])
def hot_debrief_create_view(request, org_slug, cohort_id):
    """Call a hot debrief for anyone in the organisation (still invite-only: only the
    people called see it), and start the TRiM pathway for them."""
    cohort = cohort_selectors.access_managed_cohort(request.membership, cohort_id)
    candidates = _active_members(request.organization)
    has_team = bool(selectors.active_practitioners(request.organization))
    form = HotDebriefForm(request.POST or None, candidates=candidates, initial={"trim_pathway": has_team})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = [m for m in candidates if m.public_id in set(data["people"])]
        try:
            meeting = _call(request, cohort, chosen, data)
        except ValidationError as error:
            form.add_error("trim_pathway" if data["trim_pathway"] else None, error)
        else:
            messages.success(
                request,
                ngettext("Debrief called for %(count)d person.", "Debrief called for %(count)d people.", len(chosen))
                % {"count": len(chosen)},
            )
            return redirect("meeting_detail", org_slug=org_slug, meeting_id=meeting.public_id)
    context = {"form": form, "cohort": cohort, "has_team": has_team}
    return render(request, "sessions_app/hot_debrief_form.html", context)


def _call(request, cohort, chosen, data):
    now = timezone.now()
    with transaction.atomic():
        meeting = scheduling.hot_debrief_create(
            cohort=cohort,
            starts_at=now + timedelta(minutes=data["starts_in"]),
            people=chosen,
            title=data["title"],
            location=data["location"],
            video_url=data["video_url"],
            now=now,
            actor=request.membership,
        )
        if data["trim_pathway"]:
            services.trim_case_open(debrief=meeting, people=chosen, manager=request.membership, now=now)
    return meeting


@require_GET
def trim_home(request, org_slug):
    """A person's own offers and whether an assessment took place (its date, nothing more)."""
    context = {
        "offers": selectors.my_offers(request.membership),
        "is_practitioner": selectors.is_practitioner(request.membership),
        "now": timezone.now(),
    }
    return render(request, "sessions_app/trim/home.html", context)


@require_POST
def trim_offer_answer(request, org_slug, offer_id):
    offer = selectors.access_my_offer(request.membership, offer_id)
    form = OfferAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose accept or decline."))
        return redirect("trim_home", org_slug=org_slug)
    status = RsvpStatus.GOING if form.cleaned_data["answer"] == "accept" else RsvpStatus.CANT
    try:
        rsvps.rsvp_set(meeting=offer.meeting, membership=request.membership, status=status)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        accepted = status == RsvpStatus.GOING
        messages.success(
            request,
            gettext("Accepted: it is in your calendar.")
            if accepted
            else gettext("Declined. Nobody will chase you about it."),
        )
    return redirect("trim_home", org_slug=org_slug)


@require_GET
def trim_caseload(request, org_slug):
    offers = selectors.caseload(request.membership)  # 404 for anyone but a practitioner
    return render(request, "sessions_app/trim/caseload.html", {"offers": offers})


@require_http_methods(["GET", "POST"])
def trim_assessment(request, org_slug, offer_id):
    """Record or read one risk assessment: practitioners only, everyone else a 404."""
    offer = selectors.access_practitioner_offer(request.membership, offer_id)
    assessment = selectors.assessment_of(offer)
    initial = {"held_on": offer.meeting.starts_at.date()}
    if assessment:
        initial = {"held_on": assessment.held_on, "score": assessment.score, "referral": assessment.referral}
    form = AssessmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_record(offer=offer, practitioner=request.membership, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, gettext("Risk assessment recorded."))
            return redirect("trim_caseload", org_slug=org_slug)
    referral = Referral(assessment.referral).label if assessment else ""
    context = {"offer": offer, "assessment": assessment, "referral": referral, "form": form}
    return render(request, "sessions_app/trim/assessment.html", context)


@org_admin_required
@require_http_methods(["GET", "POST"])
def trim_practitioners(request, org_slug):
    """Admins name and remove TRiM practitioners, and see how many assessments were held
    (from k people up); never a score, a referral or who was assessed."""
    rows = list(selectors.practitioner_rows(request.organization).order_by("membership__user__display_name"))
    named = {row.membership_id for row in rows}
    candidates = [m for m in _active_members(request.organization) if m.pk not in named]
    form = PractitionerGrantForm(request.POST or None, candidates=candidates)
    if request.method == "POST":
        if "remove" in request.POST:
            return _remove(request, rows)
        if form.is_valid():
            chosen = next(m for m in candidates if m.public_id == form.cleaned_data["member"])
            services.practitioner_grant(membership=chosen, actor=request.membership, request=request)
            messages.success(request, gettext("%(name)s is now a TRiM practitioner.") % {"name": chosen.user.name})
            return redirect("trim_practitioners", org_slug=org_slug)
    context = {"rows": rows, "form": form, "held": selectors.assessments_held(request.organization)}
    return render(request, "sessions_app/trim/practitioners.html", context)


def _remove(request, rows):
    row = next((r for r in rows if r.membership.public_id == request.POST["remove"]), None)
    if row is None:
        raise Http404("No such practitioner.")
    services.practitioner_revoke(membership=row.membership, actor=request.membership, request=request)
    name = row.membership.user.name
    messages.success(request, gettext("%(name)s is no longer a TRiM practitioner.") % {"name": name})
    return redirect("trim_practitioners", org_slug=request.organization.slug)
