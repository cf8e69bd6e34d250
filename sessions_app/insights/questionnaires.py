"""Evaluation questionnaires: one per organisation and cohort kind, edited by admins.

Why versions: an evaluation's answers mean what its question said when it was answered.
So a saved version never changes; editing (adding, rewording, reordering or retiring a
question) saves the next version, and each evaluation keeps the version it answered.
Within a kind, a question's key names one meaning: rewording or retyping a question that
has already been answered gives it a new key ("relevance" becomes "relevance-2"), so the
old answers stay counted under the old wording and the new ones start afresh, never
silently merged. A retired question is left out of the next version only; its past
answers stay readable under its wording in the results of the meetings that asked it.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts import audit
from accounts.models import Organization, User
from reflect.text import has_control_characters
from sessions_app.cohorts.presets import PRESETS
from sessions_app.insights.questions import (
    AGREEMENT,
    ATTEND_AGAIN,
    BUILT_IN,
    FREE_TEXT,
    MAX_QUESTIONS,
    default_keys,
    meaning,
    question_of,
)
from sessions_app.reflections.models import EvaluationQuestionnaire

MAX_TEXT, MAX_SHORT = 200, 40
TYPES = (AGREEMENT, ATTEND_AGAIN, FREE_TEXT)


def default_entries(kind: str) -> list[dict]:
    """The kind's default questions, in the built-in (translated) wording."""
    return [{"key": key, "type": "", "text": "", "short": ""} for key in default_keys(kind)]


def latest_version(organization: Organization, kind: str) -> EvaluationQuestionnaire | None:
    return EvaluationQuestionnaire.objects.filter(organization=organization, cohort_kind=kind).first()


def current_entries(organization: Organization, kind: str) -> list[dict]:
    """What the next evaluation of this kind will ask (no row yet: the default)."""
    latest = latest_version(organization, kind)
    return list(latest.questions) if latest else default_entries(kind)


def questionnaire_for_answering(*, organization: Organization, kind: str) -> EvaluationQuestionnaire:
    """The version an evaluation answers now; the default is stored as version 1 the
    first time someone answers it, so the answer keeps the questions it was given."""
    latest = latest_version(organization, kind)
    if latest is not None:
        return latest
    try:
        with transaction.atomic():
            return EvaluationQuestionnaire.objects.create(
                organization=organization, cohort_kind=kind, version=1, questions=default_entries(kind)
            )
    except IntegrityError:  # someone else stored it first: the same questions
        return latest_version(organization, kind)


def _answered_meanings(organization: Organization, kind: str) -> dict[str, set[tuple]]:
    versions = EvaluationQuestionnaire.objects.filter(
        organization=organization, cohort_kind=kind, evaluations__isnull=False
    ).distinct()
    answered: dict[str, set[tuple]] = {}
    for version in versions:
        for entry in version.questions:
            answered.setdefault(entry["key"], set()).add(meaning(entry))
    return answered


def _clean(entry: dict) -> dict:
    text, short, kind = (str(entry.get(f) or "").strip() for f in ("text", "short", "type"))
    if has_control_characters(text) or has_control_characters(short) or "\n" in text:
        raise ValidationError(_("Keep each question on one line, without control characters."))
    if len(text) > MAX_TEXT or len(short) > MAX_SHORT:
        raise ValidationError(
            _("Keep a question to %(text)d characters and its short label to %(short)d.")
            % {"text": MAX_TEXT, "short": MAX_SHORT}
        )
    if kind and kind not in TYPES:
        raise ValidationError(_("Choose a type for every question."))
    key = str(entry.get("key") or "")
    built_in = BUILT_IN.get(key)
    if built_in is not None:
        # The built-in wording, sent back unchanged in whatever language the form showed
        # it, stays "the built-in wording" (blank), so it stays translated.
        text = "" if text == str(built_in.text) else text
        short = "" if short == str(built_in.short) else short
        kind = "" if kind == built_in.type else kind
    return {"key": key, "type": kind, "text": text, "short": short}


def _new_key(base: str, taken: set[str]) -> str:
    base = slugify(base)[:30] or "question"
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    return key


def _keyed(entries: list[dict], *, answered: dict[str, set[tuple]], taken: set[str]) -> list[dict]:
    out = []
    for entry in entries:
        key = entry["key"]
        if not key or key in {e["key"] for e in out}:
            if not entry["text"] or not entry["short"]:
                raise ValidationError(_("A new question needs its wording and a short label."))
            key = _new_key(entry["short"], taken)
        elif key in answered and meaning(entry) not in answered[key]:
            # Reworded after people answered it: a new question, so the old answers keep their meaning.
            key = _new_key(key.rsplit("-", 1)[0] if key[-1:].isdigit() else key, taken)
        taken.add(key)
        out.append({**entry, "key": key})
    return out


def questionnaire_save(
    *, organization: Organization, kind: str, entries: Iterable[dict], actor: User | None, request=None
) -> EvaluationQuestionnaire | None:
    """Save the questions (in order; retired ones left out) as the kind's next version.
    Returns None when nothing changed. Raises ``ValidationError`` for the admin to read."""
    if kind not in PRESETS:
        raise ValidationError(_("Unknown kind of cohort."))
    cleaned = [_clean(entry) for entry in entries]
    if not cleaned:
        raise ValidationError(_("Keep at least one question."))
    if len(cleaned) > MAX_QUESTIONS:
        raise ValidationError(_("Ask at most %(n)d questions.") % {"n": MAX_QUESTIONS})
    with transaction.atomic():
        versions = list(EvaluationQuestionnaire.objects.filter(organization=organization, cohort_kind=kind))
        taken = {e["key"] for v in versions for e in v.questions} | set(default_keys(kind))
        keyed = _keyed(cleaned, answered=_answered_meanings(organization, kind), taken=taken)
        if sum(1 for e in keyed if _type_of(e) == FREE_TEXT) > 1:
            raise ValidationError(_("Ask at most one free-text question."))
        before = versions[0].questions if versions else default_entries(kind)
        if keyed == before:
            return None
        try:
            with transaction.atomic():
                saved = EvaluationQuestionnaire.objects.create(
                    organization=organization,
                    cohort_kind=kind,
                    version=(versions[0].version if versions else 0) + 1,
                    questions=keyed,
                )
        except IntegrityError:
            raise ValidationError(_("Someone else saved this questionnaire meanwhile. Please look again.")) from None
        audit.record(
            organization=organization,
            actor=actor,
            action=audit.AuditAction.SETTINGS_CHANGED,
            target=f"evaluation questionnaire {kind}",
            changes={"version": [saved.version - 1, saved.version]},
            request=request,
        )
    return saved


def _type_of(entry: dict) -> str:
    return question_of(entry).type
