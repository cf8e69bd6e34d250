"""The session evaluation: pure data. Four short statements in the spirit of the Schwartz
Rounds evaluation form, each answered on a 1–5 agreement scale. Answers are only ever
reported as averages over at least k people (``sessions_app.insights.figures``)."""

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
MAX_COMMENT_LENGTH = 1000

# How long after a meeting its attendees may evaluate it. Once every meeting of a month is
# past this, the month's figures can no longer change (see ``insights``).
EVALUATION_WINDOW = timedelta(days=14)


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    short: str  # column heading and chart label


QUESTIONS: tuple[Question, ...] = (
    Question(
        "insight", _("I gained insight into how others think and feel about their work."), _("Insight into others")
    ),
    Question("relevance", _("What was discussed was relevant to my own work."), _("Relevant to my work")),
    Question("support", _("I feel more able to support, and be supported by, my colleagues."), _("Support")),
    Question("safety", _("It felt safe to speak openly."), _("Safe to speak")),
)
QUESTION_KEYS = tuple(q.key for q in QUESTIONS)
