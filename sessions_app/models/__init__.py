"""Models of sessions_app, grouped by concern; import them from here."""

from sessions_app.models.attention import AttentionBudget, AttentionPolicy
from sessions_app.models.insights import ShownFigures
from sessions_app.models.notifications import (
    Notification,
    NotificationKind,
    NotificationPriority,
    NotificationStatus,
)
from sessions_app.models.reflections import (
    ActionPoint,
    Reflection,
    ReflectionTemplate,
    SessionEvaluation,
    Visibility,
)
from sessions_app.models.scheduling import (
    CalendarFeed,
    Cohort,
    CohortImport,
    CohortInvitation,
    CohortMember,
    CohortRole,
    ImportStatus,
    Meeting,
    MeetingInvitee,
    MeetingKind,
    MeetingStatus,
    Rsvp,
    RsvpStatus,
    Series,
    public_id_field,
)

__all__ = [
    "ActionPoint",
    "AttentionBudget",
    "AttentionPolicy",
    "CalendarFeed",
    "Cohort",
    "CohortImport",
    "CohortInvitation",
    "CohortMember",
    "CohortRole",
    "ImportStatus",
    "Meeting",
    "MeetingInvitee",
    "MeetingKind",
    "MeetingStatus",
    "Notification",
    "NotificationKind",
    "NotificationPriority",
    "NotificationStatus",
    "Reflection",
    "ReflectionTemplate",
    "Rsvp",
    "RsvpStatus",
    "Series",
    "SessionEvaluation",
    "ShownFigures",
    "Visibility",
    "public_id_field",
]
