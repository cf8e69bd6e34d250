"""A video provider of our own on 127.0.0.1, for the tests: it speaks the documented shapes
of the two APIs Reflect calls, and checks each request as the real service would.

* Microsoft identity platform: ``POST {graph-login}/{tenant}/oauth2/v2.0/token`` (form:
  ``grant_type=client_credentials``, ``client_id``, ``client_secret``, ``scope`` ending
  ``/.default``) answers ``{"token_type": "Bearer", "expires_in", "access_token"}``.
* Microsoft Graph: ``POST /users/{id}/onlineMeetings/createOrGet`` (``externalId``
  required; 201 when created, 200 with the same meeting when the external id exists),
  ``PATCH`` (200, the meeting) and ``DELETE`` (204) ``/users/{id}/onlineMeetings/{meetingId}``.
  A meeting carries ``id``, ``externalId``, ``joinWebUrl``, ``startDateTime``,
  ``endDateTime``, ``subject``.
* Zoom Server-to-Server OAuth: ``POST {zoom-login}/oauth/token?grant_type=account_credentials&account_id=…``
  with HTTP Basic ``client_id:client_secret``.
* Zoom: ``POST /users/{userId}/meetings`` (type 2 needs ``start_time``, a positive
  ``duration``; 201 with ``id`` (a number) and ``join_url``), ``GET /users/{userId}/meetings``
  (``{"meetings": [...]}``), ``PATCH`` and ``DELETE /meetings/{id}`` (204).

Every API call must carry the bearer token the token endpoint gave; times must be ISO 8601
with a zone (``Z`` or an offset). A failing check answers 400 (or 401) and is kept in
``failures``. A test can queue answers (``fail_next``: 500, 429 with Retry-After, or a
pause longer than Reflect's timeout), and ``lose_next_answer`` makes the service do the
work and then answer 500, as when a reply is lost on the way back.
"""

from __future__ import annotations

import base64
import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlsplit

GRAPH_SCOPE = "https://graph.microsoft.com/.default"


@dataclass
class Call:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes


@dataclass
class Credentials:
    directory: str = "contoso-tenant"
    client_id: str = "reflect-app"
    client_secret: str = "s3cret-Value-Never-Logged"
    organizer: str = "rounds@contoso.example"


@dataclass
class FakeProvider:
    credentials: Credentials = field(default_factory=Credentials)
    calls: list[Call] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    graph_meetings: dict[str, dict] = field(default_factory=dict)
    zoom_meetings: dict[int, dict] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=set)
    queued: list[tuple[int, dict, float]] = field(default_factory=list)
    lose_answers: int = 0
    _ids: itertools.count = field(default_factory=lambda: itertools.count(85_000_000_001))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def settings(self) -> dict:
        """The Django settings that point Reflect at this server."""
        return {
            "VIDEO_GRAPH_LOGIN_URL": f"{self.origin}/graph-login",
            "VIDEO_GRAPH_API_URL": f"{self.origin}/graph/v1.0",
            "VIDEO_ZOOM_LOGIN_URL": f"{self.origin}/zoom-login",
            "VIDEO_ZOOM_API_URL": f"{self.origin}/zoom/v2",
            "VIDEO_ALLOWED_HOSTS": ["127.0.0.1"],
            "VIDEO_ALLOW_PLAIN_HTTP": True,
        }

    def fail_next(self, status: int, *, headers: dict | None = None, delay: float = 0.0, times: int = 1) -> None:
        """The next API calls (not token requests) answer ``status`` after ``delay`` seconds."""
        self.queued.extend([(status, headers or {}, delay)] * times)

    def api_calls(self, method: str | None = None) -> list[Call]:
        return [c for c in self.calls if "/oauth" not in c.path and (method is None or c.method == method)]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- the two APIs ------------------------------------------------------------------

    def answer(self, call: Call) -> tuple[int, dict, dict | None]:
        path = call.path
        if path.startswith("/graph-login/"):
            return self._graph_token(call)
        if path == "/zoom-login/oauth/token":
            return self._zoom_token(call)
        if not self._bearer_ok(call):
            return self._refuse("missing or unknown bearer token", status=401)
        with self._lock:
            queued = self.queued.pop(0) if self.queued else None
        if queued is not None:
            status, headers, delay = queued
            time.sleep(delay)
            return status, headers, {"error": {"code": "busy"}}
        status, headers, body = self._api(call)
        if self.lose_answers and status < 300:
            self.lose_answers -= 1
            return 500, {}, {"error": {"code": "lost"}}
        return status, headers, body

    def _api(self, call: Call) -> tuple[int, dict, dict | None]:
        parts = [unquote(part) for part in call.path.split("/")]
        if call.path.startswith("/graph/v1.0/users/"):
            if parts[4] != self.credentials.organizer:
                return self._refuse(f"unknown Graph user {parts[4]!r}", status=404)
            return self._graph(call, parts[5:])
        if call.path.startswith("/zoom/v2/users/") and call.method in ("POST", "GET"):
            if parts[4] != self.credentials.organizer or parts[5:] != ["meetings"]:
                return self._refuse(f"unknown Zoom path {call.path!r}", status=404)
            return self._zoom_create(call) if call.method == "POST" else self._zoom_list()
        if call.path.startswith("/zoom/v2/meetings/"):
            return self._zoom_meeting(call, parts[4])
        return self._refuse(f"no such endpoint {call.method} {call.path}", status=404)

    def _graph_token(self, call: Call):
        form = {k: v[0] for k, v in parse_qs(call.body.decode()).items()}
        expected = f"/graph-login/{quote(self.credentials.directory, safe='')}/oauth2/v2.0/token"
        ok = (
            call.method == "POST"
            and call.path == expected
            and form.get("grant_type") == "client_credentials"
            and form.get("client_id") == self.credentials.client_id
            and form.get("client_secret") == self.credentials.client_secret
            and form.get("scope") == GRAPH_SCOPE
        )
        if not ok:
            return self._refuse("Graph token request refused", status=401)
        return 200, {}, {"token_type": "Bearer", "expires_in": 3599, "access_token": self._new_token()}

    def _zoom_token(self, call: Call):
        basic = base64.b64encode(f"{self.credentials.client_id}:{self.credentials.client_secret}".encode()).decode()
        ok = (
            call.method == "POST"
            and call.query.get("grant_type") == ["account_credentials"]
            and call.query.get("account_id") == [self.credentials.directory]
            and call.headers.get("authorization") == f"Basic {basic}"
        )
        if not ok:
            return self._refuse("Zoom token request refused", status=401)
        token = self._new_token()
        return 200, {}, {"access_token": token, "token_type": "bearer", "expires_in": 3599, "scope": "meeting:write"}

    def _new_token(self) -> str:
        token = secrets.token_urlsafe(24)
        self.tokens.add(token)
        return token

    def _bearer_ok(self, call: Call) -> bool:
        header = call.headers.get("authorization", "")
        return header.startswith("Bearer ") and header.removeprefix("Bearer ") in self.tokens

    def _graph(self, call: Call, rest: list[str]):
        if rest == ["onlineMeetings", "createOrGet"] and call.method == "POST":
            body = self._body(call, required=("externalId", "startDateTime", "endDateTime", "subject"))
            if isinstance(body, tuple):
                return body
            with self._lock:
                for meeting in self.graph_meetings.values():
                    if meeting["externalId"] == body["externalId"]:
                        return 200, {}, meeting
                meeting_id = f"MSo{next(self._ids)}"
                meeting = {
                    "id": meeting_id,
                    "externalId": body["externalId"],
                    "joinWebUrl": f"https://teams.microsoft.com/l/meetup-join/{meeting_id}",
                    **{k: body[k] for k in ("startDateTime", "endDateTime", "subject")},
                }
                self.graph_meetings[meeting_id] = meeting
            return 201, {}, meeting
        if len(rest) == 2 and rest[0] == "onlineMeetings" and rest[1] in self.graph_meetings:
            if call.method == "DELETE":
                del self.graph_meetings[rest[1]]
                return 204, {}, None
            if call.method == "PATCH":
                body = self._body(call, required=("startDateTime", "endDateTime"))
                if isinstance(body, tuple):
                    return body
                self.graph_meetings[rest[1]].update(body)
                return 200, {}, self.graph_meetings[rest[1]]
        return self._refuse(f"no such Graph meeting {'/'.join(rest)}", status=404)

    def _zoom_create(self, call: Call):
        body = self._body(call, required=("type", "start_time", "duration", "timezone", "topic"), times=("start_time",))
        if isinstance(body, tuple):
            return body
        if body["type"] != 2 or not isinstance(body["duration"], int) or body["duration"] <= 0:
            return self._refuse("a scheduled meeting needs type 2 and a positive duration")
        with self._lock:
            meeting_id = next(self._ids)
            meeting = {
                "id": meeting_id,
                "uuid": secrets.token_urlsafe(12),
                "host_id": "host-1",
                "agenda": body.get("agenda", ""),
                "join_url": f"https://us02web.zoom.us/j/{meeting_id}",
                "start_url": f"https://us02web.zoom.us/s/{meeting_id}",
                **{k: body[k] for k in ("type", "start_time", "duration", "timezone", "topic")},
            }
            self.zoom_meetings[meeting_id] = meeting
        return 201, {}, meeting

    def _zoom_list(self):
        listed = [dict(m) for m in self.zoom_meetings.values()]
        return 200, {}, {"page_size": 300, "total_records": len(listed), "next_page_token": "", "meetings": listed}

    def _zoom_meeting(self, call: Call, meeting_id: str):
        key = int(meeting_id) if meeting_id.isdigit() else None
        if key not in self.zoom_meetings:
            return self._refuse(f"no such Zoom meeting {meeting_id}", status=404)
        if call.method == "DELETE":
            del self.zoom_meetings[key]
            return 204, {}, None
        if call.method == "PATCH":
            body = self._body(call, required=(), times=("start_time",))
            if isinstance(body, tuple):
                return body
            self.zoom_meetings[key].update(body)
            return 204, {}, None
        return self._refuse(f"{call.method} not allowed here", status=405)

    def _body(self, call: Call, *, required: tuple, times: tuple = ("startDateTime", "endDateTime")):
        if call.headers.get("content-type", "").split(";")[0] != "application/json":
            return self._refuse("the body must be JSON")
        try:
            body = json.loads(call.body)
        except ValueError:
            return self._refuse("the body is not JSON")
        missing = [name for name in required if name not in body]
        if missing:
            return self._refuse(f"missing {', '.join(missing)}")
        for name in times:
            if name in body and not _zoned_iso(body[name]):
                return self._refuse(f"{name} is not an ISO 8601 time with a zone: {body[name]!r}")
        return body

    def _refuse(self, reason: str, *, status: int = 400):
        self.failures.append(reason)
        return status, {}, {"error": {"code": "BadRequest", "message": reason}}


def _zoned_iso(value) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None
    except ValueError:
        return False


def _handler(service: FakeProvider):
    class Handler(BaseHTTPRequestHandler):
        def _serve(self):
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            call = Call(
                method=self.command,
                path=parts.path,  # as sent: quoted segments stay quoted
                query=parse_qs(parts.query),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            service.calls.append(call)
            status, headers, body = service.answer(call)
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if data:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_DELETE = _serve

        def log_message(self, format, *args):  # quiet: the tests read ``calls``
            pass

    return Handler
