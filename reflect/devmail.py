"""Development only (DEBUG): read the e-mails the file backend wrote to var/mail/, so a
newcomer can follow an invitation or a reminder without a mail server.

These e-mails hold password-reset and invitation links: whoever reads them can take over
the accounts they were sent to. A development server may be bound to 0.0.0.0 (the README
offers it) and ``Host: localhost`` is easy to send, so the page opens only to a signed-in
superuser whose connection comes from this machine, and only with DEBUG on.
"""

import ipaddress
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


def _is_loopback(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    # An IPv4 client of a dual-stack socket arrives as ::ffff:127.0.0.1.
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


def may_read_dev_mail(request) -> bool:
    # REMOTE_ADDR is the socket's peer, never a header: a remote client cannot forge it.
    # A proxy on this machine would make everyone loopback, hence the superuser as well.
    return (
        settings.DEBUG
        and settings.EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend"
        and _is_loopback(request.META.get("REMOTE_ADDR", ""))
        and request.user.is_authenticated
        and request.user.is_superuser
    )


def dev_mail(request):
    if not may_read_dev_mail(request):
        # The same 404 for every refusal: the page does not say what would open it.
        raise Http404("Only in development with the file e-mail backend.")
    return render(request, "dev_mail.html", {"messages_sent": _messages(), "folder": settings.EMAIL_FILE_PATH})
