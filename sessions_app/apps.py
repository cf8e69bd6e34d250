from django.apps import AppConfig


class SessionsAppConfig(AppConfig):
    name = "sessions_app"
    verbose_name = "Debrief sessions"

    def ready(self) -> None:
        """Connect each lower layer's signals to the package above that acts on them: the
        lower package sends, never imports the upper one (see sessions_app/receivers.py)."""
        from sessions_app import (
            checks,  # noqa: F401 - registers the system checks
            receivers,
        )

        receivers.connect()
