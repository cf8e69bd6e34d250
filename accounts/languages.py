"""Which language Reflect speaks to a person: the one they chose, else their
organisation's default, else the site's (``LANGUAGE_CODE``, British English).

Pages follow it through ``UserLanguageMiddleware``; everything that reaches a person
outside a page (e-mails, calendar text, invitations) is built inside ``speaking_to``, at
send time, so a message is in the recipient's language, not in that of whoever caused it.
"""

from contextlib import AbstractContextManager

from django.conf import settings
from django.utils import translation

from accounts.models import Organization, User


def language_for(*, user: User | None, organization: Organization | None) -> str:
    if user is not None and user.language:
        return user.language
    if organization is not None and organization.default_language:
        return organization.default_language
    return settings.LANGUAGE_CODE


def speaking_to(*, user: User | None, organization: Organization | None) -> AbstractContextManager:
    """Translations (and Django's date names) in the person's language for the block."""
    return translation.override(language_for(user=user, organization=organization))
