"""Keeping a provider meeting in step with its meeting: the Celery task and the one step
it runs (``video_link_sync``): create, move or delete, whatever the link still lacks.

The join URL reaches people through ``Meeting.video_url``
(``meetings.services.meeting_video_url_set``), so e-mails, ICS and the feed carry it as
they carry a pasted link. The task takes the link's id only and loads the provider's
secret itself: no secret, token or response body goes through the broker or into a log.

Retries: unreachable, timed out, 5xx and 429 are tried again, after the provider's
Retry-After when it sent one, else after 15, 30, 60, 120 then 240 seconds (never more than
``MAX_COUNTDOWN``: no long countdown sits in the broker); after ``MAX_RETRIES`` the link
is marked failed, and its meeting's facilitators see so.
"""

import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from accounts.models import Organization
from sessions_app.meetings.models import Meeting
from sessions_app.meetings.services import meeting_video_url_set
from sessions_app.video import providers
from sessions_app.video.models import LinkState, VideoLink, VideoProvider

logger = logging.getLogger(__name__)

MAX_RETRIES = 5
FIRST_COUNTDOWN = 15
MAX_COUNTDOWN = 240
# Longer than one run can take: a token, a look for an earlier attempt's meeting and the
# create, each within VIDEO_TIMEOUT_SECONDS (10 s).
LEASE_SECONDS = 60


def organization_provider(organization: Organization) -> VideoProvider | None:
    return VideoProvider.objects.filter(organization=organization).first()


def retry_countdown(*, retries: int, retry_after: int | None) -> int:
    """Seconds before the next attempt: the provider's Retry-After if it gave one, else
    doubling from ``FIRST_COUNTDOWN``; never over ``MAX_COUNTDOWN``."""
    wanted = retry_after if retry_after is not None else FIRST_COUNTDOWN * 2**retries
    return max(1, min(MAX_COUNTDOWN, wanted))


def _slot(link: VideoLink, meeting: Meeting) -> providers.Slot:
    return providers.Slot(
        marker=link.public_id,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        time_zone=meeting.time_zone,
        subject=meeting.display_title,
    )


def video_link_sync(*, link: VideoLink, now: datetime | None = None) -> str:
    """One step towards what the meeting needs: delete for a cancelled meeting, create
    for a link without a provider meeting, move when the time or subject changed.
    Returns what was done. Raises ``providers.TransientError`` for the task to retry."""
    now = now or timezone.now()
    meeting = link.meeting
    provider = organization_provider(link.organization)
    if meeting.is_cancelled:
        return _delete(link, provider, now)
    if provider is None or provider.kind != link.provider:
        return "no provider"
    slot = _slot(link, meeting)
    if not link.external_id:
        return _create(link, meeting, provider, slot, now)
    if link.synced != slot.as_synced() and meeting.ends_at > now:
        providers.client(provider).update(link.external_id, slot)
        _save(link, now, synced=slot.as_synced(), state=LinkState.READY, last_error="")
        return "updated"
    return "in step"


def _create(link: VideoLink, meeting: Meeting, provider: VideoProvider, slot: providers.Slot, now: datetime) -> str:
    retrying = link.attempts > 0
    # Counted (and committed) before the request: a crash after the provider answered
    # leaves a trace that the next attempt must look for the meeting first.
    _save(link, now, attempts=link.attempts + 1)
    created = providers.client(provider).create(slot, retrying=retrying)
    if not created.external_id or not created.join_url.startswith("https://"):
        raise providers.ProviderError("provider sent no meeting id or link")
    # The provider's id is stored before anything else, so no later failure loses it.
    _save(link, now, external_id=created.external_id, join_url=created.join_url, synced=slot.as_synced())
    with transaction.atomic():
        _save(link, now, state=LinkState.READY, last_error="")
        # Fresh and locked: a change made while the provider answered keeps its SEQUENCE
        # and this one comes after it.
        fresh = Meeting.objects.select_for_update(of=("self",)).select_related("series", "cohort").get(pk=meeting.pk)
        meeting_video_url_set(meeting=fresh, url=created.join_url, now=now)
    return "created"


def _delete(link: VideoLink, provider: VideoProvider | None, now: datetime) -> str:
    if link.external_id and provider is not None and provider.kind == link.provider:
        providers.client(provider).delete(link.external_id)
    _save(link, now, state=LinkState.CANCELLED, last_error="")
    return "deleted"


def video_link_failed(*, link: VideoLink, reason: str, now: datetime | None = None) -> None:
    """Give up: the facilitators see that the link could not be made, and why."""
    _save(link, now or timezone.now(), state=LinkState.FAILED, last_error=reason[:200])


def video_link_attempt_failed(*, link: VideoLink, reason: str, now: datetime | None = None) -> None:
    _save(link, now or timezone.now(), last_error=reason[:200])


def _save(link: VideoLink, now: datetime, **fields) -> None:
    for name, value in fields.items():
        setattr(link, name, value)
    link.updated_at = now
    link.save(update_fields=[*fields, "updated_at"])


@shared_task(name="sessions_app.sync_video_link", bind=True, ignore_result=True, max_retries=MAX_RETRIES)
def sync_video_link(self, *, link_id: int) -> None:
    # A task carries only the link's id: its organisation is read from that one row, and
    # everything after happens inside that organisation's scope.
    with scopes_disabled():
        link = VideoLink.objects.select_related("organization", "meeting").filter(pk=link_id).first()
    if link is None:
        return
    with scope(organization=link.organization):
        if not _claim(link):
            # Another task is at work on this link; this one's change is looked at after it.
            if self.request.retries < MAX_RETRIES:
                raise self.retry(countdown=LEASE_SECONDS)
            return
        try:
            transient = _run(link)
        finally:
            VideoLink.objects.filter(pk=link.pk).update(busy_until=None)
        if transient is not None:  # after letting go of the link, so that the retry may claim it
            _retry_or_give_up(self, link, transient)


def _claim(link: VideoLink) -> bool:
    now = timezone.now()
    free = Q(busy_until__isnull=True) | Q(busy_until__lt=now)
    return VideoLink.objects.filter(free, pk=link.pk).update(busy_until=now + timedelta(seconds=LEASE_SECONDS)) == 1


def _run(link: VideoLink) -> providers.TransientError | None:
    try:
        done = video_link_sync(link=link)
    except providers.TransientError as error:
        return error
    except providers.ProviderError as error:
        logger.warning("video link %s: %s; not retried", link.public_id, error)
        video_link_failed(link=link, reason=str(error))
    else:
        logger.info("video link %s: %s", link.public_id, done)
    return None


def _retry_or_give_up(task, link: VideoLink, error: providers.TransientError) -> None:
    if task.request.retries >= MAX_RETRIES:
        logger.warning("video link %s: %s; giving up after %d attempts", link.public_id, error, MAX_RETRIES + 1)
        video_link_failed(link=link, reason=str(error))
        return
    video_link_attempt_failed(link=link, reason=str(error))
    countdown = retry_countdown(retries=task.request.retries, retry_after=error.retry_after)
    logger.info("video link %s: %s; trying again in %d s", link.public_id, error, countdown)
    raise task.retry(countdown=countdown)
