"""Feedback: who may read what. The reader of an active share reads it; the author reads
their own shares, withdrawn ones included; nobody else (admins included) reads anything."""

from django.db.models import Count, QuerySet
from django.http import Http404

from accounts.models import Membership
from sessions_app.feedback.models import FeedbackShare, SignOff
from sessions_app.feedback.versions import is_current
from sessions_app.reflections.models import Reflection


def shares_readable_by(reader: Membership) -> QuerySet[FeedbackShare]:
    """Active shares of finished reflections with this person as their reader."""
    return FeedbackShare.objects.filter(reader=reader, withdrawn_at__isnull=True, reflection__is_draft=False)


def access_feedback_share(reader: Membership, share_id: str) -> FeedbackShare:
    """The share for its reader; 404 for a withdrawn one and for anyone else."""
    share = (
        shares_readable_by(reader)
        .filter(public_id=share_id)
        .select_related("reflection__author__user", "reflection__meeting__series", "reflection__cohort")
        .first()
    )
    if share is None:
        raise Http404("No such share.")
    return share


def access_own_share(author: Membership, share_id: str) -> FeedbackShare:
    """A share of one of the author's reflections, for the author; 404 for anyone else."""
    share = FeedbackShare.objects.filter(reflection__author=author, public_id=share_id).first()
    if share is None:
        raise Http404("No such share.")
    return share


def shares_of(reflection: Reflection) -> list[FeedbackShare]:
    """Every share of one reflection, newest first, each with its sign-offs marked
    current or not (``sign_off.is_current``) against the reflection as it is now."""
    shares = list(
        FeedbackShare.objects.filter(reflection=reflection)
        .select_related("reader__user")
        .prefetch_related("sign_offs")
        .order_by("-created_at", "-pk")
    )
    for share in shares:
        mark_current(list(share.sign_offs.all()), reflection)
    return shares


def mark_current(sign_offs: list[SignOff], reflection: Reflection) -> list[SignOff]:
    for sign_off in sign_offs:
        sign_off.is_current = is_current(sign_off.version, reflection)
    return sign_offs


def shares_for_reader(reader: Membership) -> list[FeedbackShare]:
    """What this person has been asked to give feedback on, newest first (no text)."""
    return list(
        shares_readable_by(reader)
        .select_related("reflection__author__user")
        .defer("note", "feedback", "reflection__answers_json")
        .order_by("-created_at", "-pk")
    )


def current_nmc_sign_off(reflections: list[Reflection]) -> SignOff | None:
    """The latest sign-off by an NMC discussion partner that is current for one of these
    reflections (the NMC pack's reflective discussion form)."""
    by_id = {reflection.pk: reflection for reflection in reflections}
    sign_offs = (
        SignOff.objects.filter(share__reflection_id__in=by_id, share__role="nmc_partner")
        .select_related("share")
        .order_by("-signed_at", "-pk")
    )
    for sign_off in sign_offs:
        if is_current(sign_off.version, by_id[sign_off.share.reflection_id]):
            return sign_off
    return None


def current_sign_offs(reflection: Reflection) -> list[SignOff]:
    """Sign-offs given for the reflection as it is now, oldest first (withdrawn shares'
    too: withdrawing ends the reading, not what was confirmed)."""
    sign_offs = SignOff.objects.filter(share__reflection=reflection).order_by("signed_at", "pk")
    return [sign_off for sign_off in sign_offs if is_current(sign_off.version, reflection)]


def period_tallies(organization, *, since, until) -> dict:
    """Raw tallies of one period for the k-anonymous figures (``insights``): how many
    reflections were shared for feedback and how many signed off, each with how many
    distinct authors, never who. Shares and sign-offs are counted in the period they
    were made, withdrawn ones included (a withdrawal would otherwise change a number
    already shown and say that someone withdrew)."""
    shares = FeedbackShare.objects.filter(organization=organization, created_at__gte=since, created_at__lt=until)
    signed = SignOff.objects.filter(organization=organization, signed_at__gte=since, signed_at__lt=until)
    return {
        **shares.aggregate(
            shared=Count("reflection_id", distinct=True), sharers=Count("reflection__author_id", distinct=True)
        ),
        **signed.aggregate(
            signed=Count("share__reflection_id", distinct=True),
            signers=Count("share__reflection__author_id", distinct=True),
        ),
    }
