"""The evaluation results of one meeting, as its facilitators (and the programme's
steering group) read them. A read module; the privacy rules live here:

* Nothing is shown while answers can still come in (the evaluation window): two looks a
  day apart would otherwise give one person's answer.
* Once the window has closed, the tallies are kept as first shown (``services.figures_keep``)
  so a deleted account cannot change them and be recovered by subtraction.
* The k rule (``figures.shown``): the table only where at least k people answered; a
  question's answer counts only where no answer was given by between 1 and k − 1
  people. Where one count would be hidden, all of that question's counts are: with the
  number of respondents shown, a single hidden count could be recovered by subtraction,
  and with the mean shown, so could two. Its mean, over k or more people, stays.
* Comments only where at least k people commented, in no stored order (shuffled at each
  showing), never with a name, a time or anything else about the writer.
"""

import random
from dataclasses import dataclass
from datetime import datetime

from accounts.models import Membership, group_size
from sessions_app.cohorts.models import Cohort, CohortMember
from sessions_app.cohorts.selectors import can_manage_cohort
from sessions_app.insights import figures, services
from sessions_app.insights.questions import AGREEMENT, EVALUATION_WINDOW, FREE_TEXT, LEGACY_KEYS, Question, question_of
from sessions_app.meetings.models import Meeting
from sessions_app.reflections.models import SessionEvaluation

LEGACY_ENTRIES = [{"key": key} for key in LEGACY_KEYS]


def may_read_programme_results(membership: Membership, cohort: Cohort) -> bool:
    """Who reads a cohort's evaluation results: its facilitators, the organisation's
    admins, and the members of the programme's steering group (figures above k only,
    like everyone else here)."""
    return can_manage_cohort(membership, cohort) or in_steering_group(membership, cohort)


def in_steering_group(membership: Membership, cohort: Cohort) -> bool:
    if cohort.steering_group_id is None:
        return False
    return CohortMember.objects.filter(
        cohort_id=cohort.steering_group_id, cohort__archived_at=None, membership=membership
    ).exists()


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    counts: tuple[tuple[str, int], ...] | None  # (answer label, people); None: hidden (under k)
    mean: float | None  # agreement questions only; None: under k


@dataclass(frozen=True)
class MeetingResults:
    state: str  # "open" (answers may still come in), "too_few" or "shown"
    closes_at: datetime
    respondents: int | None = None
    questions: tuple[QuestionResult, ...] = ()
    comments: tuple[str, ...] | None = None  # None: fewer than k people commented


def meeting_tallies(meeting: Meeting) -> tuple[dict, list[str]]:
    """Raw tallies of a meeting's evaluations: per question (in the newest questionnaire's
    order), how many gave each answer. Comments are read only where k or more wrote one."""
    rows = list(
        SessionEvaluation.objects.filter(meeting=meeting)
        .order_by("-questionnaire__version")
        .values_list("questionnaire__questions", "ratings")
    )
    questions: dict[str, dict] = {}
    for entries, ratings in rows:
        for entry in entries if entries is not None else LEGACY_ENTRIES:
            question = question_of(entry)
            if question.type == FREE_TEXT:
                continue
            tally = questions.setdefault(question.key, {"entry": entry, "counts": {}})
            answer = ratings.get(question.key)
            if answer is not None:
                tally["counts"][str(answer)] = tally["counts"].get(str(answer), 0) + 1
    people = len(rows)
    with_text = SessionEvaluation.objects.filter(meeting=meeting).exclude(comment="")
    commenters = with_text.count()
    texts = []
    if figures.shown(True, people=commenters, k=group_size(meeting.organization)):
        texts = list(with_text.values_list("comment", flat=True))
    tallies = {"respondents": people, "commenters": commenters, "questions": list(questions.values())}
    return tallies, texts


def _question_result(tally: dict, *, k: int) -> QuestionResult:
    question = question_of(tally["entry"])
    counts = {answer: n for answer, n in tally["counts"].items()}
    answered = sum(counts.values())
    labelled = tuple((str(label), counts.get(str(value), 0)) for value, label in question.choices)
    hidden = any(0 < n < k for n in counts.values()) or not figures.shown(True, people=answered, k=k)
    mean = None
    if question.type == AGREEMENT and answered:
        mean = figures.shown(round(sum(int(a) * n for a, n in counts.items()) / answered, 1), people=answered, k=k)
    return QuestionResult(question=question, counts=None if hidden else labelled, mean=mean)


def results_from(tallies: dict, texts: list[str], *, k: int, closes_at: datetime) -> MeetingResults:
    """The k rule applied to stored tallies (pure)."""
    respondents = tallies["respondents"]
    if not figures.shown(True, people=respondents, k=k):
        return MeetingResults(state="too_few", closes_at=closes_at)
    comments = None
    if texts and figures.shown(True, people=tallies["commenters"], k=k):
        comments = list(texts)
        random.SystemRandom().shuffle(comments)
    return MeetingResults(
        state="shown",
        closes_at=closes_at,
        respondents=respondents,
        questions=tuple(_question_result(t, k=k) for t in tallies["questions"]),
        comments=tuple(comments) if comments is not None else None,
    )


def _subject(meeting: Meeting) -> str:
    return f"meeting:{meeting.public_id}:evaluation"


def results_show(*, cohort: Cohort, meetings: list[Meeting], now: datetime) -> dict[int, MeetingResults]:
    """Each meeting's results (by meeting id) as they may be shown now (see the module's
    rules). One read of the kept tallies for all of them; a meeting shown for the first
    time is tallied and kept first."""
    organization, k = cohort.organization, group_size(cohort.organization)
    closed = [m for m in meetings if not m.is_cancelled and m.ends_at + EVALUATION_WINDOW <= now]

    def tally(meeting: Meeting):
        return lambda: meeting_tallies(meeting)

    stored = services.figures_keep(
        organization=organization, cohort=cohort, wanted={_subject(m): tally(m) for m in closed}, now=now
    )
    results = {}
    for meeting in meetings:
        closes_at = meeting.ends_at + EVALUATION_WINDOW
        if meeting.is_cancelled:
            results[meeting.pk] = MeetingResults(state="too_few", closes_at=closes_at)
        elif closes_at > now:
            results[meeting.pk] = MeetingResults(state="open", closes_at=closes_at)
        else:
            row = stored[_subject(meeting)]
            results[meeting.pk] = results_from(row.figures, row.texts, k=k, closes_at=closes_at)
    return results
