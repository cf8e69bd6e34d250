"""Reads for the TRiM pathway. Each ``access_*`` answers 404 alike for an offer that does
not exist and for one this person may not see: the person it is for sees their own
(without any score), practitioners see the team's; nobody else sees any."""

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import Http404

from accounts.models import Membership, Organization, group_size
from sessions_app.meetings.models import DECLINED, Rsvp, RsvpStatus
from sessions_app.trim.models import OfferStatus, RiskAssessment, TrimOffer, TrimPractitioner

_LIVE = {"membership__is_active": True, "membership__user__is_active": True}


def active_practitioners(organization: Organization) -> list[Membership]:
    """The organisation's practitioners still in it, in a stable order (who is named for
    whom goes round them in turn)."""
    rows = TrimPractitioner.objects.filter(organization=organization, **_LIVE).select_related(
        "membership__user", "membership__organization"
    )
    return [row.membership for row in rows.order_by("granted_at", "pk")]


def is_practitioner(membership: Membership) -> bool:
    return TrimPractitioner.objects.filter(membership=membership, **_LIVE).exists()


def practitioner_rows(organization: Organization) -> QuerySet[TrimPractitioner]:
    return TrimPractitioner.objects.filter(organization=organization, **_LIVE).select_related("membership__user")


def offer_status(rsvp_status: str | None) -> str:
    """The person's answer to an offer is their RSVP to its meeting."""
    if rsvp_status == RsvpStatus.GOING:
        return OfferStatus.ACCEPTED
    if rsvp_status in DECLINED:
        return OfferStatus.DECLINED
    return OfferStatus.OFFERED


def _with_answer(offers: QuerySet[TrimOffer]) -> QuerySet[TrimOffer]:
    answer = Rsvp.objects.filter(meeting=OuterRef("meeting_id"), membership=OuterRef("person_id")).values("status")
    held = RiskAssessment.objects.filter(offer=OuterRef("pk")).values("held_on")
    return offers.annotate(answer=Subquery(answer[:1]), held_on=Subquery(held[:1])).select_related(
        "meeting", "person__user", "practitioner__user"
    )


def my_offers(membership: Membership) -> list[TrimOffer]:
    """The person's own offers, soonest first, each with ``status`` and ``held_on`` (the
    date of its assessment, if one took place): never a score or a referral."""
    offers = list(_with_answer(TrimOffer.objects.filter(person=membership)).order_by("meeting__starts_at"))
    for offer in offers:
        offer.status = offer_status(offer.answer)
    return offers


def caseload(membership: Membership) -> list[TrimOffer]:
    """A practitioner's offers (the ones naming them), with each person's answer."""
    if not is_practitioner(membership):
        raise Http404("No such page.")
    offers = _with_answer(TrimOffer.objects.filter(practitioner=membership)).order_by("meeting__starts_at")
    offers = list(offers)
    for offer in offers:
        offer.status = offer_status(offer.answer)
    return offers


def access_my_offer(membership: Membership, offer_id: str) -> TrimOffer:
    offer = TrimOffer.objects.filter(person=membership, public_id=offer_id).select_related("meeting").first()
    if offer is None:
        raise Http404("No such offer.")
    return offer


def access_practitioner_offer(membership: Membership, offer_id: str) -> TrimOffer:
    """An offer of the organisation, for a practitioner of the team; 404 for anyone else."""
    if not is_practitioner(membership):
        raise Http404("No such offer.")
    offer = _with_answer(TrimOffer.objects.filter(public_id=offer_id)).first()
    if offer is None:
        raise Http404("No such offer.")
    offer.status = offer_status(offer.answer)
    return offer


def assessment_of(offer: TrimOffer) -> RiskAssessment | None:
    """The whole record (score and referral): call it only for a practitioner."""
    return RiskAssessment.objects.filter(offer=offer).first()


def assessments_held(organization: Organization) -> int | None:
    """How many risk assessments were held in the organisation, for its admins: only when
    at least k different people were assessed, else ``None`` (fewer would let a count
    point at the people of one incident)."""
    totals = RiskAssessment.objects.filter(organization=organization).aggregate(
        held=Count("pk"), people=Count("offer__person", distinct=True)
    )
    return totals["held"] if totals["people"] >= group_size(organization) else None
