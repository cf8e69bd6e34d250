"""Drafts that save themselves as a person types a new reflection: one per author,
meeting and template, encrypted at rest, read and written only by their author. Saving
the reflection removes its draft (``services.reflection_save``); so do account deletion,
and retention for drafts left untouched (``DRAFT_KEPT_FOR``)."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization
from sessions_app.meetings.models import Meeting
from sessions_app.reflections import services
from sessions_app.reflections.models import ReflectionDraft

# A draft nobody has touched for this long is deleted: unsaved text is not kept for ever.
DRAFT_KEPT_FOR = timedelta(days=90)
# Room beyond each answer's limit, so typing past it is kept (the form then says to trim).
_SLACK = 200


def _place(meeting: Meeting | None) -> str:
    return meeting.public_id if meeting is not None else ""


def reflection_draft_for(*, author: Membership, template_key: str, meeting: Meeting | None) -> ReflectionDraft | None:
    """The author's own draft for this meeting and template, if any."""
    return ReflectionDraft.objects.filter(author=author, place=_place(meeting), template_key=template_key).first()


def reflection_draft_save(
    *,
    author: Membership,
    template_key: str,
    meeting: Meeting | None,
    answers: dict[str, str],
    now: datetime | None = None,
) -> ReflectionDraft:
    """Keep what the author has typed so far. Only the template's own prompts are kept,
    each cut at its limit plus some slack; an unknown template is refused."""
    template = services.template_for(author.organization, template_key)
    kept = {p.key: str(answers.get(p.key) or "")[: p.max_length + _SLACK] for p in template.prompts}
    if not any(value.strip() for value in kept.values()):
        reflection_draft_discard(author=author, template_key=template.key, meeting=meeting)
        raise ValidationError(_("Nothing to keep yet."))
    now = now or timezone.now()
    with transaction.atomic():
        draft, _created = ReflectionDraft.objects.select_for_update().get_or_create(
            author=author,
            place=_place(meeting),
            template_key=template.key,
            defaults={"organization_id": author.organization_id, "meeting": meeting},
        )
        draft.answers = kept
        draft.updated_at = now
        draft.save(update_fields=["answers_json", "updated_at"])
    return draft


def reflection_draft_discard(*, author: Membership, template_key: str, meeting: Meeting | None) -> int:
    deleted, _rows = ReflectionDraft.objects.filter(
        author=author, place=_place(meeting), template_key=template_key
    ).delete()
    return deleted


def reflection_drafts_purge_stale(*, organization: Organization, now: datetime) -> int:
    """Retention for drafts: delete those untouched for ``DRAFT_KEPT_FOR``."""
    deleted, _rows = ReflectionDraft.objects.filter(
        organization=organization, updated_at__lt=now - DRAFT_KEPT_FOR
    ).delete()
    return deleted
