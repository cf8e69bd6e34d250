"""Development only (DEBUG): read the e-mails the file backend wrote to var/mail/, so a
newcomer can follow an invitation or a reminder without a mail server."""

from email import policy
from email.parser import BytesParser
from pathlib import Path

from django.conf import settings
from django.http import Http404
from django.shortcuts import render

MAX_SHOWN = 50


def _messages() -> list[dict]:
    folder = Path(settings.EMAIL_FILE_PATH)
    files = sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True) if folder.exists() else []
    shown = []
    for path in files[:MAX_SHOWN]:
        # The file backend appends each message followed by a line of 79 dashes.
        for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if raw.strip():
                shown.append(_summary(BytesParser(policy=policy.default).parsebytes(raw.lstrip())))
    return shown[:MAX_SHOWN]


def _summary(message) -> dict:
    body = message.get_body(preferencelist=("plain",))
    return {
        "subject": message["Subject"],
        "to": message["To"],
        "date": message["Date"],
        "message_id": message["Message-ID"],
        "text": body.get_content() if body else "",
        "attachments": [part.get_filename() for part in message.iter_attachments()],
    }


def dev_mail(request):
    if not settings.DEBUG or settings.EMAIL_BACKEND != "django.core.mail.backends.filebased.EmailBackend":
        raise Http404("Only in development with the file e-mail backend.")
    return render(request, "dev_mail.html", {"messages_sent": _messages(), "folder": settings.EMAIL_FILE_PATH})
