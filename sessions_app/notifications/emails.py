"""The e-mails the outbox sends: plain text and HTML, a stable Message-ID, a link to the
person's attention settings, one-click unsubscribe from that kind of e-mail (RFC 8058),
signed one-tap answers in invitations and reminders, and an ICS invitation where a
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
from reflect.datewords import short_date, short_day, short_when
from reflect.text import single_line
from sessions_app.calendars.services import meeting_invite_ics, meeting_url, meetings_invite_ics
from sessions_app.meetings import selectors
from sessions_app.meetings.models import Meeting, MeetingInvitee
from sessions_app.notifications import links
from sessions_app.notifications.feedback_words import FEEDBACK_KINDS, feedback_line
from sessions_app.notifications.join_words import JOIN_KINDS, join_line
from sessions_app.notifications.models import Notification, NotificationKind, NotificationStatus
from sessions_app.notifications.supervision_words import supervision_line

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
    NotificationKind.PANELLIST: _("You're on the panel: {title}, {when}"),
    NotificationKind.REFLECTION_PROMPT: _("A moment to reflect on {title}?"),
    NotificationKind.HOT_DEBRIEF: _("Hot debrief called: {title}, {when}"),
    # Translators: {other} is the other person of a one-to-one conversation.
    NotificationKind.TRIM_OFFER: _("Offered: {title} with {other}, {when}"),
}
ICS_METHOD = {
    NotificationKind.INVITE: "REQUEST",
    NotificationKind.UPDATE: "REQUEST",
    NotificationKind.PROMOTION: "REQUEST",
    NotificationKind.HOT_DEBRIEF: "REQUEST",
    NotificationKind.TRIM_OFFER: "REQUEST",
    NotificationKind.CANCELLATION: "CANCEL",
}


# The e-mails that ask for an answer carry one-tap links (``links``): one per answer.
ANSWERED_FROM_EMAIL = {NotificationKind.INVITE, NotificationKind.REMINDER, NotificationKind.TRIM_OFFER}


def answer_links(row: Notification) -> list[dict]:
    """Going, Can't make it, Skip this one, "I'm on leave until …": signed for this person,
    this meeting and this answer. None for a meeting that is off or over."""
    meeting = row.meeting
    if row.kind not in ANSWERED_FROM_EMAIL or meeting is None or meeting.is_cancelled:
        return []
    return [
        {"label": label, "url": links.answer_url(membership=row.recipient, meeting=meeting, action=action)}
        for action, label in links.ACTIONS.items()
    ]


def unsubscribe_headers(row: Notification) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe from this kind of e-mail: a mail client POSTs
    ``List-Unsubscribe=One-Click`` to the signed URL. The URL is ours (site address, slug,
    base64 token), but a header with a line break would let it forge others: single_line."""
    url = links.unsubscribe_url(membership=row.recipient, kind=row.kind)
    return {
        "List-Unsubscribe": single_line(f"<{url}>"),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def preferences_url(row: Notification) -> str:
    return settings.SITE_URL + reverse("attention_settings", kwargs={"org_slug": row.organization.slug})


def briefing_url(meeting: Meeting) -> str:
    """A panellist's own page for the Round: the notes and what to expect."""
    path = reverse("panel_briefing", kwargs={"org_slug": meeting.organization.slug, "meeting_id": meeting.public_id})
    return settings.SITE_URL + path


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


def _line(row: Notification, zone: ZoneInfo, covered: list[Meeting] | None = None) -> dict:
    if row.kind == NotificationKind.RETENTION_WARNING:
        return _retention_line(row)
    if row.kind in JOIN_KINDS:
        return join_line(row)
    if row.kind in FEEDBACK_KINDS:
        return feedback_line(row)
    if row.kind == NotificationKind.SUPERVISION_CONFIRM:
        return supervision_line(row)
    if covered:  # one change to several meetings is one line in a digest too
        first = covered[0]
        return {"kind": row.kind, "text": _grouped_subject(covered, zone), "meeting": first, "url": meeting_url(first)}
    meeting = row.meeting
    facts = {"title": "", "cohort": "", "when": "", "url": "", "other": ""}
    if meeting is not None:
        facts = {
            "title": meeting.display_title,
            "cohort": meeting.cohort.name,
            "when": _when(meeting, zone),
            "url": briefing_url(meeting) if row.payload.get("briefing") else meeting_url(meeting),
            "other": _other_person(row) if row.kind == NotificationKind.TRIM_OFFER else "",
        }
    template = SUBJECTS.get(row.kind, "{title}")
    return {"kind": row.kind, "text": template.format(**facts), "meeting": meeting, **facts}


def _other_person(row: Notification) -> str:
    """The name of the other person called to a one-to-one: the practitioner an offer is
    with, or the person it is for when the practitioner reads it."""
    other = (
        MeetingInvitee.objects.filter(meeting=row.meeting)
        .exclude(membership=row.recipient)
        .select_related("membership__user")
        .first()
    )
    return other.membership.user.name if other else ""


def _grouped_ids(row: Notification) -> list[int]:
    ids = row.payload.get("meetings") or []
    return ids if len(ids) > 1 else []


def _covered(rows: list[Notification]) -> dict[int, list[Meeting]]:
    """The meetings each row covers when it covers several ("this and all following"),
    soonest first, in one query however many rows there are."""
    ids = {pk for row in rows for pk in _grouped_ids(row)}
    if not ids:
        return {}
    found = {m.pk: m for m in Meeting.objects.filter(pk__in=ids).select_related("cohort", "organization")}
    return {
        row.pk: sorted((found[pk] for pk in _grouped_ids(row) if pk in found), key=lambda m: m.starts_at)
        for row in rows
        if _grouped_ids(row)
    }


def _grouped_subject(meetings: list[Meeting], zone: ZoneInfo) -> str:
    """ "Meetings of Team Time from Thu 10 Dec are cancelled", the day in the person's zone."""
    day = short_day(meetings[0].starts_at.astimezone(zone).date())
    return _("Meetings of %(cohort)s from %(day)s are cancelled") % {"cohort": meetings[0].cohort.name, "day": day}


def notification_email(row: Notification, *, connection, now: datetime) -> EmailMultiAlternatives | None:
    """The message for one notification (a digest gathers its merged items; a change to
    several meetings lists them), or None when a digest has nothing left in it; subject,
    body and calendar text in the recipient's language."""
    with speaking_to(user=row.recipient.user, organization=row.organization):
        return _notification_email(row, connection=connection, now=now)


def _notification_email(row: Notification, *, connection, now: datetime) -> EmailMultiAlternatives | None:
    zone = ZoneInfo(row.recipient.user.time_zone)
    grouped = _covered([row]).get(row.pk, []) if row.kind != NotificationKind.DIGEST else []
    calendars = [(row.meeting, ICS_METHOD.get(row.kind))]
    if row.kind == NotificationKind.DIGEST:
        merged = _digest_items(row)
        covered = _covered(merged)
        items = [_line(item, zone, covered.get(item.pk)) for item in merged]
        if not items:
            return None
        subject = ngettext(
            "Your Reflect digest: %(count)d thing", "Your Reflect digest: %(count)d things", len(items)
        ) % {"count": len(items)}
        # Calendar changes held for the digest still reach the calendar, all in one message.
        calendars = [
            (meeting, ICS_METHOD.get(item.kind)) for item in merged for meeting in covered.get(item.pk, [item.meeting])
        ]
    elif grouped:
        items = [{"text": f"{m.display_title}, {_when(m, zone)}", "url": meeting_url(m), "meeting": m} for m in grouped]
        subject = _grouped_subject(grouped, zone)
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
        "is_briefing": bool(row.payload.get("briefing")),
        "answers": answer_links(row) if not grouped else [],
    }
    headers = {"Message-ID": row.message_id, **unsubscribe_headers(row)}
    context["unsubscribe_url"] = headers["List-Unsubscribe"][1:-1]
    message = EmailMultiAlternatives(
        # Django refuses a header with a line break in it; a title from before names
        # refused control characters must not fail every message about its meeting.
        subject=single_line(f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}"),
        body=render_to_string("sessions_app/email/notification.txt", context),
        to=[row.recipient.user.email],
        connection=connection,
        headers=headers,
    )
    message.attach_alternative(render_to_string("sessions_app/email/notification.html", context), "text/html")
    _attach_calendars(message, calendars, row, now)
    return message


def digest_items(digest: Notification) -> list[Notification]:
    """What a digest still has to tell, by e-mail or push."""
    return _digest_items(digest)


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


def _attach_calendars(message: EmailMultiAlternatives, calendars: list, row: Notification, now: datetime) -> None:
    """An invitation per meeting, and every cancellation together in one METHOD:CANCEL
    part: one change (or one digest) is one calendar update, as it is one message."""
    wanted = [
        (meeting, method)
        for meeting, method in dict.fromkeys(calendars)  # once per meeting and method
        if method is not None
        and meeting is not None
        # an update held for the digest of a meeting cancelled since: the CANCEL says it
        and not (method == "REQUEST" and meeting.is_cancelled)
    ]
    email = row.recipient.user.email
    for meeting, method in wanted:
        if method == "REQUEST":
            _attach(message, meeting_invite_ics(meeting, method=method, now=now, attendee_email=email), method)
    if cancelled := [meeting for meeting, method in wanted if method == "CANCEL"]:
        _attach(message, meetings_invite_ics(cancelled, method="CANCEL", now=now, attendee_email=email), "CANCEL")


def _attach(message: EmailMultiAlternatives, body: bytes, method: str) -> None:
    name = "invite.ics" if not message.attachments else f"invite-{len(message.attachments) + 1}.ics"
    message.attach(name, body, f"text/calendar; charset=utf-8; method={method}")
