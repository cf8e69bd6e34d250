"""The e-mails the outbox sends: plain text and HTML, a stable Message-ID, a link to the
person's attention settings (also as List-Unsubscribe), and an ICS invitation where a
calendar should change. Only logistics: never anything a person wrote.

Each message is written in its recipient's language (``accounts.languages``) when it is
sent, whoever's request planned it."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.languages import speaking_to
from reflect.datewords import short_date, short_when
from reflect.text import single_line
from sessions_app.calendars.services import meeting_invite_ics, meeting_url
from sessions_app.meetings import selectors
from sessions_app.meetings.models import Meeting
from sessions_app.notifications.models import Notification, NotificationKind, NotificationStatus

# Translators: {title} is a meeting's title, {cohort} a group's name, {when} a date and
# time such as "Wed 9 Dec 18:00". Keep the names in braces as they are.
SUBJECTS = {
    NotificationKind.INVITE: _("New: {title}, {when}"),
    NotificationKind.SERIES: _("New series: {cohort}"),
    NotificationKind.UPDATE: _("Changed: {title}, now {when}"),
    NotificationKind.CANCELLATION: _("Cancelled: {title}, {when}"),
    NotificationKind.REMINDER: _("Reminder: {title}, {when}"),
    NotificationKind.PROMOTION: _("A place is yours: {title}, {when}"),
    NotificationKind.PANEL_PREP: _("Panel preparation: {title}, {when}"),
    NotificationKind.REFLECTION_PROMPT: _("A moment to reflect on {title}?"),
    NotificationKind.HOT_DEBRIEF: _("Hot debrief called: {title}, {when}"),
}
ICS_METHOD = {
    NotificationKind.INVITE: "REQUEST",
    NotificationKind.UPDATE: "REQUEST",
    NotificationKind.PROMOTION: "REQUEST",
    NotificationKind.HOT_DEBRIEF: "REQUEST",
    NotificationKind.CANCELLATION: "CANCEL",
}


def preferences_url(row: Notification) -> str:
    return settings.SITE_URL + reverse("attention_settings", kwargs={"org_slug": row.organization.slug})


def _when(meeting, zone: ZoneInfo) -> str:
    return short_when(meeting.starts_at.astimezone(zone))


def _retention_line(row: Notification) -> dict:
    """How many reflections are due and from when, with where to keep and export them:
    counts and a date only, never a title or a word of what was written."""
    count = row.payload.get("count", 0)
    when = short_date(date.fromisoformat(row.payload["not_before"]))
    text = ngettext(
        "%(count)d of your reflections is due for deletion, not before %(when)s",
        "%(count)d of your reflections are due for deletion, not before %(when)s",
        count,
    ) % {"count": count, "when": when}
    keep = reverse("reflection_list", kwargs={"org_slug": row.organization.slug})
    return {
        "kind": row.kind,
        "text": text,
        "meeting": None,
        "url": f"{settings.SITE_URL}{keep}?due=1",
        "export_url": settings.SITE_URL + reverse("my_data"),
    }


def _line(row: Notification, zone: ZoneInfo) -> dict:
    if row.kind == NotificationKind.RETENTION_WARNING:
        return _retention_line(row)
    meeting = row.meeting
    facts = {"title": "", "cohort": "", "when": "", "url": ""}
    if meeting is not None:
        facts = {
            "title": meeting.display_title,
            "cohort": meeting.cohort.name,
            "when": _when(meeting, zone),
            "url": meeting_url(meeting),
        }
    template = SUBJECTS.get(row.kind, "{title}")
    return {"kind": row.kind, "text": template.format(**facts), "meeting": meeting, **facts}


def _grouped_meetings(row: Notification) -> list[Meeting]:
    """The meetings one change covers when it covers several ("this and all following")."""
    ids = row.payload.get("meetings") or []
    if len(ids) < 2:
        return []
    return list(Meeting.objects.filter(pk__in=ids).select_related("cohort", "organization").order_by("starts_at"))


def notification_email(row: Notification, *, connection, now: datetime) -> EmailMultiAlternatives | None:
    """The message for one notification (a digest gathers its merged items; a change to
    several meetings lists them), or None when a digest has nothing left in it; subject,
    body and calendar text in the recipient's language."""
    with speaking_to(user=row.recipient.user, organization=row.organization):
        return _notification_email(row, connection=connection, now=now)


def _notification_email(row: Notification, *, connection, now: datetime) -> EmailMultiAlternatives | None:
    zone = ZoneInfo(row.recipient.user.time_zone)
    grouped = _grouped_meetings(row) if row.kind != NotificationKind.DIGEST else []
    calendars = [(row.meeting, ICS_METHOD.get(row.kind))]
    if row.kind == NotificationKind.DIGEST:
        merged = _digest_items(row)
        items = [_line(item, zone) for item in merged]
        if not items:
            return None
        subject = ngettext(
            "Your Reflect digest: %(count)d thing", "Your Reflect digest: %(count)d things", len(items)
        ) % {"count": len(items)}
        # Calendar changes held for the digest still reach the calendar, all in one message.
        calendars = [(item.meeting, ICS_METHOD.get(item.kind)) for item in merged]
    elif grouped:
        items = [{"text": f"{m.display_title}, {_when(m, zone)}", "url": meeting_url(m), "meeting": m} for m in grouped]
        subject = _("Cancelled: {count} meetings of {cohort}, from {when}").format(
            count=len(grouped), cohort=grouped[0].cohort.name, when=_when(grouped[0], zone)
        )
        calendars = [(m, ICS_METHOD.get(row.kind)) for m in grouped]
    else:
        items = [_line(row, zone)]
        subject = items[0]["text"]
    context = {
        "row": row,
        "items": items,
        "person": row.recipient.user,
        "organization": row.organization,
        "preferences_url": preferences_url(row),
        "is_digest": row.kind == NotificationKind.DIGEST,
        "is_list": bool(grouped),
        "invites_reflection": row.kind == NotificationKind.REFLECTION_PROMPT,
    }
    message = EmailMultiAlternatives(
        # Django refuses a header with a line break in it; a title from before names
        # refused control characters must not fail every message about its meeting.
        subject=single_line(f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}"),
        body=render_to_string("sessions_app/email/notification.txt", context),
        to=[row.recipient.user.email],
        connection=connection,
        headers={"Message-ID": row.message_id, "List-Unsubscribe": f"<{context['preferences_url']}>"},
    )
    message.attach_alternative(render_to_string("sessions_app/email/notification.html", context), "text/html")
    for meeting, method in dict.fromkeys(calendars):  # one invitation per meeting and method
        _attach_calendar(message, meeting, method, row, now)
    return message


def _digest_items(digest: Notification) -> list[Notification]:
    merged = list(digest.merged_items.filter(status=NotificationStatus.MERGED).select_related("meeting__cohort"))
    # The dispatcher's rule for single items holds inside a digest too: nothing about a
    # meeting the person may no longer attend.
    attendable = selectors.attendable((item.meeting, item.recipient_id) for item in merged if item.meeting)
    return [
        item
        for item in merged
        if item.meeting is None
        or (
            (item.meeting.pk, item.recipient_id) in attendable
            and (item.meeting.status == "scheduled" or item.kind == NotificationKind.CANCELLATION)
        )
    ]


def _attach_calendar(message: EmailMultiAlternatives, meeting, method, row: Notification, now: datetime) -> None:
    if method is None or meeting is None:
        return
    if method == "REQUEST" and meeting.is_cancelled:
        return  # an update held for the digest of a meeting cancelled since: the CANCEL says it
    body = meeting_invite_ics(meeting, method=method, now=now, attendee_email=row.recipient.user.email)
    name = "invite.ics" if not message.attachments else f"invite-{len(message.attachments) + 1}.ics"
    message.attach(name, body, f"text/calendar; charset=utf-8; method={method}")
