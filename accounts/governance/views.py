"""The organisation's settings page, for its admins."""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts.decorators import org_admin_required
from accounts.governance.forms import OrganizationSettingsForm
from accounts.governance.services import organization_settings_update


def _sso_url(org_slug: str) -> str:
    # Single sign-on has its own page (accounts/sso); until it is installed the link
    # points where it will be.
    try:
        return reverse("organization_sso", kwargs={"org_slug": org_slug})
    except NoReverseMatch:
        return f"/o/{org_slug}/settings/sso/"


def _add_errors(form: OrganizationSettingsForm, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages_ in error.message_dict.items():
        if field == "facilitators_may_invite":
            field = "who_may_invite"
        form.add_error(field if field in form.fields else None, messages_)


@org_admin_required
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)  # k, retention, two-factor: saving asks for a fresh login
def organization_settings(request, org_slug):
    organization = request.organization
    form = OrganizationSettingsForm.for_organization(organization, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            changes = organization_settings_update(
                organization=organization, actor=request.user, request=request, **form.settings_values()
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if changes:
                messages.success(
                    request,
                    _("Saved: %(changes)s.")
                    % {"changes": ", ".join(str(form.fields[_form_field(f)].label) for f in changes)},
                )
            else:
                messages.info(request, _("Nothing had changed, so nothing was saved."))
            return redirect("organization_settings", org_slug=org_slug)
    return render(request, "governance/settings.html", {"form": form, "sso_url": _sso_url(org_slug)})


def _form_field(model_field: str) -> str:
    return "who_may_invite" if model_field == "facilitators_may_invite" else model_field
