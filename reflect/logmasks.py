"""Mask the secrets that travel in URL paths before a log line is written.

A calendar-feed token is the permission to read a person's meetings, an invitation token
the permission to join an organisation, and allauth's reset and confirmation keys the
permission to take over an account; a meeting's sign-in code (``/o/<org>/door/<code>/``)
signs people in for its hour. Each of them arrives in the path of a request, and
access logs (runserver, gunicorn) and Django's "Not Found: <path>" warnings write paths
out. Pure: no Django imports, so gunicorn's config can use it before Django is loaded.
"""

import logging
import re

MASK = "[masked]"

# Each pattern keeps what identifies the page and replaces only the secret part.
_SECRET_IN_PATH = re.compile(
    r"(?P<before>/calendar/)[^/\s?#\"']+(?P<after>\.ics)"
    r"|(?P<before2>/(?:invitations|accounts/password/reset/key|accounts/confirm-email|door)/)[^/\s?#\"']+"
)


def _mask(match: re.Match) -> str:
    if match.group("before"):
        return f"{match.group('before')}{MASK}{match.group('after')}"
    return f"{match.group('before2')}{MASK}"


def mask_secret_tokens(text: str) -> str:
    return _SECRET_IN_PATH.sub(_mask, text)


class MaskSecretTokens(logging.Filter):
    """A logging filter that rewrites the record's message with the tokens masked.

    The message is formatted here and the arguments dropped, so every handler after this
    filter (and every formatter, such as runserver's) sees only the masked text.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secret_tokens(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
