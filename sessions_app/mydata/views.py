"""'My data': a person's own data across all their organisations, at the site root.

No organisation is in the URL, so no middleware scope applies: the services in
``sessions_app.mydata`` (export, deletion) start from the signed-in person and reach only
their rows.
"""

import json

from allauth.account.decorators import reauthentication_required
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.audit import AuditAction, record_for_person
from accounts.selectors import memberships_of_user
from sessions_app.mydata import deletion, export, markdown

DELETED_MESSAGE = _("Your account and everything you wrote are deleted.")


class AccountDeleteForm(forms.Form):
    email = forms.EmailField(
        label=_("Type your e-mail address to confirm"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if email.lower() != self.user.email.lower():
            raise ValidationError(_("That is not the address you sign in with, so nothing was deleted."))
        return email


def _page(request, form: AccountDeleteForm):
    blocking = deletion.organizations_needing_another_admin(request.user)
    context = {
        "form": form,
        "memberships": memberships_of_user(request.user),
        "blocking": blocking,
        # "A, B and C" in the reader's language.
        "blocking_names": get_text_list([organization.name for organization in blocking], _("and")),
    }
    return render(request, "sessions_app/my_data.html", context)


@login_required
@require_GET
def my_data(request):
    """What Reflect keeps about me, the two downloads, and deleting the account."""
    return _page(request, AccountDeleteForm(user=request.user))


def _download(body: str, *, content_type: str, extension: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    filename = f"reflect-my-data-{timezone.localdate():%Y-%m-%d}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Everything a person wrote, in one file: the downloads and deleting the account ask for a
# fresh login (allauth's reauthentication), so an unlocked screen or a stolen session
# cookie alone cannot take or destroy it.


@never_cache  # one person's reflections: no cache anywhere may keep a copy
@login_required
@require_GET
@reauthentication_required
def my_data_json(request):
    data = export.personal_data_export(request.user)
    record_for_person(user=request.user, action=AuditAction.DATA_EXPORTED, request=request)
    # The encoder turns lazily translated labels (kinds, templates) into their words.
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    return _download(body, content_type="application/json", extension="json")


@never_cache
@login_required
@require_GET
@reauthentication_required
def my_data_markdown(request):
    data = export.personal_data_export(request.user)
    record_for_person(user=request.user, action=AuditAction.DATA_EXPORTED, request=request)
    body = markdown.personal_data_markdown(data)
    return _download(body, content_type="text/markdown; charset=utf-8", extension="md")


@login_required
@require_POST
@reauthentication_required
def my_data_delete(request):
    form = AccountDeleteForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            deletion.account_delete(user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            logout(request)
            messages.success(request, DELETED_MESSAGE)
            return redirect("account_login")
    return _page(request, form)
