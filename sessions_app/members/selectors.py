"""Reads for the members page. Every query runs in the organisation's scope."""

from django.core.paginator import Page, Paginator
from django.db.models import CharField, Prefetch, Q, QuerySet, Value, prefetch_related_objects
from django.db.models.functions import Coalesce, Lower, NullIf

from accounts.models import Membership, Organization
from sessions_app.cohorts.models import Cohort, CohortMember

PER_PAGE = 50


def members_filtered(
    *, organization: Organization, search: str = "", role: str = "", cohort: Cohort | None = None
) -> QuerySet[Membership]:
    """Active members matching every word of ``search`` (in the name or the e-mail address,
    any case), ``role`` and ``cohort`` when given, in a stable order: by the name shown,
    then e-mail address, then the row (so equal names never swap places between pages)."""
    members = Membership.objects.filter(organization=organization, is_active=True)
    for word in search.split():
        members = members.filter(Q(user__display_name__icontains=word) | Q(user__email__icontains=word))
    if role:
        members = members.filter(role=role)
    if cohort is not None:
        members = members.filter(cohort_memberships__cohort=cohort)
    # An expression, not an annotation, so the paginator's count needs no join to users.
    shown_name = Lower(Coalesce(NullIf("user__display_name", Value("")), "user__email", output_field=CharField()))
    return members.select_related("user").order_by(shown_name.asc(), "user__email", "pk")


def members_page(members: QuerySet[Membership], *, number: str | int | None) -> Page:
    """One page of ``members`` with each one's cohorts: a count, the page and its cohorts,
    three queries whatever the size. A page number out of range shows the last page."""
    page = Paginator(members, PER_PAGE).get_page(number)
    page.object_list = list(page.object_list)
    places = CohortMember.objects.select_related("cohort").order_by("cohort__name")
    prefetch_related_objects(page.object_list, Prefetch("cohort_memberships", queryset=places))
    return page


def cohorts_to_filter_by(organization: Organization) -> QuerySet[Cohort]:
    return Cohort.objects.filter(organization=organization).order_by("name")
