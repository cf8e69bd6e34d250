"""The session evaluation: pure data. Four short statements in the spirit of the Schwartz
Rounds evaluation form, each answered on a 1–5 agreement scale. Answers are only ever
reported as averages over at least k people (``sessions_app.insights.figures``)."""

from dataclasses import dataclass
from datetime import timedelta

SCALE = (
    (1, "Strongly disagree"),
    (2, "Disagree"),
    (3, "Neither agree nor disagree"),
    (4, "Agree"),
    (5, "Strongly agree"),
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
    Question("insight", "I gained insight into how others think and feel about their work.", "Insight into others"),
    Question("relevance", "What was discussed was relevant to my own work.", "Relevant to my work"),
    Question("support", "I feel more able to support, and be supported by, my colleagues.", "Support"),
    Question("safety", "It felt safe to speak openly.", "Safe to speak"),
)
QUESTION_KEYS = tuple(q.key for q in QUESTIONS)
