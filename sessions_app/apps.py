from django.apps import AppConfig


class SessionsAppConfig(AppConfig):
    name = "sessions_app"
    verbose_name = "Debrief sessions"

    def ready(self) -> None:
        from accounts.services import TIME_ZONE_CHANGED
        from sessions_app import checks  # noqa: F401 - registers the system checks
        from sessions_app.attention.services import person_replan_everywhere

        if person_replan_everywhere not in TIME_ZONE_CHANGED:
            TIME_ZONE_CHANGED.append(person_replan_everywhere)
