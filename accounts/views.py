from datetime import date

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_scopes import scope

from accounts import bulk_invitations, selectors, services
from accounts.adapter import remember_invitation
from accounts.decorators import org_admin_required
from accounts.forms import (
    BulkInvitationForm,
    InvitationForm,
    InvitationSettingsForm,
    MemberRoleForm,
    OrganizationSecurityForm,
    ProfileForm,
)
from accounts.governance import services as governance
from accounts.models import TwoFactorRequirement


@require_GET
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


# When this statement was prepared and last reviewed (the GOV.UK model asks for both).
ACCESSIBILITY_STATEMENT_PREPARED = date(2026, 12, 6)
ACCESSIBILITY_STATEMENT_REVIEWED = date(2026, 12, 6)


@require_GET
def accessibility_statement(request):
    """The public accessibility statement, in the form UK public-sector bodies publish."""
    contacts = selectors.accessibility_contacts(request.user) if request.user.is_authenticated else []
    context = {
        "contacts": contacts,
        "contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL,
        "site_url": settings.SITE_URL,
        "prepared": ACCESSIBILITY_STATEMENT_PREPARED,
        "reviewed": ACCESSIBILITY_STATEMENT_REVIEWED,
    }
    return render(request, "accounts/accessibility_statement.html", context)


@login_required
def home(request):
    """Land people where they work: straight into their only organisation, or a picker."""
    memberships = selectors.memberships_of_user(request.user)
    if len(memberships) == 1:
        return redirect("organization_home", org_slug=memberships[0].organization.slug)
    return render(request, "accounts/home.html", {"memberships": memberships})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your profile is saved."))
        return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form})


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    invitation = selectors.access_invitation_by_token(token)
    if not request.user.is_authenticated:
        if invitation.is_open:
            remember_invitation(request, invitation)
        return render(request, "accounts/invitation_accept.html", {"invitation": invitation})
    if request.method == "POST":
        try:
            # The token resolved the tenant; everything from here on runs inside it.
            with scope(organization=invitation.organization):
                membership = services.invitation_accept(invitation=invitation, user=request.user, request=request)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("invitation_accept", token=token)
        messages.success(
            request, _("Welcome to %(organization_name)s.") % {"organization_name": membership.organization.name}
        )
        return redirect("organization_home", org_slug=membership.organization.slug)
    can_accept = invitation.is_open and services.user_has_verified_email(request.user, invitation.email)
    return render(request, "accounts/invitation_accept.html", {"invitation": invitation, "can_accept": can_accept})


_MEMBERS_PAGE_PARAMETERS = ("q", "role", "cohort", "page")


def _back_to_members(request, org_slug):
    """Back to the members page as it was (search, filters, page), never anywhere else."""
    members_url = reverse("members_list", kwargs={"org_slug": org_slug})
    back = request.POST.get("next") or request.GET.get("next") or ""
    path, _, query = back.partition("?")
    if path != members_url:
        return members_url
    # Rebuilt from the page's own parameters, so nothing else can ride along in the redirect.
    kept = QueryDict(mutable=True)
    for key, value in QueryDict(query).items():
        if key in _MEMBERS_PAGE_PARAMETERS:
            kept[key] = value
    return f"{members_url}?{kept.urlencode()}" if kept else members_url


@org_admin_required
@require_POST
@reauthentication_required  # it can make someone an admin: asks for a fresh login
def member_change_role(request, org_slug, member_id):
    member = selectors.access_member(request.organization, member_id)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the listed roles."))
        return redirect(_back_to_members(request, org_slug))
    try:
        services.membership_change_role(
            membership=member, role=form.cleaned_data["role"], actor=request.user, request=request
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("%(user_name)s is now %(role)s.")
            % {"user_name": member.user.name, "role": member.get_role_display().lower()},
        )
    return redirect(_back_to_members(request, org_slug))


@org_admin_required
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)  # it ends someone's access and cohort places: asks for a fresh login
def member_remove(request, org_slug, member_id):
    member = selectors.access_member(request.organization, member_id)
    if request.method == "POST":
        try:
            services.membership_remove(membership=member, actor=request.user, request=request)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(
                request,
                _("%(user_name)s has been removed from %(organization_name)s.")
                % {"user_name": member.user.name, "organization_name": request.organization.name},
            )
        return redirect(_back_to_members(request, org_slug))
    return render(
        request, "accounts/member_remove.html", {"member": member, "back": _back_to_members(request, org_slug)}
    )


@org_admin_required
@require_http_methods(["GET", "POST"])
def invitations(request, org_slug):
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                organization=request.organization,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
                request=request,
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(
                request, _("Invitation sent to %(invitation_email)s.") % {"invitation_email": invitation.email}
            )
            return redirect("invitations", org_slug=org_slug)
    listed = selectors.invitations_listed(request.organization)
    settings_form = InvitationSettingsForm(
        initial={"facilitators_may_invite": request.organization.facilitators_may_invite}
    )
    return render(
        request,
        "accounts/invitations.html",
        {"form": form, "invitations": listed, "settings_form": settings_form},
    )


@org_admin_required
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)  # hundreds of people let in at once: asks for a fresh login
def invitations_bulk(request, org_slug):
    form = BulkInvitationForm(request.POST or None)
    problems, notes = [], []
    if request.method == "POST" and form.is_valid():
        try:
            done = bulk_invitations.invitations_bulk_create(
                organization=request.organization,
                text=form.cleaned_data["addresses"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except bulk_invitations.BulkInvitationRefused as refused:
            problems, notes = refused.problems, refused.notes
        except ValidationError as error:
            form.add_error(None, error)
        else:
            count = len(done.invitations)
            messages.success(
                request, ngettext("%(count)d invitation sent.", "%(count)d invitations sent.", count) % {"count": count}
            )
            for note in done.notes:
                messages.info(request, str(note))
            return redirect("invitations", org_slug=org_slug)
    context = {"form": form, "problems": problems, "notes": notes, "max_addresses": bulk_invitations.MAX_ADDRESSES}
    return render(request, "accounts/invitations_bulk.html", context)


@org_admin_required
@require_POST
@reauthentication_required  # it decides who may let outsiders in: asks for a fresh login
def invitation_settings(request, org_slug):
    form = InvitationSettingsForm(request.POST)
    form.is_valid()  # a checkbox: absent means off, anything else on
    allowed = form.cleaned_data["facilitators_may_invite"]
    governance.organization_invitation_settings_update(
        organization=request.organization, facilitators_may_invite=allowed, actor=request.user, request=request
    )
    if allowed:
        messages.success(
            request,
            _("Facilitators may now invite new people into %(organization_name)s.")
            % {"organization_name": request.organization.name},
        )
    else:
        messages.success(
            request,
            _("Only admins now invite new people into %(organization_name)s.")
            % {"organization_name": request.organization.name},
        )
    return redirect("invitations", org_slug=org_slug)


@org_admin_required
@require_POST
def invitation_revoke(request, org_slug, invitation_id):
    invitation = selectors.access_invitation(request.organization, invitation_id)
    services.invitation_revoke(invitation=invitation, actor=request.user, request=request)
    messages.success(
        request, _("The invitation for %(invitation_email)s is revoked.") % {"invitation_email": invitation.email}
    )
    return redirect("invitations", org_slug=org_slug)


_REQUIREMENT_SAVED = {
    TwoFactorRequirement.NOBODY: "Two-factor authentication is now optional in {org}.",
    TwoFactorRequirement.ADMINS: "Two-factor authentication is now required for organisation admins.",
    TwoFactorRequirement.FACILITATORS: "Two-factor authentication is now required for facilitators and admins.",
    TwoFactorRequirement.EVERYONE: "Two-factor authentication is now required for everyone in {org}.",
}


@org_admin_required
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)  # a security setting: saving it asks for a fresh login
def organization_security(request, org_slug):
    organization = request.organization
    form = OrganizationSecurityForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        requirement = form.cleaned_data["two_factor_required"]
        governance.organization_require_two_factor(
            organization=organization, requirement=requirement, actor=request.user, request=request
        )
        messages.success(request, _REQUIREMENT_SAVED[requirement].format(org=organization.name))
        return redirect("organization_security", org_slug=org_slug)
    return render(request, "accounts/organization_security.html", {"form": form})
