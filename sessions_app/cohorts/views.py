"""Cohort pages: the list, creating and editing a cohort, adding and removing people.
The cohort's own page shows its meetings, so it lives in ``meetings/views.py``."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import org_admin_required
from sessions_app.cohorts import selectors
from sessions_app.cohorts import services as cohort_services
from sessions_app.cohorts.forms import CohortCreateForm, CohortEditForm, CohortMemberAddForm
from sessions_app.cohorts.models import CohortMember
from sessions_app.cohorts.presets import PRESETS


@require_GET
def cohort_list(request, org_slug):
    cohorts = selectors.visible_cohorts(request.membership).annotate(member_count=Count("members"))
    return render(request, "sessions_app/cohort_list.html", {"cohorts": cohorts, "presets": PRESETS})


@org_admin_required
@require_http_methods(["GET", "POST"])
def cohort_create_view(request, org_slug):
    form = CohortCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = cohort_services.cohort_create(organization=request.organization, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(cohort_name)s is ready. Add people and schedule its meetings.") % {"cohort_name": cohort.name},
            )
            return redirect("cohort_detail", org_slug=org_slug, cohort_id=cohort.public_id)
    return render(request, "sessions_app/cohort_form.html", {"form": form, "presets": PRESETS})


@require_http_methods(["GET", "POST"])
def cohort_edit(request, org_slug, cohort_id):
    """Admins change everything; the cohort's facilitators only who can come (open or
    closed, taking requests to join or not)."""
    cohort = selectors.access_managed_cohort(request.membership, cohort_id)
    form = CohortEditForm(request.POST or None, instance=cohort, admin=request.membership.is_admin)
    if request.method == "POST" and form.is_valid():
        try:
            cohort_services.cohort_update(cohort=cohort, **{f: form.cleaned_data[f] for f in form.changed_data})
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("cohort_detail", org_slug=org_slug, cohort_id=cohort.public_id)
    return render(request, "sessions_app/cohort_edit.html", {"form": form, "cohort": cohort})


@require_POST
def cohort_member_add(request, org_slug, cohort_id):
    cohort = selectors.access_managed_cohort(request.membership, cohort_id)
    members = list(selectors.cohort_members(cohort))
    candidates = selectors.people_to_add(cohort, members)
    form = CohortMemberAddForm(request.POST, candidates=candidates)
    if not form.is_valid():
        for error in form.errors.get("__all__", []) + form.errors.get("email", []):
            messages.error(request, error)
        return redirect("cohort_detail", org_slug=org_slug, cohort_id=cohort.public_id)
    try:
        _add_or_invite(request, cohort, form.cleaned_data, candidates)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("cohort_detail", org_slug=org_slug, cohort_id=cohort.public_id)


def _add_or_invite(request, cohort, data, candidates) -> None:
    if data["membership"]:
        membership = next(m for m in candidates if m.public_id == data["membership"])
        cohort_services.cohort_add_member(cohort=cohort, membership=membership, role=data["role"])
        messages.success(
            request,
            _("%(user_name)s joined %(cohort_name)s.")
            % {"user_name": membership.user.name, "cohort_name": cohort.name},
        )
        return
    invitation, member = cohort_services.cohort_invite(
        cohort=cohort, email=data["email"], role="member", cohort_role=data["role"], invited_by=request.user
    )
    if member:
        messages.success(
            request,
            _("%(user_name)s joined %(cohort_name)s.")
            % {"user_name": member.membership.user.name, "cohort_name": cohort.name},
        )
    elif invitation.invited_by_id != request.user.pk:
        messages.success(
            request,
            _("%(email)s already has an invitation to %(organization)s; they join %(cohort)s when they accept it.")
            % {"email": invitation.email, "organization": cohort.organization.name, "cohort": cohort.name},
        )
    else:
        messages.success(
            request,
            _("Invitation sent to %(invitation_email)s; they join %(cohort_name)s when they accept.")
            % {"invitation_email": invitation.email, "cohort_name": cohort.name},
        )


@require_POST
def cohort_member_remove(request, org_slug, cohort_id, cohort_member_id):
    cohort = selectors.access_managed_cohort(request.membership, cohort_id)
    member = get_object_or_404(
        CohortMember.objects.select_related("membership__user"), cohort=cohort, public_id=cohort_member_id
    )
    cohort_services.cohort_remove_member(cohort_member=member)
    messages.success(
        request,
        _("%(user_name)s left %(cohort_name)s.")
        % {"user_name": member.membership.user.name, "cohort_name": cohort.name},
    )
    return redirect("cohort_detail", org_slug=org_slug, cohort_id=cohort.public_id)
