"""Calendar-feed and invitation tokens are the permission to read a person's calendar or
to join an organisation: whoever reads the application's logs must not find them there."""

import io
import logging
import runpy
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.servers.basehttp import WSGIRequestHandler
from django.utils.log import ServerFormatter
from gunicorn.config import Config
from gunicorn.glogging import Logger as GunicornLogger

from reflect.logmasks import mask_secret_tokens
from reflect.settings import BASE_DIR

FEED_TOKEN = "Zk3v9Qw-_Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr"
INVITATION_TOKEN = "Yx1_-Wv2Ut3Sr4Qp5On6Ml7Kj8Ih9Gf0Ed1Cb2Az3"
RESET_KEY = "3-cg9x2s-0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d"


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        (f"GET /calendar/{FEED_TOKEN}.ics HTTP/1.1", "GET /calendar/[masked].ics HTTP/1.1"),
        (f"GET /calendar/{FEED_TOKEN}.ics?x=1 HTTP/1.1", "GET /calendar/[masked].ics?x=1 HTTP/1.1"),
        (f"POST /invitations/{INVITATION_TOKEN}/ HTTP/1.1", "POST /invitations/[masked]/ HTTP/1.1"),
        (f"Not Found: /invitations/{INVITATION_TOKEN}", "Not Found: /invitations/[masked]"),
        (
            f"GET /accounts/password/reset/key/{RESET_KEY}/ HTTP/1.1",
            "GET /accounts/password/reset/key/[masked]/ HTTP/1.1",
        ),
        (f"GET /accounts/confirm-email/{RESET_KEY}/ HTTP/1.1", "GET /accounts/confirm-email/[masked]/ HTTP/1.1"),
        ("GET /o/st-marys/calendar/ HTTP/1.1", "GET /o/st-marys/calendar/ HTTP/1.1"),
        ("GET /invitations/ HTTP/1.1", "GET /invitations/ HTTP/1.1"),
        # A meeting's sign-in code (issue 13): the page to type one stays readable.
        ("GET /o/st-marys/door/ABCDEF23/ HTTP/1.1", "GET /o/st-marys/door/[masked]/ HTTP/1.1"),
        ("POST /o/st-marys/door/ HTTP/1.1", "POST /o/st-marys/door/ HTTP/1.1"),
    ],
)
def test_mask_secret_tokens_hides_only_the_token(line, masked):
    assert mask_secret_tokens(line) == masked


@pytest.fixture
def runserver_log():
    """What the runserver access log handler (as reflect/settings.py configures it) writes."""
    # pytest adds its own capture handlers beside it; ours has runserver's formatter.
    (handler,) = [h for h in logging.getLogger("django.server").handlers if isinstance(h.formatter, ServerFormatter)]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


def _runserver_logs(request_line: str, status: str) -> None:
    # The development server's own request handler, minus the socket.
    handler = WSGIRequestHandler.__new__(WSGIRequestHandler)
    handler.request = None
    handler.log_message('"%s" %s %s', request_line, status, "512")


@pytest.mark.security
@pytest.mark.parametrize("status", ["200", "404"])
def test_runserver_access_log_masks_feed_and_invitation_tokens(runserver_log, status):
    _runserver_logs(f"GET /calendar/{FEED_TOKEN}.ics HTTP/1.1", status)
    _runserver_logs(f"GET /invitations/{INVITATION_TOKEN}/ HTTP/1.1", status)
    written = runserver_log.getvalue()
    assert FEED_TOKEN not in written
    assert INVITATION_TOKEN not in written
    assert f'"GET /calendar/[masked].ics HTTP/1.1" {status} 512' in written
    assert f'"GET /invitations/[masked]/ HTTP/1.1" {status} 512' in written


@pytest.mark.security
@pytest.mark.django_db
def test_not_found_warning_masks_the_token(client, caplog):
    # Django logs every 404 with its path: a mistyped or revoked token would be written out.
    with caplog.at_level(logging.WARNING, logger="django.request"):
        feed = client.get(f"/calendar/{FEED_TOKEN}.ics")
        invitation = client.get(f"/invitations/{INVITATION_TOKEN}/")
    assert (feed.status_code, invitation.status_code) == (404, 404)
    assert [record.getMessage() for record in caplog.records if record.name == "django.request"] == [
        "Not Found: /calendar/[masked].ics",
        "Not Found: /invitations/[masked]/",
    ]
    assert FEED_TOKEN not in caplog.text
    assert INVITATION_TOKEN not in caplog.text


@pytest.mark.security
def test_gunicorn_access_log_masks_feed_and_invitation_tokens(capsys):
    # gunicorn reads ./gunicorn.conf.py; its post_fork hook adds the mask in each worker.
    hooks = runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))
    cfg = Config()
    cfg.set("accesslog", "-")
    access = GunicornLogger(cfg)
    hooks["post_fork"](server=None, worker=None)
    for path in (f"/calendar/{FEED_TOKEN}.ics", f"/invitations/{INVITATION_TOKEN}/"):
        environ = {
            "REQUEST_METHOD": "GET",
            "RAW_URI": path,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "192.0.2.7",
        }
        response = SimpleNamespace(status="200 OK", status_code=200, response_length=512, headers=(), sent=512)
        access.access(response, [], environ, timedelta(milliseconds=3))
    written = capsys.readouterr().out
    assert FEED_TOKEN not in written
    assert INVITATION_TOKEN not in written
    assert '"GET /calendar/[masked].ics HTTP/1.1" 200 512' in written
    assert '"GET /invitations/[masked]/ HTTP/1.1" 200 512' in written
