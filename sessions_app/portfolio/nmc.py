"""The NMC revalidation pack: five written reflective accounts from the last three years,
each relating to the Code, and the reflective discussion form. The pack checks its own
rules and says plainly what is missing before anything is downloaded."""

import re
from datetime import date
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import Membership
from reflect.text import validate_single_line
from reflect.widgets import IsoDateInput
from sessions_app.feedback.selectors import current_nmc_sign_off
from sessions_app.reflections.models import Reflection

NMC_TEMPLATE = "nmc"
PACK_SIZE = 5
LOOK_BACK_YEARS = 3
# The NMC PIN: two digits (the year of registration), a letter, four digits, a letter.
PIN = re.compile(r"^\d{2}[A-Z]\d{4}[A-Z]$")
PARTNER_CONFIRMATION = _("Partner's confirmation: not yet recorded in Reflect")


def partner_confirmation(accounts: list[Reflection], time_zone: str) -> str:
    """The discussion partner's confirmation as the pack's form shows it: their sign-off
    of one of the chosen accounts, given as its NMC discussion partner for the account as
    it is now (an edit since makes it an earlier version's); else the placeholder."""
    sign_off = current_nmc_sign_off(accounts)
    if sign_off is None:
        return PARTNER_CONFIRMATION
    day = date_format(sign_off.signed_at.astimezone(ZoneInfo(time_zone)).date(), "j F Y")
    return _("Partner's confirmation: signed by %(name)s, %(pin)s, on %(date)s") % {
        "name": sign_off.signer_name,
        "pin": sign_off.professional_number,
        "date": day,
    }


def nmc_accounts(membership: Membership) -> list[Reflection]:
    """The person's own finished NMC reflective accounts, newest first."""
    return list(
        Reflection.objects.filter(author=membership, template_key=NMC_TEMPLATE, is_draft=False).order_by(
            "-created_at", "-pk"
        )
    )


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February, in a year without one
        return day.replace(year=day.year - years, day=28)


def written_on(reflection: Reflection, time_zone: str) -> date:
    return reflection.created_at.astimezone(ZoneInfo(time_zone)).date()


class NmcPackForm(forms.Form):
    accounts = forms.MultipleChoiceField(
        label=_("Your five reflective accounts"), required=False, widget=forms.CheckboxSelectMultiple
    )
    partner_name = forms.CharField(
        label=_("Your discussion partner's name"), max_length=120, validators=[validate_single_line]
    )
    partner_pin = forms.CharField(
        label=_("Their NMC PIN"),
        max_length=20,
        help_text=_("Two digits, a letter, four digits and a letter, for example 12A3456E."),
    )
    partner_email = forms.EmailField(label=_("Their e-mail address"))
    discussion_date = forms.DateField(label=_("Date of the reflective discussion"), widget=IsoDateInput())

    def __init__(self, *args, accounts: list[Reflection], today: date, time_zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.today, self.time_zone = today, time_zone
        self.oldest = years_before(today, LOOK_BACK_YEARS)
        self.by_id = {account.public_id: account for account in accounts}
        self.fields["accounts"].choices = [(account.public_id, self._label(account)) for account in accounts]

    def _label(self, account: Reflection) -> str:
        day = date_format(written_on(account, self.time_zone), "j F Y")
        start = Truncator(account.answers.get("what_was_it", "")).chars(70)
        if written_on(account, self.time_zone) < self.oldest:
            return _("%(date)s: %(start)s (more than three years ago)") % {"date": day, "start": start}
        return f"{day}: {start}"

    def clean_partner_pin(self) -> str:
        pin = re.sub(r"\s+", "", self.cleaned_data["partner_pin"]).upper()
        if not PIN.match(pin):
            raise ValidationError(
                _("An NMC PIN is two digits, a letter, four digits and a letter, for example 12A3456E.")
            )
        return pin

    def clean_discussion_date(self) -> date:
        day = self.cleaned_data["discussion_date"]
        if day > self.today:
            raise ValidationError(_("The discussion has to have taken place: choose today or an earlier day."))
        return day

    def clean_accounts(self) -> list[Reflection]:
        chosen = [self.by_id[public_id] for public_id in self.cleaned_data["accounts"]]
        problems = []
        if len(chosen) != PACK_SIZE:
            problems.append(
                ngettext(
                    "Choose %(size)d reflective accounts — you have chosen %(count)d.",
                    "Choose %(size)d reflective accounts — you have chosen %(count)d.",
                    len(chosen),
                )
                % {"size": PACK_SIZE, "count": len(chosen)}
            )
        problems += [self._problem(account) for account in chosen if self._problem(account)]
        if problems:
            raise ValidationError(problems)
        return sorted(chosen, key=lambda account: account.created_at)

    def _problem(self, account: Reflection) -> str | None:
        day = date_format(written_on(account, self.time_zone), "j F Y")
        if written_on(account, self.time_zone) < self.oldest:
            return _(
                "The account of %(date)s was written more than three years ago (before %(oldest)s): "
                "choose one from the last three years."
            ) % {"date": day, "oldest": date_format(self.oldest, "j F Y")}
        if not account.code_themes:
            return _("The account of %(date)s names no theme of the Code: edit it and tick at least one.") % {
                "date": day
            }
        return None
