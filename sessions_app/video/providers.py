"""Talking to the video providers: Microsoft Graph (Teams online meetings) and Zoom.

Both use OAuth 2.0 client credentials: Graph at the tenant's token endpoint
(``/{tenant}/oauth2/v2.0/token``, scope ``https://graph.microsoft.com/.default``), Zoom
Server-to-Server OAuth (``/oauth/token?grant_type=account_credentials&account_id=…`` with
HTTP Basic). Then:

* Graph: ``POST /users/{organizer}/onlineMeetings/createOrGet`` with ``externalId`` (the
  link's public id, so a retried create returns the meeting already made), ``PATCH`` and
  ``DELETE /users/{organizer}/onlineMeetings/{id}``;
* Zoom: ``POST /users/{organizer}/meetings`` (type 2, a scheduled meeting), ``PATCH`` and
  ``DELETE /meetings/{id}``. Zoom has no external id, so the link's public id goes in the
  agenda, and a retry first looks among the organizer's upcoming meetings for it.

Every URL is checked against ``VIDEO_ALLOWED_HOSTS`` just before the request, and values
an admin typed are quoted into paths, never spliced: an admin cannot point Reflect at an
internal address. Nothing here logs a secret, a token or a response body.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlencode, urlsplit

import requests
from django.conf import settings

from sessions_app.video.models import ProviderKind, VideoProvider

GRAPH_SCOPE = "https://graph.microsoft.com/.default"


class ProviderError(Exception):
    """The provider refused (a 4xx other than 429): trying again will not help."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


class TransientError(Exception):
    """Unreachable, timed out, busy (5xx) or rate-limited (429): worth trying again, after
    ``retry_after`` seconds when the provider said so."""

    def __init__(self, message: str, *, retry_after: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class HostNotAllowed(ProviderError):
    """A URL outside VIDEO_ALLOWED_HOSTS (or not HTTPS): refused before any request."""


@dataclass(frozen=True)
class Slot:
    """What the provider is told about a meeting (times in UTC)."""

    marker: str  # the link's public id
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    subject: str

    def as_synced(self) -> dict:
        return {"start": _utc(self.starts_at), "end": _utc(self.ends_at), "subject": self.subject}


@dataclass(frozen=True)
class Created:
    external_id: str
    join_url: str


def check_url(url: str) -> str:
    """``url`` if it goes to an allowed provider host over HTTPS, else ``HostNotAllowed``."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    plain_allowed = settings.VIDEO_ALLOW_PLAIN_HTTP and parts.scheme == "http"
    allowed = {name.lower() for name in settings.VIDEO_ALLOWED_HOSTS}
    if not (parts.scheme == "https" or plain_allowed) or host not in allowed or parts.username or parts.password:
        raise HostNotAllowed(f"{host or 'that address'} is not an allowed video provider host")
    return url


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _segment(value: str) -> str:
    # An admin's value as one path segment: "/", "..", "@" and "?" cannot change the URL's shape.
    return quote(value, safe="")


def _retry_after(response: requests.Response) -> int | None:
    value = response.headers.get("Retry-After", "")
    return int(value) if value.isdigit() else None


def _send(method: str, url: str, **kwargs) -> requests.Response:
    """One request with a timeout and no redirects; the status sorted into what it means."""
    try:
        response = requests.request(
            method, check_url(url), timeout=settings.VIDEO_TIMEOUT_SECONDS, allow_redirects=False, **kwargs
        )
    except requests.Timeout:
        raise TransientError("timed out") from None
    except requests.RequestException:
        raise TransientError("could not connect") from None
    if response.status_code == 429 or response.status_code >= 500:
        raise TransientError(f"provider busy ({response.status_code})", retry_after=_retry_after(response))
    if response.status_code >= 300:
        raise ProviderError(f"provider refused ({response.status_code})", status=response.status_code)
    return response


def _json(response: requests.Response) -> dict:
    try:
        data = response.json()
    except ValueError:
        raise ProviderError("provider sent an unreadable answer") from None
    if not isinstance(data, dict):
        raise ProviderError("provider sent an unreadable answer")
    return data


class Graph:
    def __init__(self, provider: VideoProvider):
        self.provider = provider

    def _token(self) -> str:
        url = f"{settings.VIDEO_GRAPH_LOGIN_URL}/{_segment(self.provider.directory)}/oauth2/v2.0/token"
        form = {
            "grant_type": "client_credentials",
            "client_id": self.provider.client_id,
            "client_secret": self.provider.client_secret,
            "scope": GRAPH_SCOPE,
        }
        return str(_json(_send("POST", url, data=form)).get("access_token", ""))

    def _meetings_url(self) -> str:
        return f"{settings.VIDEO_GRAPH_API_URL}/users/{_segment(self.provider.organizer)}/onlineMeetings"

    def _headers(self) -> dict:
        return {"Authorization": f"Bearer {self._token()}"}

    def create(self, slot: Slot, *, retrying: bool) -> Created:
        body = {"externalId": slot.marker, **_graph_times(slot)}
        data = _json(_send("POST", f"{self._meetings_url()}/createOrGet", json=body, headers=self._headers()))
        return Created(external_id=str(data.get("id", "")), join_url=str(data.get("joinWebUrl", "")))

    def update(self, external_id: str, slot: Slot) -> None:
        url = f"{self._meetings_url()}/{_segment(external_id)}"
        _send("PATCH", url, json=_graph_times(slot), headers=self._headers())

    def delete(self, external_id: str) -> None:
        _send_delete(f"{self._meetings_url()}/{_segment(external_id)}", self._headers())


def _graph_times(slot: Slot) -> dict:
    return {"startDateTime": _utc(slot.starts_at), "endDateTime": _utc(slot.ends_at), "subject": slot.subject}


class Zoom:
    def __init__(self, provider: VideoProvider):
        self.provider = provider

    def _token(self) -> str:
        query = urlencode({"grant_type": "account_credentials", "account_id": self.provider.directory})
        auth = (self.provider.client_id, self.provider.client_secret)
        return str(
            _json(_send("POST", f"{settings.VIDEO_ZOOM_LOGIN_URL}/oauth/token?{query}", auth=auth)).get(
                "access_token", ""
            )
        )

    def _headers(self) -> dict:
        return {"Authorization": f"Bearer {self._token()}"}

    def create(self, slot: Slot, *, retrying: bool) -> Created:
        headers = self._headers()
        user_meetings = f"{settings.VIDEO_ZOOM_API_URL}/users/{_segment(self.provider.organizer)}/meetings"
        if retrying:  # an earlier attempt may have reached Zoom before the answer was lost
            found = self._find(user_meetings, slot.marker, headers)
            if found is not None:
                return found
        body = {"type": 2, "agenda": _agenda(slot.marker), **_zoom_times(slot)}
        data = _json(_send("POST", user_meetings, json=body, headers=headers))
        return Created(external_id=str(data.get("id", "")), join_url=str(data.get("join_url", "")))

    def _find(self, user_meetings: str, marker: str, headers: dict) -> Created | None:
        listing = _json(_send("GET", f"{user_meetings}?type=upcoming&page_size=300", headers=headers))
        for meeting in listing.get("meetings") or []:
            if isinstance(meeting, dict) and meeting.get("agenda") == _agenda(marker):
                return Created(external_id=str(meeting.get("id", "")), join_url=str(meeting.get("join_url", "")))
        return None

    def update(self, external_id: str, slot: Slot) -> None:
        url = f"{settings.VIDEO_ZOOM_API_URL}/meetings/{_segment(external_id)}"
        _send("PATCH", url, json=_zoom_times(slot), headers=self._headers())

    def delete(self, external_id: str) -> None:
        _send_delete(f"{settings.VIDEO_ZOOM_API_URL}/meetings/{_segment(external_id)}", self._headers())


def _agenda(marker: str) -> str:
    return f"Reflect meeting {marker}"


def _zoom_times(slot: Slot) -> dict:
    minutes = int((slot.ends_at - slot.starts_at).total_seconds() // 60)
    return {"start_time": _utc(slot.starts_at), "duration": minutes, "timezone": slot.time_zone, "topic": slot.subject}


def _send_delete(url: str, headers: dict) -> None:
    try:
        _send("DELETE", url, headers=headers)
    except ProviderError as error:
        # Already gone at the provider (deleted by hand): what was wanted is true.
        if error.status != 404:
            raise


def client(provider: VideoProvider) -> Graph | Zoom:
    return Graph(provider) if provider.kind == ProviderKind.TEAMS else Zoom(provider)
