"""The session evaluation: pure data. Built-in questions (worded here, so they are
translated), the default questionnaire of each cohort kind, and the answer scales.
Answers are only ever reported over at least k people (``sessions_app.insights.figures``
and ``sessions_app.insights.results``)."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils.translation import gettext_lazy as _

SCALE = (
    (1, _("Strongly disagree")),
    (2, _("Disagree")),
    (3, _("Neither agree nor disagree")),
    (4, _("Agree")),
    (5, _("Strongly agree")),
)
LOWEST, HIGHEST = SCALE[0][0], SCALE[-1][0]
YES_NO_MAYBE = (("yes", _("Yes")), ("no", _("No")), ("maybe", _("Maybe")))
MAX_COMMENT_LENGTH = 1000
MAX_QUESTIONS = 12

# How long after a meeting its attendees may evaluate it. Once every meeting of a month is
# past this, the month's figures can no longer change (see ``insights``).
EVALUATION_WINDOW = timedelta(days=14)

# Question types; the same strings as ``reflections.models.QuestionType`` (a pure module
# cannot import models; tests/insights/test_questionnaires.py checks they agree).
AGREEMENT = "scale"
ATTEND_AGAIN = "yes_no_maybe"
FREE_TEXT = "text"


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    short: str  # column heading and chart label
    type: str = AGREEMENT

    @property
    def choices(self) -> tuple[tuple[object, str], ...]:
        return {AGREEMENT: SCALE, ATTEND_AGAIN: YES_NO_MAYBE}.get(self.type, ())


BUILT_IN: dict[str, Question] = {
    q.key: q
    for q in (
        Question(
            "insight",
            _("I gained insight into how others think and feel about their work."),
            _("Insight into others"),
        ),
        Question("relevance", _("What was discussed was relevant to my own work."), _("Relevant to my work")),
        Question("support", _("I feel more able to support, and be supported by, my colleagues."), _("Support")),
        Question("safety", _("It felt safe to speak openly."), _("Safe to speak")),
        Question(
            "less_isolated",
            _("I feel less isolated and more supported in my work."),
            _("Less isolated"),
        ),
        Question("attend_again", _("Do you plan to attend again?"), _("Attend again"), ATTEND_AGAIN),
        Question("comments", _("Any other comments? (optional)"), _("Comments"), FREE_TEXT),
    )
}

# What every evaluation asked before questionnaires could be edited (issue 13): the
# monthly insights average these four, and old answers were given to them.
QUESTIONS: tuple[Question, ...] = tuple(BUILT_IN[key] for key in ("insight", "relevance", "support", "safety"))
QUESTION_KEYS = tuple(q.key for q in QUESTIONS)
LEGACY_KEYS = (*QUESTION_KEYS, "comments")

# The standard post-Round form of Schwartz Rounds; every other kind keeps the four above.
DEFAULT_KEYS = {"schwartz_rounds": ("relevance", "insight", "less_isolated", "attend_again", "comments")}


def default_keys(kind: str) -> tuple[str, ...]:
    return DEFAULT_KEYS.get(kind, LEGACY_KEYS)


def question_of(entry: dict) -> Question:
    """A stored question ({key, type, text, short}); empty wording is the built-in one,
    so the built-in questions stay translated into the reader's language."""
    built_in = BUILT_IN.get(entry["key"])
    return Question(
        key=entry["key"],
        text=entry.get("text") or (built_in.text if built_in else entry["key"]),
        short=entry.get("short") or (built_in.short if built_in else entry["key"]),
        type=entry.get("type") or (built_in.type if built_in else AGREEMENT),
    )


def meaning(entry: dict) -> tuple[str, str, str]:
    """What an answer to this question means: its wording and type. Two entries with the
    same key and meaning may be counted together; a different meaning never is."""
    # The stored strings, not the translated ones: a blank wording is "the built-in one",
    # whatever language the reader uses.
    return (entry.get("text", ""), entry.get("short", ""), question_of(entry).type)
