"""The feedback and sign-offs given on a person's reflections, for their own export: the
author keeps them, withdrawn shares included (issue 14 §2). What the person wrote as a
reader of someone else's reflection belongs to that author's evidence and is not here."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django_scopes import scopes_disabled

from accounts.models import User
from sessions_app.feedback.models import FeedbackShare
from sessions_app.feedback.versions import is_current
from sessions_app.reflections.models import Reflection


def _when(value: datetime | None) -> str | None:
    return value.astimezone(ZoneInfo("UTC")).isoformat() if value is not None else None


def feedback_by_reflection(user: User, reflections: list[Reflection]) -> dict[int, list[dict]]:
    """{reflection pk: [share, …]} for the user's own reflections, oldest share first.

    Scopes are disabled for the same reason as the rest of the export (the person is the
    boundary); the query is filtered by the user as the reflections' author."""
    by_pk = {reflection.pk: reflection for reflection in reflections}
    with scopes_disabled():
        shares = list(
            FeedbackShare.objects.filter(reflection__author__user=user, reflection_id__in=by_pk)
            .prefetch_related("sign_offs")
            .order_by("created_at", "pk")
        )
    found: dict[int, list[dict]] = {}
    for share in shares:
        reflection = by_pk[share.reflection_id]
        found.setdefault(share.reflection_id, []).append(
            {
                "reader": share.reader_name,
                "role": share.role,
                "note": share.note,
                "session_shown": share.include_session,
                "shared_at": _when(share.created_at),
                "withdrawn_at": _when(share.withdrawn_at),
                "feedback": share.feedback,
                "feedback_at": _when(share.feedback_at),
                "sign_offs": [
                    {
                        "name": sign_off.signer_name,
                        "number_kind": sign_off.number_kind,
                        "professional_number": sign_off.professional_number,
                        "discussed_on": sign_off.discussed_on.isoformat(),
                        "signed_at": _when(sign_off.signed_at),
                        "for_the_current_version": is_current(sign_off.version, reflection),
                    }
                    for sign_off in sorted(share.sign_offs.all(), key=lambda s: (s.signed_at, s.pk))
                ],
            }
        )
    return found
