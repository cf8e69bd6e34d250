"""Sharing a reflection for feedback, giving feedback and signing off, and withdrawing."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from accounts.ratelimit import Limit, attempt_consume
from reflect.text import has_control_characters
from sessions_app.feedback import notices
from sessions_app.feedback.models import (
    FEEDBACK_MAX,
    NOTE_MAX,
    FeedbackRole,
    FeedbackShare,
    NumberKind,
    SignOff,
)
from sessions_app.feedback.versions import reflection_version
from sessions_app.reflections.models import Reflection

# The NMC PIN: the same rule as the NMC pack (portfolio/nmc.py), which sits above this
# package and so cannot be imported here. A GMC reference number has seven digits.
NUMBER_RULES = {
    NumberKind.NMC_PIN: (
        re.compile(r"^\d{2}[A-Z]\d{4}[A-Z]$"),
        _("An NMC PIN is two digits, a letter, four digits and a letter, for example 12A3456E."),
    ),
    NumberKind.GMC_NUMBER: (re.compile(r"^\d{7}$"), _("A GMC number has seven digits, for example 1234567.")),
}


# Looking people up by address is for asking one or two of them, not for finding out who
# is in the organisation: a few dozen an hour is plenty.
LOOKUPS = Limit(name="feedback-lookups", per=30, seconds=3600)


def reader_find(*, author: Membership, email: str, now: datetime | None = None) -> Membership:
    """The active member of the author's organisation with this e-mail address. The
    error says the same whether the address is unknown or belongs to another
    organisation, so the form tells nobody who uses Reflect elsewhere."""
    if attempt_consume(LOOKUPS, who=author.public_id, now=now or timezone.now()) is not None:
        raise ValidationError(_("You have looked up many addresses this hour. Try again in an hour."))
    reader = (
        Membership.objects.filter(
            organization=author.organization, user__email__iexact=email.strip(), is_active=True, user__is_active=True
        )
        .select_related("user")
        .first()
    )
    if reader is None:
        raise ValidationError(
            _("Nobody in %(organization)s uses that e-mail address. Check it, or ask them which one they use.")
            % {"organization": author.organization.name}
        )
    if reader.pk == author.pk:
        raise ValidationError(_("Choose someone else: feedback comes from another person."))
    return reader


def feedback_share_create(
    *,
    reflection: Reflection,
    author: Membership,
    reader: Membership,
    role: str,
    number_kind: str = NumberKind.NONE,
    note: str = "",
    include_session: bool = False,
    now: datetime | None = None,
) -> FeedbackShare:
    """Share one finished reflection of the author's with one named reader; they are told
    (their digest). An NMC discussion partner always signs with their NMC PIN."""
    now = now or timezone.now()
    if reflection.author_id != author.pk:
        raise ValidationError(_("Only the author can share a reflection."))
    if reflection.is_draft:
        raise ValidationError(_("Finish the reflection first: a draft cannot be shared for feedback."))
    if role not in FeedbackRole.values:
        raise ValidationError(_("Choose what they are to you."))
    number_kind = NumberKind.NMC_PIN if role == FeedbackRole.NMC_PARTNER else number_kind
    if number_kind not in NumberKind.values:
        raise ValidationError(_("Choose which professional number they give."))
    if len(note) > NOTE_MAX:
        raise ValidationError(_("Keep the note to %(limit)s characters.") % {"limit": NOTE_MAX})
    if reader.organization_id != author.organization_id or reader.pk == author.pk or not reader.is_active:
        raise ValidationError(_("Choose someone else in your organisation."))
    share = FeedbackShare(
        organization=author.organization,
        reflection=reflection,
        reader=reader,
        reader_name=reader.user.name,
        role=role,
        number_kind=number_kind,
        note=note.strip(),
        include_session=include_session,
        created_at=now,
    )
    try:
        with transaction.atomic():
            share.save()
            notices.feedback_requested(share, now=now)
    except IntegrityError:
        raise ValidationError(
            _("You have already asked %(name)s for feedback on this reflection.") % {"name": reader.user.name}
        ) from None
    return share


def feedback_save(*, share: FeedbackShare, reader: Membership, text: str, now: datetime | None = None) -> FeedbackShare:
    """Write or rewrite the reader's feedback; the author hears of the first."""
    now = now or timezone.now()
    _assert_reader(share, reader)
    text = text.strip()
    if len(text) > FEEDBACK_MAX:
        raise ValidationError(_("Keep the feedback to %(limit)s characters.") % {"limit": FEEDBACK_MAX})
    with transaction.atomic():
        share = FeedbackShare.objects.select_for_update().get(pk=share.pk)
        _assert_reader(share, reader)
        share.feedback, share.feedback_at = text, now
        share.save(update_fields=["feedback", "feedback_at"])
        if text:
            notices.feedback_given(share, now=now)
    return share


def clean_number(kind: str, number: str) -> str:
    """The professional number as kept (spaces gone, capitals), or a clear error."""
    if kind == NumberKind.NONE:
        return ""
    number = re.sub(r"\s+", "", number).upper()
    rule, message = NUMBER_RULES[kind]
    if not rule.match(number):
        raise ValidationError(message)
    return number


def sign_off_give(
    *,
    share: FeedbackShare,
    reader: Membership,
    name: str,
    number: str,
    discussed_on: date,
    now: datetime | None = None,
) -> SignOff:
    """ "I confirm this reflective discussion took place on …", for the reflection exactly
    as it is stored now (its fingerprint, ``versions``); the author is told."""
    now = now or timezone.now()
    name = name.strip()
    if not name or len(name) > 150 or has_control_characters(name):
        raise ValidationError(_("Give your name as it should appear on the sign-off, on one line."))
    number = clean_number(share.number_kind, number)
    if discussed_on > now.astimezone(ZoneInfo(reader.user.time_zone)).date():
        raise ValidationError(_("The discussion has to have taken place: choose today or an earlier day."))
    with transaction.atomic():
        share = FeedbackShare.objects.select_for_update().select_related("reflection").get(pk=share.pk)
        _assert_reader(share, reader)
        sign_off = SignOff.objects.create(
            organization=share.organization,
            share=share,
            signer_name=name,
            number_kind=share.number_kind,
            professional_number=number,
            discussed_on=discussed_on,
            signed_at=now,
            version=reflection_version(share.reflection),
        )
        notices.signed_off(share, sign_off, now=now)
    return sign_off


def feedback_share_withdraw(*, share: FeedbackShare, author: Membership, now: datetime | None = None) -> FeedbackShare:
    """The reader loses access at once; what they wrote stays with the author."""
    now = now or timezone.now()
    with transaction.atomic():
        share = FeedbackShare.objects.select_for_update().select_related("reflection").get(pk=share.pk)
        if share.reflection.author_id != author.pk:
            raise ValidationError(_("Only the author can withdraw a share."))
        if share.withdrawn_at is None:
            share.withdrawn_at = now
            share.save(update_fields=["withdrawn_at"])
            notices.share_withdrawn(share, now=now)
    return share


def _assert_reader(share: FeedbackShare, reader: Membership) -> None:
    if share.reader_id != reader.pk or share.withdrawn_at is not None:
        raise ValidationError(_("This reflection is no longer shared with you."))
