"""Which version of a reflection a sign-off was given for.

A version is a keyed fingerprint (HMAC-SHA-256) of what the reader confirmed: the
template, the answers and the Code's themes, as canonical JSON, computed on the server
from the stored reflection when the reader signs and again whenever a sign-off is shown.

Why a fingerprint of the content rather than a counter bumped on each save: a counter is
only as good as every path that writes a reflection remembering to bump it (the edit
form, a raw ``update()``, a data migration, the admin, a future import); the fingerprint
is worked out from the text itself, so no write, by any path, can change what was signed
without the sign-off reading "earlier version". An edit undone word for word makes the
sign-off current again, which is right: it is then exactly the text that was confirmed.

Why keyed: a plain SHA-256 of a short answer ("Yes.") could be confirmed by anyone who
can read the database and guess it; the key (from ``SECRET_KEY``, with
``SECRET_KEY_FALLBACKS`` while it is rotated) keeps the fingerprint saying nothing of the
text. No plaintext is stored.
"""

import hmac
import json

from django.conf import settings
from django.utils.crypto import salted_hmac

from sessions_app.reflections.models import Reflection

_SALT = "reflect.feedback.version"


def _canonical(reflection: Reflection) -> str:
    return json.dumps(
        {
            "template": reflection.template_key,
            "answers": reflection.answers,
            "code_themes": list(reflection.code_themes or []),
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def reflection_version(reflection: Reflection, *, secret: str | None = None) -> str:
    """The fingerprint of the reflection as it is stored now."""
    return salted_hmac(_SALT, _canonical(reflection), secret=secret, algorithm="sha256").hexdigest()


def is_current(version: str, reflection: Reflection) -> bool:
    """True when ``version`` is the fingerprint of the reflection as it is now, under the
    current key or one still being rotated out."""
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(hmac.compare_digest(version, reflection_version(reflection, secret=secret)) for secret in secrets)
