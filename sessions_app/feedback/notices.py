"""What people hear about feedback, written to the outbox in the service's transaction:
the reader hears that someone asked (low priority: a request waits for their digest, it
is never urgent), the author hears that feedback or a sign-off came (normal priority,
within their quiet hours and caps like any notice). A payload holds ids and a name,
never the reflection, the note or the feedback (``notifications.feedback_words``)."""

from datetime import datetime

from django.db.models import Q

from accounts.models import Membership
from sessions_app.feedback.models import FeedbackShare, SignOff
from sessions_app.notifications.models import DUE_STATUSES, Notification, NotificationKind, NotificationStatus
from sessions_app.notifications.outbox import new_row, write
from sessions_app.notifications.planning import LOW, NORMAL

FEEDBACK_KINDS = (NotificationKind.FEEDBACK_REQUEST, NotificationKind.FEEDBACK_GIVEN, NotificationKind.SIGN_OFF)


def _payload(share: FeedbackShare, *, name: str) -> dict:
    return {"share": share.public_id, "reflection": share.reflection.public_id, "name": name}


def _tell(person: Membership | None, kind: str, priority: str, key: tuple, payload: dict, now: datetime) -> int:
    if person is None or not person.is_active:
        return 0
    row = new_row(
        person=person, kind=kind, priority=priority, key_parts=key, due_at=now, payload=payload, created_at=now
    )
    row.updated_at = now
    return write([row])


def feedback_requested(share: FeedbackShare, *, now: datetime) -> int:
    author = share.reflection.author
    payload = _payload(share, name=author.user.name)
    key = ("feedback_request", share.public_id)
    return _tell(share.reader, NotificationKind.FEEDBACK_REQUEST, LOW, key, payload, now)


def feedback_given(share: FeedbackShare, *, now: datetime) -> int:
    """Once per share: an edit of the feedback is not news worth another interruption."""
    payload = _payload(share, name=share.reader_name)
    author = share.reflection.author
    return _tell(author, NotificationKind.FEEDBACK_GIVEN, NORMAL, ("feedback_given", share.public_id), payload, now)


def signed_off(share: FeedbackShare, sign_off: SignOff, *, now: datetime) -> int:
    payload = _payload(share, name=sign_off.signer_name)
    author = share.reflection.author
    return _tell(author, NotificationKind.SIGN_OFF, NORMAL, ("sign_off", sign_off.public_id), payload, now)


def share_withdrawn(share: FeedbackShare, *, now: datetime) -> int:
    """Nothing still waiting about a withdrawn share goes out, digest items included."""
    waiting = Q(status__in=DUE_STATUSES) | Q(status=NotificationStatus.MERGED, digest__status__in=DUE_STATUSES)
    return Notification.objects.filter(waiting, kind__in=FEEDBACK_KINDS, payload__share=share.public_id).update(
        status=NotificationStatus.DROPPED, reason="Not sent: the reflection is no longer shared.", updated_at=now
    )
