"""Writing, sharing and deleting reflections, and the few records a debrief keeps."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import Membership, Organization, group_size
from sessions_app.cohorts.models import Cohort, CohortMember
from sessions_app.meetings.models import Meeting
from sessions_app.reflections import selectors
from sessions_app.reflections.builtin_templates import (
    BUILT_IN,
    CODE_THEMES,
    DATE,
    ISO_DATE_LENGTH,
    MAX_PROMPT_LENGTH,
    MAX_PROMPTS,
    Prompt,
    Template,
)
from sessions_app.reflections.models import ActionPoint, Reflection, ReflectionDraft, ReflectionTemplate, Visibility

SHARED = (Visibility.FACILITATORS, Visibility.COHORT, Visibility.COHORT_ANONYMOUS)


def template_for(organization: Organization, key: str) -> Template:
    if key in BUILT_IN:
        return BUILT_IN[key]
    if key.startswith("custom:"):
        custom = ReflectionTemplate.objects.filter(organization=organization, public_id=key[7:]).first()
        if custom is not None:
            return _as_template(custom)
    raise ValidationError(_("Unknown reflection template “%(key)s”.") % {"key": key})


def _as_template(custom: ReflectionTemplate) -> Template:
    prompts = tuple(Prompt(p["key"], p["question"], int(p["max_length"])) for p in custom.prompts)
    return Template(key=f"custom:{custom.public_id}", name=custom.name, description=custom.description, prompts=prompts)


def templates_for(organization: Organization) -> list[Template]:
    return [
        *BUILT_IN.values(),
        *(_as_template(t) for t in ReflectionTemplate.objects.filter(organization=organization)),
    ]


def _clean_answers(template: Template, answers: dict[str, str]) -> dict[str, str]:
    cleaned, errors = {}, {}
    for prompt in template.prompts:
        text = (answers.get(prompt.key) or "").strip()
        if len(text) > prompt.max_length:
            errors[prompt.key] = f"Keep this to {prompt.max_length} characters (it has {len(text)})."
        elif prompt.kind == DATE and text and not _is_iso_date(text):
            errors[prompt.key] = _("Enter a valid date.")
        cleaned[prompt.key] = text
    if errors:
        raise ValidationError(errors)
    if not any(cleaned.values()):
        raise ValidationError(_("Write something in at least one box, or leave without saving."))
    return cleaned


def _is_iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == ISO_DATE_LENGTH


def _clean_code_themes(template: Template, themes: list[str]) -> list[str]:
    """The NMC Code's themes, kept in the Code's order; only the NMC template has them."""
    if not template.has_code_themes:
        return []
    unknown = set(themes) - set(CODE_THEMES)
    if unknown:
        raise ValidationError(_("Choose the Code's themes from the list."))
    return [key for key in CODE_THEMES if key in themes]


def _check_sharing(*, author: Membership, cohort: Cohort | None, meeting: Meeting | None, visibility: str) -> None:
    if visibility not in Visibility.values:
        raise ValidationError(_("Choose who may read this."))
    if visibility == Visibility.PRIVATE:
        return
    if cohort is None:
        raise ValidationError(_("Choose the cohort to share with, or keep it to yourself."))
    if not CohortMember.objects.filter(cohort=cohort, membership=author).exists():
        raise ValidationError(_("You can share only with a cohort you belong to."))
    if meeting is not None and meeting.not_recorded:
        raise ValidationError(_("This meeting is not recorded: reflections on it stay private."))
    if visibility == Visibility.COHORT_ANONYMOUS:
        _check_anonymous(author=author, cohort=cohort, meeting=meeting)


def _check_anonymous(*, author: Membership, cohort: Cohort, meeting: Meeting | None) -> None:
    """Without a name is only without a name where at least k people could have written it."""
    k = group_size(author.organization)
    could = selectors.possible_authors(cohort=cohort, meeting=meeting)
    if could >= k:
        return
    if meeting is not None and meeting.invite_only:
        message = ngettext(
            "Only %(could)d person could have written about this meeting, fewer than %(k)d, so readers could "
            "tell it was you. Share it with your name, with the facilitators only, or keep it to yourself.",
            "Only %(could)d people could have written about this meeting, fewer than %(k)d, so readers could "
            "tell it was you. Share it with your name, with the facilitators only, or keep it to yourself.",
            could,
        )
    else:
        message = ngettext(
            "Only %(could)d person could have written this in %(cohort)s, fewer than %(k)d, so readers could "
            "tell it was you. Share it with your name, with the facilitators only, or keep it to yourself.",
            "Only %(could)d people could have written this in %(cohort)s, fewer than %(k)d, so readers could "
            "tell it was you. Share it with your name, with the facilitators only, or keep it to yourself.",
            could,
        )
    raise ValidationError(message % {"could": could, "k": k, "cohort": cohort.name})


def reflection_save(
    *,
    author: Membership,
    template_key: str,
    answers: dict[str, str],
    visibility: str,
    meeting: Meeting | None = None,
    cohort: Cohort | None = None,
    is_draft: bool = False,
    reflection: Reflection | None = None,
    reaches_later_members: bool = False,
    code_themes: list[str] = (),
) -> Reflection:
    """Create or update the author's reflection. A meeting implies its cohort.

    A share reaches the people in its cohort when it is shared; ``reaches_later_members``
    widens it to people who join later (see ``_mark_shared``). A new reflection replaces
    the draft kept as its author typed it (``reflections.drafts``), in the same transaction.
    ``code_themes``: for an NMC reflective account, the Code's themes it relates to."""
    template = template_for(author.organization, template_key)
    cohort = meeting.cohort if meeting is not None else cohort
    cleaned = _clean_answers(template, answers)
    themes = _clean_code_themes(template, list(code_themes))
    _check_sharing(author=author, cohort=cohort, meeting=meeting, visibility=visibility)
    if reflection is None:
        reflection = Reflection(organization=author.organization, author=author)
    elif reflection.author_id != author.pk:
        raise ValidationError(_("Only the author can change a reflection."))
    reflection.template_key, reflection.template_name = template.key, template.name
    reflection.meeting, reflection.cohort = meeting, cohort
    reflection.answers = cleaned
    reflection.code_themes = themes
    now = timezone.now()
    _mark_shared(reflection, visibility=visibility, is_draft=is_draft, cohort=cohort, now=now)
    reflection.visibility, reflection.is_draft = visibility, is_draft
    reflection.reaches_later_members = reaches_later_members
    reflection.updated_at = now
    with transaction.atomic():
        if reflection.pk is None:
            ReflectionDraft.objects.filter(
                author=author, place=meeting.public_id if meeting else "", template_key=template.key
            ).delete()
        reflection.save()
    return reflection


def _mark_shared(reflection: Reflection, *, visibility: str, is_draft: bool, cohort: Cohort | None, now) -> None:
    """Set ``shared_at`` when the reflection starts reaching people it did not reach
    before: first shared, published from a draft, shared in another way or with another
    cohort. The audience is then whoever is in the cohort at that moment, so someone who
    joins later does not read what was said before they came. Edits and narrowing keep
    the moment; making it private clears it."""
    shared_now = visibility in SHARED and not is_draft
    shared_before = reflection.pk is not None and reflection.visibility in SHARED and not reflection.is_draft
    if not shared_now:
        reflection.shared_at = None
    elif (
        not shared_before
        or reflection.shared_at is None
        or reflection.visibility != visibility
        or reflection.cohort_id != (cohort.pk if cohort else None)
    ):
        reflection.shared_at = now


def reflection_set_visibility(
    *, reflection: Reflection, author: Membership, visibility: str, reaches_later_members: bool = False
) -> Reflection:
    """Share, narrow or revoke at any time; ``reaches_later_members``: people who join the
    cohort later may read it too."""
    if reflection.author_id != author.pk:
        raise ValidationError(_("Only the author can change who reads a reflection."))
    _check_sharing(author=author, cohort=reflection.cohort, meeting=reflection.meeting, visibility=visibility)
    now = timezone.now()
    _mark_shared(reflection, visibility=visibility, is_draft=reflection.is_draft, cohort=reflection.cohort, now=now)
    reflection.visibility = visibility
    reflection.reaches_later_members = reaches_later_members
    reflection.updated_at = now
    reflection.save(update_fields=["visibility", "shared_at", "reaches_later_members", "updated_at"])
    return reflection


def reflection_pin(*, reflection: Reflection, author: Membership, pinned: bool) -> Reflection:
    if reflection.author_id != author.pk:
        raise ValidationError(_("Only the author can keep a reflection."))
    reflection.pinned = pinned
    if pinned:
        # Kept: its retention notice is done with. If it is ever un-kept, its author is
        # warned again before it can be deleted (reflections/retention.py).
        reflection.retention_notice = None
    reflection.save(update_fields=["pinned", "retention_notice"])
    return reflection


def reflection_delete(*, reflection: Reflection, author: Membership) -> None:
    if reflection.author_id != author.pk:
        raise ValidationError(_("Only the author can delete a reflection."))
    reflection.delete()


def reflection_template_create(
    *, organization: Organization, name: str, description: str, prompts: list[tuple[str, int]]
) -> ReflectionTemplate:
    """An organisation's own template: up to MAX_PROMPTS questions, each with a limit."""
    if not 1 <= len(prompts) <= MAX_PROMPTS:
        raise ValidationError(_("A template has between 1 and %(count)s questions.") % {"count": MAX_PROMPTS})
    if any(not 20 <= limit <= MAX_PROMPT_LENGTH for _, limit in prompts):
        raise ValidationError(
            _("Each answer's limit must be between 20 and %(length)s characters.") % {"length": MAX_PROMPT_LENGTH}
        )
    if ReflectionTemplate.objects.filter(organization=organization, name__iexact=name).exists():
        raise ValidationError(_("There is already a template called “%(name)s”.") % {"name": name})
    return ReflectionTemplate.objects.create(
        organization=organization,
        name=name,
        description=description,
        prompts=[{"key": f"q{i + 1}", "question": q, "max_length": limit} for i, (q, limit) in enumerate(prompts)],
    )


def meeting_set_not_recorded(*, meeting: Meeting, not_recorded: bool) -> Meeting:
    """A debrief the group chose not to record keeps no action points and no shared
    reflections: existing ones are removed (action points) or made private (reflections)."""
    with transaction.atomic():
        meeting.not_recorded = not_recorded
        meeting.save(update_fields=["not_recorded"])
        if not_recorded:
            ActionPoint.objects.filter(meeting=meeting).delete()
            Reflection.objects.filter(meeting=meeting).exclude(visibility=Visibility.PRIVATE).update(
                visibility=Visibility.PRIVATE, shared_at=None, updated_at=timezone.now()
            )
    return meeting


def action_point_add(*, meeting: Meeting, what: str, owner: Membership | None, due) -> ActionPoint:
    if meeting.not_recorded:
        raise ValidationError(_("This meeting is not recorded, so it keeps no action points."))
    return ActionPoint.objects.create(
        organization=meeting.organization, meeting=meeting, what=what.strip(), owner=owner, due=due
    )


def action_point_toggle(*, action_point: ActionPoint) -> ActionPoint:
    action_point.done = not action_point.done
    action_point.save(update_fields=["done"])
    return action_point
