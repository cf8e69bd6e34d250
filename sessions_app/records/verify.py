"""The verify page: an organisation admin types a certificate's reference and learns
whether Reflect issued it here, and what it says. Only what the certificate itself says:
the reference carries the figures, so this page looks nothing up about anyone's attendance
and cannot be used to ask how often a colleague came."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.decorators import org_admin_required
from reflect.datewords import short_date
from reflect.text import validate_single_line
from sessions_app.records import selectors
from sessions_app.records.documents import hours_text
from sessions_app.records.references import claim_from


class VerifyForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference on the certificate"), max_length=80, validators=[validate_single_line]
    )


def _verdict(request, reference: str) -> dict | None:
    claim = claim_from(reference, organization_id=request.organization.pk)
    person = claim and selectors.member_named_in(claim.person)
    if not person:
        return None
    return {
        "name": person.user.name,
        "start": short_date(claim.start),
        "end": short_date(claim.end),
        "sessions": claim.sessions,
        "hours": hours_text(claim.minutes),
    }


@never_cache
@org_admin_required
@require_GET
def certificate_verify(request, org_slug):
    form = VerifyForm(request.GET or None)
    context = {"form": form, "checked": False, "verdict": None}
    if form.is_valid():
        context.update(checked=True, verdict=_verdict(request, form.cleaned_data["reference"]))
    return render(request, "sessions_app/records/verify.html", context)
