"""Random public identifiers: URLs never expose sequential primary keys."""

import secrets

# 12 characters of URL-safe base64 carry 72 bits: unguessable, and short enough to read.
PUBLIC_ID_LENGTH = 12


def new_public_id() -> str:
    return secrets.token_urlsafe(9)


def new_token() -> str:
    return secrets.token_urlsafe(32)
