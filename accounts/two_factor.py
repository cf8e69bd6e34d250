"""Two-factor secrets at rest: which values in allauth's ``Authenticator.data`` are secret.

allauth passes these through ``MFA_ADAPTER.encrypt()``/``decrypt()``; Reflect's adapter
(``accounts.adapter.ReflectMFAAdapter``) encrypts them with the project's Fernet keys,
so a database dump or backup alone cannot mint a TOTP code or a recovery code. Key
rotation (``manage.py rotate_encryption_keys``) walks the same values.
"""

from collections.abc import Callable

# Per authenticator type: keys holding one encrypted string, and keys holding a list of them.
SECRET_KEYS = {
    "totp": ("secret",),
    "recovery_codes": ("seed",),
}
SECRET_LIST_KEYS = {
    "recovery_codes": ("migrated_codes",),
}


def secret_values(kind: str, data: dict) -> list[str]:
    """Every encrypted string in one authenticator's ``data``."""
    values = [data[key] for key in SECRET_KEYS.get(kind, ()) if data.get(key)]
    for key in SECRET_LIST_KEYS.get(kind, ()):
        values.extend(data.get(key) or [])
    return values


def map_secret_values(kind: str, data: dict, change: Callable[[str], str]) -> dict:
    """A copy of ``data`` with ``change`` applied to every encrypted string."""
    changed = dict(data)
    for key in SECRET_KEYS.get(kind, ()):
        if changed.get(key):
            changed[key] = change(changed[key])
    for key in SECRET_LIST_KEYS.get(kind, ()):
        if changed.get(key):
            changed[key] = [change(value) for value in changed[key]]
    return changed
