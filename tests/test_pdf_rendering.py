"""The shared PDF renderer (reflect/pdf.py): text survives the round trip, and a
template cannot make the server fetch anything."""

import pytest
from django.template import engines

from reflect import pdf
from tests.pdftext import pdf_pages, pdf_text

pytestmark = [pytest.mark.programmes, pytest.mark.evidence]


@pytest.fixture
def template(tmp_path, settings):
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0].get("DIRS", [])]}]
    engines._engines = {}
    engines.__dict__.pop("templates", None)

    def write(body: str) -> str:
        (tmp_path / "doc.html").write_text(body)
        return "doc.html"

    yield write
    engines._engines = {}
    engines.__dict__.pop("templates", None)


def test_text_survives_the_round_trip(template):
    name = template("<html><body><h1>Certificate</h1><p>{{ who }} — 3.5 hours, Ŵyn café</p></body></html>")
    data = pdf.render_pdf(name, {"who": "Ana Núñez"})
    assert pdf_pages(data) == 1
    assert pdf_text(data) == "Certificate Ana Núñez — 3.5 hours, Ŵyn café"


@pytest.mark.security
def test_a_template_cannot_fetch_files_or_urls(template, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    fetched = []
    name = template(
        f'<html><head><link rel="stylesheet" href="file://{secret}"></head><body>'
        f'<img src="http://127.0.0.1:9/x.png" alt=""><object data="file://{secret}"></object>'
        "<p>Hello</p></body></html>"
    )
    original = pdf._no_fetching

    def spy(url, *args, **kwargs):
        fetched.append(url)
        return original(url, *args, **kwargs)

    pdf._no_fetching = spy
    try:
        text = pdf_text(pdf.render_pdf(name, {}))
    finally:
        pdf._no_fetching = original
    assert "TOP SECRET" not in text
    assert text == "Hello"
    assert fetched, "WeasyPrint should have asked (and been refused)"
