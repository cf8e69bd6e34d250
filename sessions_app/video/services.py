"""Video links: the admin's provider, which meetings want a provider link, and keeping
each provider meeting in step with its meeting.

The meetings package never imports this one: it announces changes through
``meetings.signals`` and the receivers here (connected by ``connect``) queue a
``sync_video_link`` task (``video.sync``) on commit.
"""

from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.models import Organization, User
from sessions_app.meetings import signals as meeting_signals
from sessions_app.meetings.models import Meeting, MeetingStatus, Series
from sessions_app.video.models import LinkState, SeriesVideo, VideoLink, VideoProvider
from sessions_app.video.sync import organization_provider, sync_video_link


def video_provider_save(
    *,
    organization: Organization,
    kind: str,
    directory: str,
    client_id: str,
    client_secret: str,
    organizer: str,
    actor: User | None = None,
    request=None,
) -> VideoProvider:
    """Configure the organisation's provider. An empty ``client_secret`` keeps the one saved.
    The audit trail says which fields changed, and that the secret did: never the secret."""
    provider = organization_provider(organization) or VideoProvider(organization=organization)
    new = {"kind": kind, "directory": directory, "client_id": client_id, "organizer": organizer}
    changes = {
        f"video_provider.{name}": {"old": getattr(provider, name), "new": value}
        for name, value in new.items()
        if getattr(provider, name) != value
    }
    for name, value in new.items():
        setattr(provider, name, value)
    if client_secret:
        changes["video_provider.client_secret"] = {"old": "", "new": "(changed)"}
        provider.client_secret = client_secret
    provider.updated_at = timezone.now()
    provider.full_clean()
    with transaction.atomic():
        provider.save()
        if changes:
            action = audit.AuditAction.SETTINGS_CHANGED
            audit.record(organization=organization, actor=actor, action=action, changes=changes, request=request)
    return provider


def video_provider_remove(*, organization: Organization, actor: User | None = None, request=None) -> None:
    """Stop creating links; the links already made stay in their meetings."""
    with transaction.atomic():
        deleted, _kinds = VideoProvider.objects.filter(organization=organization).delete()
        if deleted:
            changes = {"video_provider": {"old": "(configured)", "new": ""}}
            action = audit.AuditAction.SETTINGS_CHANGED
            audit.record(organization=organization, actor=actor, action=action, changes=changes, request=request)


def series_wants_links(series: Series) -> bool:
    return SeriesVideo.objects.filter(series=series).exists()


# --- Which meetings want a provider link ---------------------------------------------


def video_link_request(*, meeting: Meeting) -> VideoLink | None:
    """Give one meeting a provider link (None without a provider, or for a past or
    cancelled meeting). Asking twice is harmless."""
    links = _request_links([meeting], organization_provider(meeting.organization))
    return links[0] if links else None


def series_video_request(*, series: Series) -> int:
    """Every coming meeting of the series gets a link, and so will each one materialised later."""
    SeriesVideo.objects.get_or_create(series=series, defaults={"organization": series.organization})
    coming = Meeting.objects.filter(series=series, status=MeetingStatus.SCHEDULED, ends_at__gt=timezone.now())
    return len(_request_links(list(coming), organization_provider(series.organization)))


def _request_links(meetings: list[Meeting], provider) -> list[VideoLink]:
    # A whole series in three statements, not three per meeting (issue 15): the links
    # missing are made together, and the one-to-one on the meeting keeps an existing link.
    now = timezone.now()
    wanted = [meeting for meeting in meetings if not meeting.is_cancelled and meeting.ends_at > now]
    if provider is None or not wanted:
        return []
    VideoLink.objects.bulk_create(
        [VideoLink(meeting=m, organization_id=m.organization_id, provider=provider.kind) for m in wanted],
        ignore_conflicts=True,
    )
    links = list(VideoLink.objects.filter(meeting__in=wanted).order_by("pk"))
    # Asked again after giving up: a fresh round. ``attempts`` keeps counting, so the
    # next create still looks first for a meeting an earlier attempt may have made.
    given_up = [link.pk for link in links if link.state in (LinkState.FAILED, LinkState.CANCELLED)]
    if given_up:
        VideoLink.objects.filter(pk__in=given_up).update(state=LinkState.PENDING, last_error="")
    for link in links:
        _queue(link)
    return links


def _queue(link: VideoLink) -> None:
    # Ids only: the task loads the secret itself, so it never travels through the broker.
    link_id = link.pk
    transaction.on_commit(lambda: sync_video_link.delay(link_id=link_id))


# --- What meetings announce ----------------------------------------------------------


def _meeting_changed(sender=None, *, meeting: Meeting, change: str, **kwargs) -> None:
    if change == "created":
        if meeting.series_id and SeriesVideo.objects.filter(series_id=meeting.series_id).exists():
            video_link_request(meeting=meeting)
    elif change == "updated":
        _resync([meeting])


def _meetings_cancelled(sender=None, *, meetings: list[Meeting], **kwargs) -> None:
    _resync(meetings)


def _resync(meetings: list[Meeting]) -> None:
    for link in VideoLink.objects.filter(meeting__in=[m.pk for m in meetings]).exclude(state=LinkState.CANCELLED):
        _queue(link)


def connect() -> None:
    """Connect the receivers above (called once, from ``SessionsAppConfig.ready``)."""
    meeting_signals.meeting_changed.connect(_meeting_changed, weak=False, dispatch_uid="sessions_app.video.changed")
    meeting_signals.meetings_cancelled.connect(
        _meetings_cancelled, weak=False, dispatch_uid="sessions_app.video.cancelled"
    )
