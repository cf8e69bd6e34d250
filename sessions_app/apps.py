from django.apps import AppConfig


class SessionsAppConfig(AppConfig):
    name = "sessions_app"
    verbose_name = "Debrief sessions"

    def ready(self) -> None:
        from accounts.signals import time_zone_changed
        from sessions_app import checks  # noqa: F401 - registers the system checks
        from sessions_app.attention.services import person_replan_everywhere

        def replan(sender, *, user, **kwargs) -> None:
            person_replan_everywhere(user=user)

        time_zone_changed.connect(replan, weak=False, dispatch_uid="sessions_app.replan_on_time_zone")
