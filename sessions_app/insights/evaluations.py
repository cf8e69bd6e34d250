"""Session evaluations: one short, optional answer per attendee and meeting, reported
only as averages over at least k people (``sessions_app.insights.figures``)."""

from collections.abc import Mapping
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from sessions_app.insights.questions import EVALUATION_WINDOW, HIGHEST, LOWEST, MAX_COMMENT_LENGTH, QUESTION_KEYS
from sessions_app.meetings.models import Meeting, Rsvp, RsvpStatus
from sessions_app.meetings.selectors import may_attend
from sessions_app.reflections.models import SessionEvaluation

ALREADY = _("You have already evaluated this meeting. Thank you.")


def evaluation_refusal(*, meeting: Meeting, respondent: Membership, now: datetime) -> str | None:
    """Why this person may not evaluate this meeting now, or None when they may."""
    if meeting.is_cancelled:
        return _("This meeting was cancelled, so there is nothing to evaluate.")
    if meeting.ends_at > now:
        return _("You can evaluate this meeting once it has ended.")
    went = Rsvp.objects.filter(meeting=meeting, membership=respondent, status=RsvpStatus.GOING).exists()
    if not went or not may_attend(meeting, respondent):
        return _("Only people who said they were going to this meeting can evaluate it.")
    if SessionEvaluation.objects.filter(meeting=meeting, respondent=respondent).exists():
        return ALREADY
    if now > meeting.ends_at + EVALUATION_WINDOW:
        return _("Evaluations for this meeting closed %(days)d days after it ended.") % {"days": EVALUATION_WINDOW.days}
    return None


def _clean_ratings(ratings: Mapping[str, object]) -> dict[str, int]:
    unknown = sorted(set(ratings) - set(QUESTION_KEYS))
    if unknown:
        raise ValidationError(_("Unknown question: %(unknown)s.") % {"unknown": ", ".join(unknown)})
    cleaned, errors = {}, {}
    for key in QUESTION_KEYS:
        try:
            value = int(str(ratings.get(key, "")).strip())
        except ValueError:
            value = None
        if value is None or not LOWEST <= value <= HIGHEST:
            errors[key] = _("Choose an answer from %(lowest)d to %(highest)d.") % {"lowest": LOWEST, "highest": HIGHEST}
        else:
            cleaned[key] = value
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
) -> SessionEvaluation:
    """Record one person's evaluation of a meeting they went to, once, after it ended.

    Every question needs an answer from 1 to 5; the comment is optional and stored
    encrypted. Raises ``ValidationError`` with a message meant for the person.
    """
    now = now or timezone.now()
    refusal = evaluation_refusal(meeting=meeting, respondent=respondent, now=now)
    if refusal:
        raise ValidationError(refusal)
    cleaned = _clean_ratings(ratings)
    comment = (comment or "").strip()
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
                ratings=cleaned,
                comment=comment,
                created_at=now,
            )
    except IntegrityError:
        # Two submissions at once: the unique constraint lets only one through.
        raise ValidationError(ALREADY) from None
