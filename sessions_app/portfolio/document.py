"""One reflection as a document, the same for PDF and Word: the template's name, each
prompt's question with its answer, the date in the author's zone and language, and the
session it followed only when the author asks for it. Nothing of anyone else: no other
attendee, no facilitator, no comment."""

import re
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sessions_app.feedback.selectors import current_sign_offs
from sessions_app.reflections import services
from sessions_app.reflections.builtin_templates import CODE_THEMES, DATE
from sessions_app.reflections.models import Reflection

# XML 1.0 (a .docx) cannot hold control characters other than tab and line breaks; a PDF
# would show them as boxes. They carry no meaning in an answer, so they are dropped.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_BLANK_LINES = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class Section:
    question: str
    paragraphs: tuple[str, ...]  # each may hold single line breaks


@dataclass(frozen=True)
class Session:
    title: str
    cohort: str
    date: str


@dataclass(frozen=True)
class ReflectionDocument:
    title: str
    date: str
    sections: tuple[Section, ...]
    code_themes: tuple[str, ...]
    session: Session | None
    # Sign-offs given for the reflection as it is now (an earlier version's are left out:
    # they do not vouch for this text), each one line.
    sign_offs: tuple[str, ...] = ()


def paragraphs(text: str) -> tuple[str, ...]:
    """An answer's paragraphs, as its author separated them with blank lines."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return tuple(part.strip() for part in _BLANK_LINES.split(text) if part.strip())


def local_date(moment, time_zone: str) -> str:
    """A day as its reader says it, in the active language, in their own time zone."""
    return date_format(moment.astimezone(ZoneInfo(time_zone)).date(), "j F Y")


def _template(reflection: Reflection):
    try:
        return services.template_for(reflection.organization, reflection.template_key)
    except ValidationError:
        return None  # a deleted organisation template: its questions are gone, the answers stay


def _questions(reflection: Reflection, template) -> list[tuple[str, str]]:
    if template is None:
        return list(reflection.answers.items())
    return [(str(p.question), _answer(p, reflection.answers.get(p.key, ""))) for p in template.prompts]


def _answer(prompt, answer: str) -> str:
    """A date prompt's day as its reader says it ("1 March 2027"); text as written."""
    if prompt.kind != DATE or not answer:
        return answer
    try:
        return date_format(date.fromisoformat(answer), "j F Y")
    except ValueError:
        return answer


def reflection_document(*, reflection: Reflection, time_zone: str, include_session: bool) -> ReflectionDocument:
    """The document for one reflection, in the active language (that of its author)."""
    template = _template(reflection)
    sections = tuple(
        Section(question=question, paragraphs=paragraphs(answer))
        for question, answer in _questions(reflection, template)
        if answer.strip()
    )
    return ReflectionDocument(
        # The template's name in the author's language; a deleted template's name as kept.
        title=_CONTROL.sub("", str(template.name) if template else reflection.template_name),
        date=local_date(reflection.created_at, time_zone),
        sections=sections,
        code_themes=tuple(str(CODE_THEMES[key]) for key in reflection.code_themes if key in CODE_THEMES),
        session=_session(reflection, time_zone) if include_session else None,
        sign_offs=_sign_offs(reflection, time_zone),
    )


def _sign_offs(reflection: Reflection, time_zone: str) -> tuple[str, ...]:
    lines = []
    for sign_off in current_sign_offs(reflection):
        number = f", {sign_off.get_number_kind_display()} {sign_off.professional_number}"
        lines.append(
            _("“I confirm this reflective discussion took place on %(day)s.” %(name)s%(number)s, signed %(signed)s")
            % {
                "day": date_format(sign_off.discussed_on, "j F Y"),
                "name": _CONTROL.sub("", sign_off.signer_name),
                "number": number if sign_off.professional_number else "",
                "signed": local_date(sign_off.signed_at, time_zone),
            }
        )
    return tuple(lines)


def _session(reflection: Reflection, time_zone: str) -> Session | None:
    meeting = reflection.meeting
    if meeting is not None:
        return Session(
            title=meeting.display_title,
            cohort=meeting.cohort.name,
            date=local_date(meeting.starts_at, time_zone),
        )
    if reflection.cohort is not None:
        return Session(title="", cohort=reflection.cohort.name, date="")
    return None


def safe_filename(stem: str, moment, time_zone: str, extension: str) -> str:
    """An ASCII file name: letters, digits and hyphens, then the day written."""
    day = moment.astimezone(ZoneInfo(time_zone)).date()
    return f"{stem}-{day:%Y-%m-%d}.{extension}"
