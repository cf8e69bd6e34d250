"""Reads for cohorts. Every ``access_*`` helper answers 404 both for cohorts that do
not exist and for cohorts this person may not see."""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, OuterRef, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Membership
from sessions_app.cohorts.models import Cohort, CohortMember, CohortRole, JoinRequest, JoinRequestStatus
from sessions_app.cohorts.presets import PRESETS


def visible_cohorts(membership: Membership) -> QuerySet[Cohort]:
    """Admins see every cohort of the organisation; everyone else the cohorts they are in."""
    cohorts = Cohort.objects.filter(organization_id=membership.organization_id, archived_at=None)
    if membership.is_admin:
        return cohorts
    return cohorts.filter(members__membership=membership)


def access_cohort(membership: Membership, cohort_id: str) -> Cohort:
    cohort = visible_cohorts(membership).filter(public_id=cohort_id).first()
    if cohort is None:
        raise Http404("No such cohort.")
    return cohort


def access_cohort_page(membership: Membership, cohort_id: str) -> Cohort:
    """``access_cohort``, knowing in the same query whether the cohort is a steering group
    (``steers``), so its page asks for the programmes it oversees only when there are some."""
    programmes = Cohort.objects.filter(steering_group=OuterRef("pk"), archived_at=None)
    cohort = visible_cohorts(membership).filter(public_id=cohort_id).annotate(steers=Exists(programmes)).first()
    if cohort is None:
        raise Http404("No such cohort.")
    return cohort


def access_steered_cohort(membership: Membership, cohort_id: str) -> Cohort:
    """A programme whose steering group this person is in, with its steering group: the
    only way to its figures for them. Everyone else gets the same 404 as for no cohort."""
    cohort = (
        Cohort.objects.filter(
            public_id=cohort_id,
            archived_at=None,
            steering_group__archived_at=None,
            steering_group__members__membership=membership,
        )
        .select_related("steering_group")
        .first()
    )
    if cohort is None:
        raise Http404("No such cohort.")
    return cohort


def steered_cohorts(cohort: Cohort) -> QuerySet[Cohort]:
    """The current programmes this cohort is the steering group of."""
    return Cohort.objects.filter(steering_group=cohort, archived_at=None)


def cohort_member_of(cohort: Cohort, membership: Membership) -> CohortMember | None:
    return CohortMember.objects.filter(cohort=cohort, membership=membership).select_related("cohort").first()


def can_manage_cohort(membership: Membership, cohort: Cohort) -> bool:
    """Organisation admins and the cohort's own facilitators run a cohort."""
    if membership.is_admin:
        return True
    return CohortMember.objects.filter(cohort=cohort, membership=membership, role=CohortRole.FACILITATOR).exists()


def access_managed_cohort(membership: Membership, cohort_id: str) -> Cohort:
    """A cohort this person may see (else 404) and run (else 403)."""
    cohort = access_cohort(membership, cohort_id)
    if not can_manage_cohort(membership, cohort):
        raise PermissionDenied("Only organisation admins and this cohort's facilitators can do this.")
    return cohort


def cohorts_needing_ground_rules(membership: Membership) -> list[CohortMember]:
    members = CohortMember.objects.filter(membership=membership).select_related("cohort")
    return [m for m in members if m.needs_ground_rules]


def cohort_members(cohort: Cohort) -> QuerySet[CohortMember]:
    return CohortMember.objects.filter(cohort=cohort).select_related("membership__user")


def cohort_below_minimum(cohort: Cohort) -> str | None:
    """A plain-words warning when a group is too small for its kind, else None."""
    if cohort.min_members is None:
        return None
    count = CohortMember.objects.filter(cohort=cohort, role=CohortRole.MEMBER).count()
    if count >= cohort.min_members:
        return None
    if cohort.kind == "custom":
        return _("A group works best with at least %(minimum)s members; this one has %(count)s.") % {
            "minimum": cohort.min_members,
            "count": count,
        }
    return _("A %(kind)s works best with at least %(minimum)s members; this one has %(count)s.") % {
        "kind": PRESETS[cohort.kind].label,
        "minimum": cohort.min_members,
        "count": count,
    }


def people_to_add(cohort: Cohort, members: list[CohortMember]) -> list[Membership]:
    """The organisation's active members not yet in the cohort (``members``)."""
    present = {m.membership_id for m in members}
    everyone = Membership.objects.filter(organization=cohort.organization, is_active=True).select_related("user")
    return [m for m in everyone if m.pk not in present]


def cohorts_for_archiving(membership: Membership) -> QuerySet[Cohort]:
    """Every cohort of an admin's organisation, archived or not: current ones first."""
    if not membership.is_admin:
        raise PermissionDenied("Only organisation admins archive and restore cohorts.")
    return Cohort.objects.filter(organization_id=membership.organization_id).order_by(
        F("archived_at").asc(nulls_first=True), "name"
    )


def access_cohort_for_archiving(membership: Membership, cohort_id: str) -> Cohort:
    cohort = cohorts_for_archiving(membership).filter(public_id=cohort_id).first()
    if cohort is None:
        raise Http404("No such cohort.")
    return cohort


def pending_join_requests(cohort: Cohort) -> QuerySet[JoinRequest]:
    """Requests to join ``cohort`` still waiting for an answer, oldest first."""
    return JoinRequest.objects.filter(cohort=cohort, status=JoinRequestStatus.PENDING).select_related(
        "membership__user"
    )
