"""Session evaluations: one short, optional answer per attendee and meeting, reported
only over at least k people (``sessions_app.insights.results`` and ``figures``).

Who may answer (issue 13): the people who were there. Once a register was taken for a
meeting (any ``Attendance`` row: the door, the register, a walk-in), that is the register
alone: a walk-in can answer, and someone who said Going but was not marked present
cannot. Where no register was taken, the people who said Going, as before. A guest added
by name without an account has no way to sign in, so cannot answer in Reflect.
"""

from collections.abc import Mapping
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from sessions_app.attendance.models import Attendance
from sessions_app.insights.questionnaires import questionnaire_for_answering
from sessions_app.insights.questions import (
    AGREEMENT,
    EVALUATION_WINDOW,
    FREE_TEXT,
    HIGHEST,
    LOWEST,
    MAX_COMMENT_LENGTH,
    YES_NO_MAYBE,
    Question,
    question_of,
)
from sessions_app.meetings import selectors as meeting_selectors
from sessions_app.meetings.models import Meeting, Rsvp, RsvpStatus
from sessions_app.reflections.models import EvaluationQuestionnaire, SessionEvaluation

ALREADY = _("You have already evaluated this meeting. Thank you.")


def access_evaluated_meeting(membership: Membership, meeting_id: str) -> Meeting:
    """A meeting this person may see, or one they were marked present at (a walk-in to a
    cohort they are not in); 404 otherwise."""
    try:
        return meeting_selectors.access_meeting(membership, meeting_id)
    except Http404:
        meeting = (
            Meeting.objects.filter(public_id=meeting_id, cohort__archived_at=None, attendances__membership=membership)
            .select_related("cohort", "series", "organization")
            .first()
        )
        if meeting is None:
            raise
        return meeting


def was_there(meeting: Meeting, respondent: Membership) -> bool:
    """Present on the register where one was taken; else said Going (and may still attend)."""
    register = Attendance.objects.filter(meeting=meeting)
    if register.exists():
        return register.filter(membership=respondent).exists()
    going = Rsvp.objects.filter(meeting=meeting, membership=respondent, status=RsvpStatus.GOING).exists()
    return going and meeting_selectors.may_attend(meeting, respondent)


def evaluation_refusal(*, meeting: Meeting, respondent: Membership, now: datetime) -> str | None:
    """Why this person may not evaluate this meeting now, or None when they may."""
    if meeting.is_cancelled:
        return _("This meeting was cancelled, so there is nothing to evaluate.")
    if meeting.ends_at > now:
        return _("You can evaluate this meeting once it has ended.")
    if not was_there(meeting, respondent):
        return _("Only people who were at this meeting can evaluate it.")
    if SessionEvaluation.objects.filter(meeting=meeting, respondent=respondent).exists():
        return ALREADY
    if now > meeting.ends_at + EVALUATION_WINDOW:
        return _("Evaluations for this meeting closed %(days)d days after it ended.") % {"days": EVALUATION_WINDOW.days}
    return None


def questions_of(questionnaire: EvaluationQuestionnaire) -> list[Question]:
    return [question_of(entry) for entry in questionnaire.questions]


def _clean_answer(question: Question, raw: object) -> object:
    value = str(raw if raw is not None else "").strip()
    if question.type == AGREEMENT:
        if value.isdigit() and LOWEST <= int(value) <= HIGHEST:
            return int(value)
        raise ValidationError(
            _("Choose an answer from %(lowest)d to %(highest)d.") % {"lowest": LOWEST, "highest": HIGHEST}
        )
    if value in dict(YES_NO_MAYBE):
        return value
    raise ValidationError(_("Choose yes, no or maybe."))


def clean_ratings(questions: list[Question], ratings: Mapping[str, object]) -> dict[str, object]:
    """Every closed question answered, and nothing else; free text is the comment."""
    closed = [q for q in questions if q.type != FREE_TEXT]
    unknown = sorted(set(ratings) - {q.key for q in closed})
    if unknown:
        raise ValidationError(_("Unknown question: %(unknown)s.") % {"unknown": ", ".join(unknown)})
    cleaned, errors = {}, {}
    for question in closed:
        try:
            cleaned[question.key] = _clean_answer(question, ratings.get(question.key))
        except ValidationError as error:
            errors[question.key] = error
    if errors:
        raise ValidationError(errors)
    return cleaned


def evaluation_submit(
    *,
    meeting: Meeting,
    respondent: Membership,
    ratings: Mapping[str, object],
    comment: str = "",
    now: datetime | None = None,
    questionnaire: EvaluationQuestionnaire | None = None,
) -> SessionEvaluation:
    """Record one person's evaluation of a meeting they were at, once, after it ended.

    ``questionnaire``: the version the form showed (default: the cohort kind's current
    one). Every closed question needs an answer; the free-text answer is optional, stored
    encrypted, and only kept where the questionnaire asks one. Raises ``ValidationError``
    with a message meant for the person.
    """
    now = now or timezone.now()
    refusal = evaluation_refusal(meeting=meeting, respondent=respondent, now=now)
    if refusal:
        raise ValidationError(refusal)
    if questionnaire is None:
        questionnaire = questionnaire_for_answering(organization=meeting.organization, kind=meeting.cohort.kind)
    questions = questions_of(questionnaire)
    cleaned = clean_ratings(questions, ratings)
    comment = (comment or "").strip() if any(q.type == FREE_TEXT for q in questions) else ""
    if len(comment) > MAX_COMMENT_LENGTH:
        raise ValidationError(
            {
                "comment": _("Keep the comment to %(limit)d characters (it has %(length)d).")
                % {"limit": MAX_COMMENT_LENGTH, "length": len(comment)}
            }
        )
    try:
        with transaction.atomic():
            return SessionEvaluation.objects.create(
                organization_id=meeting.organization_id,
                meeting=meeting,
                respondent=respondent,
                questionnaire=questionnaire,
                ratings=cleaned,
                comment=comment,
                created_at=now,
            )
    except IntegrityError:
        # Two submissions at once: the unique constraint lets only one through.
        raise ValidationError(ALREADY) from None
