"""Encrypt the two-factor secrets that allauth stored in the clear before Reflect's MFA
adapter encrypted them (TOTP keys, recovery-code seeds). Idempotent: a value that the
configured keys already open is left as it is."""

from django.db import migrations

from reflect import crypto

SECRET_KEYS = {"totp": ("secret",), "recovery_codes": ("seed",)}
SECRET_LIST_KEYS = {"recovery_codes": ("migrated_codes",)}


def _is_token(value: str) -> bool:
    try:
        crypto.decrypt(value)
    except crypto.DecryptionError:
        return False
    return True


def _encrypt(value: str) -> str:
    return value if _is_token(value) else crypto.encrypt(value)


def _decrypt(value: str) -> str:
    return crypto.decrypt(value) if _is_token(value) else value


def _map(data: dict, kind: str, change) -> dict:
    changed = dict(data)
    for key in SECRET_KEYS.get(kind, ()):
        if changed.get(key):
            changed[key] = change(changed[key])
    for key in SECRET_LIST_KEYS.get(kind, ()):
        if changed.get(key):
            changed[key] = [change(value) for value in changed[key]]
    return changed


def _rewrite(apps, change) -> None:
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=SECRET_KEYS).iterator():
        data = _map(authenticator.data, authenticator.type, change)
        if data != authenticator.data:
            Authenticator.objects.filter(pk=authenticator.pk).update(data=data)


def encrypt_secrets(apps, schema_editor) -> None:
    _rewrite(apps, _encrypt)


def decrypt_secrets(apps, schema_editor) -> None:
    _rewrite(apps, _decrypt)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_retention_at_least_one_month"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_secrets, decrypt_secrets)]
