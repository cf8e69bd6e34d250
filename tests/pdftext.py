"""Turn a PDF back into text, so a test checks what a person would read in it."""

import io
import re

from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    """Every page's text, joined, with runs of whitespace made single spaces (PDF layout
    breaks lines wherever the page is full, so tests compare words, not line breaks)."""
    assert data[:5] == b"%PDF-", "not a PDF"
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return re.sub(r"\s+", " ", text).strip()


def pdf_pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)
