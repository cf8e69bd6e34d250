from django.apps import AppConfig


class SessionsAppConfig(AppConfig):
    name = "sessions_app"
    verbose_name = "Debrief sessions"

    def ready(self) -> None:
        """Connect each lower layer's signals to the package above that acts on them: the
        lower package sends, never imports the upper one (see docs/architecture.md)."""
        from accounts.signals import time_zone_changed
        from sessions_app import checks  # noqa: F401 - registers the system checks
        from sessions_app.attention import meeting_load
        from sessions_app.attention.services import person_replan_everywhere
        from sessions_app.cohorts.signals import member_leaving
        from sessions_app.meetings import rsvps
        from sessions_app.meetings.signals import series_advice
        from sessions_app.notifications import notify

        def replan(sender, *, user, **kwargs) -> None:
            person_replan_everywhere(user=user)

        def leave_meetings(sender, *, membership, cohort, now, **kwargs) -> None:
            rsvps.leave_coming_meetings(membership=membership, cohort=cohort, now=now)

        time_zone_changed.connect(replan, weak=False, dispatch_uid="sessions_app.replan_on_time_zone")
        # Before notify's receiver: a place given up goes to the next person waiting (and
        # they are told) before what was still owed to the leaver is dropped.
        member_leaving.connect(leave_meetings, weak=False, dispatch_uid="sessions_app.leave_meetings")
        notify.connect()
        series_advice.connect(meeting_load.series_advice, dispatch_uid="sessions_app.meeting_load_advice")
