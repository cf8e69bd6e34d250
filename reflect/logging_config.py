"""The ``LOGGING`` setting: never log request bodies (reflection text travels in them).

Paths are logged (access logs, "Not Found: <path>"), and some paths carry a secret:
calendar-feed, invitation, reset and confirmation tokens. The masking filter sits on
the loggers that write paths, so every handler (and pytest's caplog) gets the masked
text, and on the console handler for anything else. gunicorn's access log is masked
by gunicorn.conf.py."""


def logging_config(*, level: str) -> dict:
    """The dictConfig for every process; ``level`` is the root logger's (LOG_LEVEL)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"mask_secret_tokens": {"()": "reflect.logmasks.MaskSecretTokens"}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
            # Django's own runserver format (django.utils.log.DEFAULT_LOGGING).
            "django.server": {
                "()": "django.utils.log.ServerFormatter",
                "format": "[{server_time}] {message}",
                "style": "{",
            },
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_secret_tokens"]},
            "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "INFO"},
            # urllib3 names every URL it requests at DEBUG, and a Web Push endpoint is a
            # capability URL: never below WARNING, whatever LOG_LEVEL says.
            "urllib3": {"level": "WARNING"},
            "django.request": {"filters": ["mask_secret_tokens"]},
            "django.security": {"filters": ["mask_secret_tokens"]},
            "django.server": {
                "handlers": ["django.server"],
                "filters": ["mask_secret_tokens"],
                "level": "INFO",
                "propagate": False,
            },
        },
    }
