"""Reads of the supervision log. Each ``access_*`` answers 404 alike for an entry that
does not exist and for one this person may not see: the owner reaches their own entries,
the supervisor an entry naming them (to confirm it), and nobody else, admins included."""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Membership
from sessions_app.supervision.hours import Session
from sessions_app.supervision.models import SupervisionEntry

_PEOPLE = ("supervisor__user", "confirmed_by__user")


def my_entries(membership: Membership) -> QuerySet[SupervisionEntry]:
    """The owner's entries, latest first, with the people they name."""
    return SupervisionEntry.objects.filter(owner=membership).select_related(*_PEOPLE).order_by("-held_on", "-pk")


def sessions_of(entries) -> list[Session]:
    return [Session(day=e.held_on, minutes=e.minutes, kind=e.kind) for e in entries]


def access_own_entry(membership: Membership, entry_id: str) -> SupervisionEntry:
    entry = SupervisionEntry.objects.filter(owner=membership, public_id=entry_id).first()
    if entry is None:
        raise Http404("No such entry.")
    return entry


def access_entry_to_confirm(membership: Membership, entry_id: str) -> SupervisionEntry:
    """An entry naming this person as its supervisor, of someone still in the organisation."""
    entry = naming_me(membership).filter(public_id=entry_id).select_related("owner__user").first()
    if entry is None:
        raise Http404("No such entry.")
    return entry


def naming_me(membership: Membership) -> QuerySet[SupervisionEntry]:
    """The entries naming this person as supervisor, of owners still in the organisation.
    The note is never read here: it is the owner's alone."""
    return (
        SupervisionEntry.objects.filter(supervisor=membership, owner__is_active=True, owner__user__is_active=True)
        .exclude(owner=membership)
        .defer("note")
    )


def to_confirm(membership: Membership) -> list[SupervisionEntry]:
    """For the supervisor's page: every entry naming them, oldest unconfirmed first."""
    entries = naming_me(membership).select_related("owner__user", "supervisor__user", "confirmed_by__user")
    return sorted(entries.order_by("held_on", "pk"), key=lambda e: e.status == "confirmed")


def possible_supervisors(membership: Membership) -> list[Membership]:
    """The people an entry may name as supervisor: anyone else active in the organisation."""
    people = Membership.objects.filter(
        organization_id=membership.organization_id, is_active=True, user__is_active=True
    ).exclude(pk=membership.pk)
    return list(people.select_related("user").order_by("user__display_name", "pk"))
