"""An e-mail body rendered once for everyone it says the same thing to, then filled in per
person: a reminder of one meeting reads alike for its 200 recipients but for their name and
their signed links (one-tap answers, unsubscribe). Rendering the two templates is most of
what a message costs to prepare, so a sweep renders each (language, kind, meeting, zone,
organisation) once, with marks where the personal values go, and fills the marks in.

The marks are letters and digits around a random per-process nonce: nothing a template or
an escape changes, and nothing a meeting title could contain by chance or on purpose. Each
value goes in as the template would have put it: escaped in the HTML, as it is in the text.
tests/notifications/test_stencils.py checks that a filled stencil is the very message a
fresh render gives.
"""

import re
import secrets
from dataclasses import dataclass

from django.template.loader import get_template
from django.utils.html import escape

TEXT = "sessions_app/email/notification.txt"
HTML = "sessions_app/email/notification.html"

_NONCE = secrets.token_hex(8)
_MARK = re.compile(rf"zq{_NONCE}n(\d+)zq")


def mark(n: int) -> str:
    return f"zq{_NONCE}n{n}zq"


def render(context: dict) -> tuple[str, str]:
    """The plain-text and HTML bodies, from the loader's compiled templates."""
    return get_template(TEXT).render(context), get_template(HTML).render(context)


@dataclass(frozen=True)
class Stencil:
    subject: str
    text: str
    html: str

    def fill(self, values: list[str]) -> tuple[str, str]:
        """The bodies with mark ``n`` replaced by ``values[n]``, in one pass, so that a
        value is never searched for marks in turn."""
        escaped = [escape(value) for value in values]
        return (
            _MARK.sub(lambda found: values[int(found.group(1))], self.text),
            _MARK.sub(lambda found: escaped[int(found.group(1))], self.html),
        )
