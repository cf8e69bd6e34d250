"""Data-migration helpers for a column that becomes an ``EncryptedTextField``.

A schema ``AlterField`` changes nothing in the rows, so the text written before it is
still plaintext and would fail to decrypt on the next read. Run ``encrypt_plaintext``
right after the ``AlterField`` (``decrypt_to_plaintext`` is its reverse). Both work on
the stored values (as ``rotate_encryption_keys`` does), take the model from the
migration's ``apps``, and are safe to run twice.
"""

from collections.abc import Callable

from django.db import models, transaction

from reflect import crypto


def encrypt_plaintext(*, model: type[models.Model], field_names: list[str], batch_size: int = 500) -> int:
    """Encrypt every non-empty value of ``field_names`` that is not already a token; returns rows changed."""
    return _rewrite(model=model, field_names=field_names, batch_size=batch_size, change=_encrypt_unless_token)


def decrypt_to_plaintext(*, model: type[models.Model], field_names: list[str], batch_size: int = 500) -> int:
    """Write the plaintext back (to undo the migration); returns rows changed."""
    return _rewrite(model=model, field_names=field_names, batch_size=batch_size, change=_decrypt_token)


def stored_columns(field_names: list[str]) -> dict[str, models.Expression]:
    """Annotations that read the columns as stored (tokens, or plaintext not yet
    encrypted): through a plain TextField, so the encrypted field's from_db_value is skipped."""
    return {
        f"stored_{name}": models.ExpressionWrapper(models.F(name), output_field=models.TextField())
        for name in field_names
    }


def stored_values_write(*, model: type[models.Model], field_names: list[str], rows: list[tuple]) -> int:
    """Write ``(pk, values)`` rows as they are: Value() with a plain TextField is not
    encrypted again on its way to the column. Returns how many rows were written."""
    updated = [
        model(
            pk=pk,
            **{
                name: models.Value(value, output_field=models.TextField())
                for name, value in zip(field_names, values, strict=True)
            },
        )
        for pk, values in rows
    ]
    if updated:
        model._base_manager.bulk_update(updated, field_names)
    return len(updated)


def _encrypt_unless_token(value: str) -> str:
    try:
        crypto.needs_rotation(value)  # checks the signature only: does any key open it?
    except crypto.DecryptionError:
        return crypto.encrypt(value)
    return value


def _decrypt_token(value: str) -> str:
    return crypto.decrypt(value)


def _rewrite(
    *, model: type[models.Model], field_names: list[str], batch_size: int, change: Callable[[str], str]
) -> int:
    raw = stored_columns(field_names)
    changed = 0
    last_pk = None
    while True:
        with transaction.atomic():
            rows = model._base_manager.order_by("pk")
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            batch = list(rows.select_for_update().annotate(**raw).values_list("pk", *raw)[:batch_size])
            if not batch:
                return changed
            last_pk = batch[-1][0]
            rewritten = []
            for pk, *stored in batch:
                new = [change(value) if value else value for value in stored]
                if new != stored:
                    rewritten.append((pk, new))
            changed += stored_values_write(model=model, field_names=field_names, rows=rewritten)
