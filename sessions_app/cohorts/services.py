"""Writes for cohorts: creating and changing one, its members and their roles, invitations
to a place, leaving and archiving (announced through ``cohorts.signals``)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import audit
from accounts.models import Invitation, Membership, Organization, User
from sessions_app.cohorts import signals
from sessions_app.cohorts.models import Cohort, CohortInvitation, CohortMember, CohortRole
from sessions_app.cohorts.presets import PRESETS


def cohort_create(*, organization: Organization, name: str, kind: str, **overrides) -> Cohort:
    """Create a cohort with its kind's defaults; ``overrides`` win over the preset."""
    if Cohort.objects.filter(organization=organization, name__iexact=name).exists():
        raise ValidationError({"name": _("There is already a cohort called “%(name)s”.") % {"name": name}})
    preset = PRESETS[kind]
    fields = {
        "description": preset.description,
        "ground_rules": preset.ground_rules,
        "min_members": preset.min_members,
        "max_members": preset.max_members,
        "max_facilitators": preset.max_facilitators,
        "default_duration_minutes": preset.duration_minutes,
        "panel_size": preset.panel_size,
        "panel_prep_days": preset.panel_prep_days,
        "is_open": preset.is_open,
    }
    fields.update({key: value for key, value in overrides.items() if value is not None})
    return Cohort.objects.create(organization=organization, name=name, kind=kind, **fields)


def cohort_update(*, cohort: Cohort, **fields) -> Cohort:
    """Change a cohort; new ground rules must be acknowledged again by everyone."""
    if "ground_rules" in fields and fields["ground_rules"] != cohort.ground_rules:
        cohort.ground_rules_updated_at = timezone.now()
    for name, value in fields.items():
        setattr(cohort, name, value)
    _check_limits_hold(cohort)
    if "steering_group" in fields:
        _check_steering_group(cohort)
    cohort.save()
    return cohort


def _check_steering_group(cohort: Cohort) -> None:
    """One level: a programme's steering group is another cohort of the same
    organisation, which has no steering group of its own and is steered by nobody."""
    group = cohort.steering_group
    if group is None:
        return
    if group.pk == cohort.pk or group.organization_id != cohort.organization_id:
        raise ValidationError(_("Choose another cohort of this organisation as the steering group."))
    if group.steering_group_id is not None:
        raise ValidationError(
            _("%(group)s has a steering group of its own; choose a cohort that oversees, not one overseen.")
            % {"group": group.name}
        )
    if Cohort.objects.filter(steering_group=cohort).exists():
        raise ValidationError(_("This cohort is the steering group of other cohorts, so it can't have one itself."))


def _check_limits_hold(cohort: Cohort) -> None:
    for role in CohortRole.values:
        limit = _limit_for(cohort, role)
        count = CohortMember.objects.filter(cohort=cohort, role=role).count()
        if limit is not None and count > limit:
            raise ValidationError(_ALREADY_HAS[role] % {"count": count})


def _limit_for(cohort: Cohort, role: str) -> int | None:
    return cohort.max_facilitators if role == CohortRole.FACILITATOR else cohort.max_members


# One sentence per role, so a translation can agree its words with the role.
_ALREADY_HAS = {
    CohortRole.FACILITATOR: _("This cohort already has %(count)s facilitators; the limit can't go below that."),
    CohortRole.MEMBER: _("This cohort already has %(count)s members; the limit can't go below that."),
}
_WOULD_NOT_FIT = {
    CohortRole.FACILITATOR: _(
        "%(cohort)s can have at most %(limit)s facilitators (%(kind)s); "
        "it has %(present)s, so %(adding)s more would not fit."
    ),
    CohortRole.MEMBER: _(
        "%(cohort)s can have at most %(limit)s members (%(kind)s); "
        "it has %(present)s, so %(adding)s more would not fit."
    ),
}


def _assert_room_for(cohort: Cohort, role: str, adding: int = 1) -> None:
    limit = _limit_for(cohort, role)
    if limit is None:
        return
    present = CohortMember.objects.filter(cohort=cohort, role=role).count()
    if present + adding > limit:
        kind_label = PRESETS[cohort.kind].label
        raise ValidationError(
            _WOULD_NOT_FIT[role]
            % {"cohort": cohort.name, "limit": limit, "kind": kind_label, "present": present, "adding": adding}
        )


def cohort_add_member(*, cohort: Cohort, membership: Membership, role: str = CohortRole.MEMBER) -> CohortMember:
    """Give someone a place in the cohort. Someone already in it keeps the place they have:
    adding is not a way to change a role (a facilitator could otherwise demote the
    co-facilitator an admin appointed by "adding" them as a member)."""
    if not membership.is_active:
        raise ValidationError(
            _("%(user_name)s is no longer a member of the organisation.") % {"user_name": membership.user.name}
        )
    if CohortMember.objects.filter(cohort=cohort, membership=membership).exists():
        raise ValidationError(
            _("%(user_name)s is already in %(cohort_name)s; their place was left as it is.")
            % {"user_name": membership.user.name, "cohort_name": cohort.name}
        )
    _assert_room_for(cohort, role)
    return CohortMember.objects.create(
        organization=cohort.organization, cohort=cohort, membership=membership, role=role
    )


def cohort_member_role_set(*, cohort_member: CohortMember, role: str, now: datetime | None = None) -> CohortMember:
    """Change someone's role in a cohort. The role starts now: what was shared with the
    facilitators before someone became one stays with the facilitators of that time."""
    if cohort_member.role == role:
        return cohort_member
    _assert_room_for(cohort_member.cohort, role)
    cohort_member.role, cohort_member.role_since = role, now or timezone.now()
    cohort_member.save(update_fields=["role", "role_since"])
    return cohort_member


def cohort_remove_member(*, cohort_member: CohortMember, now: datetime | None = None) -> None:
    """Take someone out of a cohort, and out of everything that would still reach them
    from it: their places in its coming meetings (a freed place goes to the first person
    waiting), the hot debriefs they were called to, and whatever is still due to be sent
    to them about it, digest items included. Past meetings stay in their history."""
    now = now or timezone.now()
    with transaction.atomic():
        # Meetings and notifications do the rest (``cohorts.signals``), in this transaction.
        signals.member_leaving.send(
            sender=CohortMember, membership=cohort_member.membership, cohort=cohort_member.cohort, now=now
        )
        cohort_member.delete()


def cohort_archive(*, cohort: Cohort, now: datetime | None = None, actor: User | None = None, request=None) -> Cohort:
    """Archive a cohort: its pages become a 404 and, as when someone leaves, nothing still
    waiting to be sent about its meetings goes out (the dispatcher's re-check would stop
    it too; this says why in each person's ledger at once)."""
    now = now or timezone.now()
    with transaction.atomic():
        cohort.archived_at = now
        cohort.save(update_fields=["archived_at"])
        signals.cohort_archived.send(sender=Cohort, cohort=cohort, now=now)
        audit.record(
            organization=cohort.organization,
            actor=actor,
            action=audit.AuditAction.COHORT_ARCHIVED,
            target=cohort.name,
            request=request,
        )
    return cohort


def cohort_restore(*, cohort: Cohort, actor: User | None = None, request=None) -> Cohort:
    """Bring an archived cohort back: its pages return and its coming meetings are planned
    again by the next planning sweep. What was dropped when it was archived stays dropped:
    those messages were about a time that has passed or was already told otherwise."""
    if cohort.archived_at is None:
        return cohort
    with transaction.atomic():
        cohort.archived_at = None
        cohort.save(update_fields=["archived_at"])
        audit.record(
            organization=cohort.organization,
            actor=actor,
            action=audit.AuditAction.COHORT_RESTORED,
            target=cohort.name,
            request=request,
        )
    return cohort


def cohort_memberships_end(*, membership: Membership, now: datetime | None = None) -> int:
    """Someone left the organisation: they leave every cohort in it, so being invited back
    later starts afresh (no old cohorts, no shared history), and nothing already planned
    for them goes out."""
    now = now or timezone.now()
    places = list(CohortMember.objects.filter(membership=membership).select_related("cohort", "membership"))
    for place in places:
        cohort_remove_member(cohort_member=place, now=now)
    # Invite-only meetings of cohorts they were not in, and anything not about a meeting.
    signals.member_leaving.send(sender=CohortMember, membership=membership, cohort=None, now=now)
    return len(places)


def ground_rules_acknowledge(*, cohort_member: CohortMember) -> CohortMember:
    """Accept the cohort's ground rules (as they read now)."""
    cohort_member.ground_rules_acknowledged_at = timezone.now()
    cohort_member.save(update_fields=["ground_rules_acknowledged_at"])
    return cohort_member


def cohort_invite(
    *, cohort: Cohort, email: str, role: str, cohort_role: str, invited_by
) -> tuple[Invitation | None, CohortMember | None]:
    """Add an existing organisation member straight away, or invite the address to the
    organisation with a reserved place in the cohort. Someone already invited by another
    person keeps that invitation as it is; the place is added to it."""
    from accounts.services import invitation_create, invitations_open_by_others

    email = email.strip().lower()
    member = Membership.objects.filter(
        organization=cohort.organization, user__email__iexact=email, is_active=True
    ).first()
    if member:
        return None, cohort_add_member(cohort=cohort, membership=member, role=cohort_role)
    _assert_room_for(cohort, cohort_role)
    with transaction.atomic():
        theirs = invitations_open_by_others(organization=cohort.organization, emails=[email], user=invited_by)
        if email in theirs:
            # Their place, not their invitation: the role a place already has stays too.
            CohortInvitation.objects.get_or_create(
                organization=cohort.organization,
                invitation=theirs[email],
                cohort=cohort,
                defaults={"role": cohort_role},
            )
            return theirs[email], None
        invitation = invitation_create(organization=cohort.organization, email=email, role=role, invited_by=invited_by)
        CohortInvitation.objects.update_or_create(
            organization=cohort.organization, invitation=invitation, cohort=cohort, defaults={"role": cohort_role}
        )
    return invitation, None


def cohort_invitations_fulfil(*, invitation: Invitation, membership: Membership) -> list[CohortMember]:
    """Called when an invitation is accepted: take up the reserved cohort places.

    A cohort that filled up in the meantime is skipped rather than failing the whole join.
    """
    joined = []
    for place in CohortInvitation.objects.filter(invitation=invitation).select_related("cohort"):
        try:
            joined.append(cohort_add_member(cohort=place.cohort, membership=membership, role=place.role))
        except ValidationError:
            continue
    return joined
