"""A reflection as a Word document (.docx) through python-docx. Headings use Word's own
heading styles, so a portfolio system that imports it keeps the structure; the document's
properties carry its title and nothing of the organisation."""

import io

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from docx import Document

from sessions_app.portfolio.document import ReflectionDocument


def reflection_docx(document: ReflectionDocument) -> bytes:
    word = Document()
    _properties(word, title=document.title)
    word.add_heading(document.title, level=1)
    word.add_paragraph(document.date)
    if document.session is not None:
        _session(word, document)
    for section in document.sections:
        word.add_heading(section.question, level=2)
        for paragraph in section.paragraphs:
            _paragraph(word, paragraph)
    if document.code_themes:
        word.add_heading(_("Themes of the Code"), level=2)
        for theme in document.code_themes:
            word.add_paragraph(theme, style="List Bullet")
    if document.sign_offs:
        word.add_heading(_("Sign-off"), level=2)
        for line in document.sign_offs:
            word.add_paragraph(line, style="List Bullet")
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _properties(word, *, title: str) -> None:
    # python-docx's blank document says it was written by "python-docx"; a portfolio
    # names no one and nothing but its title.
    properties = word.core_properties
    properties.title = title
    properties.author = ""
    properties.last_modified_by = ""
    properties.comments = ""
    properties.keywords = ""
    properties.subject = ""
    properties.category = ""
    properties.language = get_language() or ""


def _session(word, document: ReflectionDocument) -> None:
    session = document.session
    word.add_heading(_("The session it followed"), level=2)
    for label, value in ((_("Session"), session.title), (_("Cohort"), session.cohort), (_("Date"), session.date)):
        if value:
            word.add_paragraph(f"{label}: {value}")


def _paragraph(word, text: str) -> None:
    """One paragraph; single line breaks inside it stay line breaks."""
    paragraph = word.add_paragraph()
    for index, line in enumerate(text.split("\n")):
        if index:
            paragraph.add_run().add_break()
        paragraph.add_run(line)
