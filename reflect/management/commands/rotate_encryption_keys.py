"""Move every encrypted value to the newest key in REFLECT_ENCRYPTION_KEYS.

Rotation routine: put a new key first in REFLECT_ENCRYPTION_KEYS, restart every process,
run this command, check with ``--check`` that nothing is left, then drop the old key.
"""

from dataclasses import dataclass, field

from allauth.mfa.models import Authenticator
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django_scopes import scopes_disabled

from accounts import two_factor
from reflect import crypto
from reflect.encryption_migrations import stored_columns, stored_values_write
from reflect.fields import EncryptedTextField


@dataclass
class RotationCount:
    stale: int = 0  # rows with at least one token under an older key
    unreadable: list = field(default_factory=list)  # pks of rows that no key opens


def encrypted_models() -> list[tuple[type[models.Model], list[str]]]:
    """Every concrete model with encrypted columns of its own, and their field names."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        # Local fields only: a multi-table child would otherwise re-walk its parent's rows.
        names = [f.name for f in model._meta.local_concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


def rotate_model(
    *, model: type[models.Model], field_names: list[str], check_only: bool, batch_size: int = 500
) -> RotationCount:
    """Re-encrypt ``model``'s stale tokens under the newest key, ``batch_size`` rows at a time.

    Works on the stored tokens (plaintext never leaves ``crypto``) and locks each batch
    while rewriting it, so an edit saved meanwhile is not overwritten by its old text.
    Tokens already under the newest key are left alone, so a second run changes nothing.
    """
    raw = stored_columns(field_names)
    count = RotationCount()
    last_pk = None
    while True:
        with transaction.atomic():
            rows = model._base_manager.order_by("pk")
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            if not check_only:
                rows = rows.select_for_update()
            batch = list(rows.annotate(**raw).values_list("pk", *raw)[:batch_size])
            if not batch:
                return count
            last_pk = batch[-1][0]
            rewritten = []
            for pk, *tokens in batch:
                try:
                    stale = [bool(token) and crypto.needs_rotation(token) for token in tokens]
                    if any(stale) and not check_only:
                        tokens = [
                            crypto.rotate(t) if is_stale else t for t, is_stale in zip(tokens, stale, strict=True)
                        ]
                except crypto.DecryptionError:
                    count.unreadable.append(pk)
                    continue
                if not any(stale):
                    continue
                count.stale += 1
                if not check_only:
                    rewritten.append((pk, tokens))
            stored_values_write(model=model, field_names=field_names, rows=rewritten)


def rotate_authenticators(*, check_only: bool, batch_size: int = 500) -> RotationCount:
    """Re-encrypt two-factor secrets (allauth's ``Authenticator.data``) under the newest key.

    They sit inside a JSON column rather than in an ``EncryptedTextField``, so they get
    their own walk; otherwise dropping an old key would lock everyone out of two-factor.
    """
    count = RotationCount()
    last_pk = None
    while True:
        with transaction.atomic():
            rows = Authenticator.objects.filter(type__in=two_factor.SECRET_KEYS).order_by("pk")
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            if not check_only:
                rows = rows.select_for_update()
            batch = list(rows.values_list("pk", "type", "data")[:batch_size])
            if not batch:
                return count
            last_pk = batch[-1][0]
            for pk, kind, data in batch:
                try:
                    stale = any(crypto.needs_rotation(v) for v in two_factor.secret_values(kind, data))
                    if stale and not check_only:
                        data = two_factor.map_secret_values(kind, data, crypto.rotate)
                except crypto.DecryptionError:
                    count.unreadable.append(pk)
                    continue
                if not stale:
                    continue
                count.stale += 1
                if not check_only:
                    Authenticator.objects.filter(pk=pk).update(data=data)


def _label_counts(*, check_only: bool, batch_size: int):
    for model, field_names in encrypted_models():
        yield (
            model._meta.label,
            rotate_model(model=model, field_names=field_names, check_only=check_only, batch_size=batch_size),
        )
    yield "mfa.Authenticator", rotate_authenticators(check_only=check_only, batch_size=batch_size)


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field under the newest key in REFLECT_ENCRYPTION_KEYS."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only count rows not under the newest key, changing nothing; exit 1 if there are any.",
        )
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, check: bool, batch_size: int, **options):
        verb = "not under the newest key" if check else "rotated"
        total = 0
        unreadable = 0
        # A maintenance command walks every organisation's rows: there is no scope to enter.
        with scopes_disabled():
            for label, count in _label_counts(check_only=check, batch_size=batch_size):
                self.stdout.write(f"{label} {verb}: {count.stale}")
                if count.unreadable:
                    shown = ", ".join(str(pk) for pk in count.unreadable[:20])
                    more = " …" if len(count.unreadable) > 20 else ""
                    self.stderr.write(
                        f"{label} unreadable with the configured keys: {len(count.unreadable)} (pk {shown}{more})"
                    )
                total += count.stale
                unreadable += len(count.unreadable)
        self.stdout.write(f"total {verb}: {total}")
        if unreadable:
            raise CommandError(f"{unreadable} rows cannot be decrypted with any configured key.", returncode=1)
        if check and total:
            raise CommandError(f"{total} rows are not under the newest key.", returncode=1)
