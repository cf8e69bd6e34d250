"""A pseudo-locale for tests: every string that goes through gettext comes back visibly
transformed ("Save" → "⟦Şáʋé⟧"), so a page rendered under it shows at a glance, and to a
test exactly, which English words never went through gettext.

It replaces the British English catalogue in Django's translation cache for the length
of a test, so whatever picks the language (LocaleMiddleware, a person's own choice) lands
on it without knowing about it."""

import re
from html.parser import HTMLParser

from django.utils.translation import trans_real

PSEUDO = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "áƀçđéƒĝĥíĵķĺɱñóþǫŕşŧúʋŵẋýžÁƁÇĐÉƑĜĤÍĴĶĹṀÑÓÞǪŔŞŦÚƲŴẊÝŽ",
)
# What a translation must carry over untouched: placeholders, tags and entities.
UNTOUCHED = re.compile(r"%\(\w+\)[sdfir]|%[sdfir%]|\{[^{}]*\}|<[^>]*>|&#?\w+;")
# A visible English word: two or more ASCII letters in a row.
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")


def pseudo(text: str) -> str:
    parts, last = [], 0
    for kept in UNTOUCHED.finditer(text):
        parts += [text[last : kept.start()].translate(PSEUDO), kept.group()]
        last = kept.end()
    parts.append(text[last:].translate(PSEUDO))
    return "⟦" + "".join(parts) + "⟧"


class PseudoTranslation(trans_real.DjangoTranslation):
    """British English's catalogue object, answering every lookup with the pseudo form.
    Counts what it transformed, for the coverage report."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.transformed: set[str] = set()

    def gettext(self, message):
        # pgettext asks for "context\x04message"; the context is not shown.
        shown = message.split(trans_real.CONTEXT_SEPARATOR, 1)[-1]
        self.transformed.add(shown)
        return pseudo(shown)

    def ngettext(self, singular, plural, number):
        shown = (singular if number == 1 else plural).split(trans_real.CONTEXT_SEPARATOR, 1)[-1]
        self.transformed.add(shown)
        return pseudo(shown)


# Attributes a person reads (or hears from a screen reader) besides the text itself.
READ_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")


class VisibleText(HTMLParser):
    """The text of a page a person reads: no script, style or code (machine text), the
    read attributes, the labels of buttons; an <option> whose label is its value (a time
    zone such as Europe/London) is an identifier, not prose."""

    SKIPPED = {"script", "style", "code", "pre", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skipping: list[str] = []
        self._option_value: str | None = None
        self.shown_values: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in self.SKIPPED:
            self._skipping.append(tag)
        for name in READ_ATTRIBUTES:
            if attributes.get(name):
                self.chunks.append(attributes[name])
        if tag == "input" and attributes.get("type") in {"submit", "button", "reset"} and attributes.get("value"):
            self.chunks.append(attributes["value"])
        elif tag == "input" and ("readonly" in attributes or "disabled" in attributes) and attributes.get("value"):
            # A value shown to copy (a calendar link, an authenticator secret): data.
            self.shown_values.append(attributes["value"])
        self._option_value = attributes.get("value") if tag == "option" else None

    def handle_endtag(self, tag):
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()
        if tag == "option":
            self._option_value = None

    def handle_data(self, data):
        if self._skipping:
            return
        if self._option_value is not None and data.strip() in {
            self._option_value,
            self._option_value.replace("_", " "),
        }:
            return
        self.chunks.append(data)


def visible_text(html: str) -> tuple[str, list[str]]:
    """The text a person reads, and the values the page shows to copy."""
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return "\n".join(parser.chunks), parser.shown_values


# Data shown as it was written, not words of the interface.
# Any address, dotted or not: the development default contact is reflect@localhost.
EMAIL_OR_URL = re.compile(r"\S+@[\w.-]+|\b(?:https?|webcal)://\S+")


def english_words(text: str, data_values: list[str]) -> list[str]:
    """The English words left in ``text`` once the data values and the transformed
    strings are taken out."""
    text = EMAIL_OR_URL.sub(" ", text)
    for value in data_values:  # longest first, so "Cohort 12" goes before "Cohort 1"
        text = text.replace(value, " ")
    return ENGLISH_WORD.findall(text)
