"""Security settings that are rules rather than environment: the Content Security Policy,
and the development conveniences production refuses to start with."""

from django.core.exceptions import ImproperlyConfigured

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        # The service worker (/sw.js) and the web app manifest: same origin only.
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# Each of these turns a convenience into a leak in production.
_MAIL_LEAKS = {
    "django.core.mail.backends.filebased.EmailBackend": "file e-mail backend: reset links would sit in files",
    "django.core.mail.backends.console.EmailBackend": "console e-mail backend: reset links would go to the logs",
}


def refuse_development_settings(*, debug: bool, email_backend: str, site_url: str | None) -> None:
    """Stop production start-up on a development setting; reads only the final values."""
    if debug:
        raise ImproperlyConfigured(
            "REFLECT_ENV=production refuses DEBUG=true: tracebacks would show settings and data."
        )
    if email_backend in _MAIL_LEAKS:
        raise ImproperlyConfigured(
            f"REFLECT_ENV=production refuses the {_MAIL_LEAKS[email_backend]}. "
            "Set EMAIL_BACKEND (SMTP or django-anymail)."
        )
    if not site_url:
        raise ImproperlyConfigured(
            "REFLECT_ENV=production needs SITE_URL (e.g. https://reflect.example.org): "
            "links in e-mails are built from it."
        )
