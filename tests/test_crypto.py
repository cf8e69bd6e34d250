"""Reflection text is encrypted at rest: keys, the field, and key rotation."""

import stat
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, models

from reflect import crypto
from reflect.fields import EncryptedTextField

pytestmark = pytest.mark.reflections

TEXT = "Bed 4 went badly; I keep replaying the handover."
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
OTHER_KEY = Fernet.generate_key().decode()
DECRYPTION_ERROR = "The token cannot be decrypted with any key in REFLECT_ENCRYPTION_KEYS."


@pytest.fixture
def keys(settings):
    """Set REFLECT_ENCRYPTION_KEYS (newest first); the cached keys reset on each change."""

    def use(*new_keys: str) -> None:
        settings.REFLECT_ENCRYPTION_KEYS = list(new_keys)

    return use


# --- reflect.crypto ----------------------------------------------------------------


def test_encrypt_round_trip_gives_back_the_text(keys):
    keys(NEW_KEY)

    token = crypto.encrypt(TEXT)

    assert token.startswith("gAAAAA")
    assert "handover" not in token
    assert crypto.decrypt(token) == TEXT


def test_encrypt_round_trip_keeps_unicode_and_newlines(keys):
    keys(NEW_KEY)
    text = "Ça s'est mal passé — 心が痛む 🫶\nsecond line\t"

    assert crypto.decrypt(crypto.encrypt(text)) == text


def test_encrypt_same_text_twice_gives_different_tokens(keys):
    keys(NEW_KEY)

    assert crypto.encrypt(TEXT) != crypto.encrypt(TEXT)


def test_decrypt_old_token_after_new_key_is_prepended(keys):
    keys(OLD_KEY)
    token = crypto.encrypt(TEXT)

    keys(NEW_KEY, OLD_KEY)

    assert crypto.decrypt(token) == TEXT
    assert crypto.needs_rotation(token) is True
    assert crypto.needs_rotation(crypto.encrypt(TEXT)) is False


def test_rotate_gives_token_that_the_new_key_alone_opens(keys):
    keys(OLD_KEY)
    old_token = crypto.encrypt(TEXT)
    keys(NEW_KEY, OLD_KEY)

    new_token = crypto.rotate(old_token)
    keys(NEW_KEY)

    assert crypto.decrypt(new_token) == TEXT
    assert crypto.needs_rotation(new_token) is False
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(old_token)


def test_decrypt_with_wrong_key_raises_without_plaintext_or_token(keys):
    keys(OLD_KEY)
    token = crypto.encrypt(TEXT)
    keys(OTHER_KEY)

    with pytest.raises(crypto.DecryptionError) as raised:
        crypto.decrypt(token)

    assert str(raised.value) == DECRYPTION_ERROR
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__ is True


@pytest.mark.parametrize("token", ["", "not a token", "gAAAAAtampered", "gAAAAA-é"])
def test_decrypt_garbage_raises_decryption_error(keys, token):
    keys(NEW_KEY)

    with pytest.raises(crypto.DecryptionError, match=DECRYPTION_ERROR):
        crypto.decrypt(token)


def test_rotate_and_needs_rotation_refuse_unknown_tokens(keys):
    keys(OTHER_KEY)
    token = crypto.encrypt(TEXT)
    keys(NEW_KEY, OLD_KEY)

    with pytest.raises(crypto.DecryptionError, match=DECRYPTION_ERROR):
        crypto.rotate(token)
    with pytest.raises(crypto.DecryptionError, match=DECRYPTION_ERROR):
        crypto.needs_rotation(token)


def test_production_without_keys_raises_improperly_configured(settings, keys):
    settings.REFLECT_ENV = "production"
    keys()

    with pytest.raises(ImproperlyConfigured, match="REFLECT_ENCRYPTION_KEYS is required in production"):
        crypto.encrypt(TEXT)


def test_malformed_key_names_its_position_but_not_the_key(keys):
    keys(NEW_KEY, "not-a-fernet-key")

    with pytest.raises(ImproperlyConfigured) as raised:
        crypto.encrypt(TEXT)

    assert str(raised.value) == (
        "REFLECT_ENCRYPTION_KEYS: key 2 of 2 is not a Fernet key (32 url-safe base64-encoded bytes)."
    )


def test_development_key_file_is_created_private_and_reused(settings, keys, tmp_path):
    settings.REFLECT_ENV = "development"
    settings.VAR_DIR = tmp_path
    keys()

    token = crypto.encrypt(TEXT)
    key_file = tmp_path / "encryption_keys"
    written = key_file.read_text()
    crypto.reset_keys()

    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(written.splitlines()) == 1
    Fernet(written.strip())  # a valid key
    assert crypto.decrypt(token) == TEXT
    assert key_file.read_text() == written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["encryption_keys"]


def test_development_key_file_lists_newest_first(settings, keys, tmp_path):
    settings.REFLECT_ENV = "development"
    settings.VAR_DIR = tmp_path
    keys(OLD_KEY)
    old_token = crypto.encrypt(TEXT)
    (tmp_path / "encryption_keys").write_text(f"{NEW_KEY}\n{OLD_KEY}\n")
    keys()

    assert crypto.decrypt(old_token) == TEXT
    assert crypto.needs_rotation(old_token) is True
    assert crypto.needs_rotation(crypto.encrypt(TEXT)) is False


def test_environment_keys_win_over_the_development_key_file(settings, keys, tmp_path):
    settings.REFLECT_ENV = "development"
    settings.VAR_DIR = tmp_path
    keys(NEW_KEY)

    token = crypto.encrypt(TEXT)

    assert not (tmp_path / "encryption_keys").exists()
    assert Fernet(NEW_KEY).decrypt(token.encode()).decode() == TEXT


# --- reflect.fields.EncryptedTextField ---------------------------------------------


@pytest.fixture
def note_model(transactional_db, keys):
    """A throwaway model with encrypted fields, its table created for this test only.

    Schema changes on SQLite need autocommit, hence the transactional database."""
    keys(NEW_KEY, OLD_KEY)

    class EncryptedNote(models.Model):
        body = EncryptedTextField(max_length=60, blank=True)
        summary = EncryptedTextField(null=True, blank=True)

        class Meta:
            app_label = "reflect"

        def __str__(self):
            return f"note {self.pk}"  # never the text

    try:
        with connection.schema_editor() as editor:
            editor.create_model(EncryptedNote)
        yield EncryptedNote
        with connection.schema_editor() as editor:
            editor.delete_model(EncryptedNote)
    finally:
        del apps.all_models["reflect"]["encryptednote"]
        apps.clear_cache()


def _raw(model, pk, column="body"):
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def _insert_raw(model, body_token, summary_token=None):
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (body, summary) VALUES (%s, %s)", [body_token, summary_token])  # noqa: S608
    return model.objects.order_by("-pk").values_list("pk", flat=True).first()


def test_field_stores_a_token_and_loads_plaintext(note_model):
    note = note_model.objects.create(body=TEXT, summary="short")

    raw = _raw(note_model, note.pk)
    loaded = note_model.objects.get(pk=note.pk)

    assert raw.startswith("gAAAAA")
    assert "handover" not in raw
    assert crypto.decrypt(raw) == TEXT
    assert crypto.needs_rotation(raw) is False
    assert (loaded.body, loaded.summary) == (TEXT, "short")
    assert note_model.objects.values_list("body", flat=True).get() == TEXT


def test_field_stores_empty_and_null_as_is(note_model):
    note = note_model.objects.create(body="", summary=None)

    assert _raw(note_model, note.pk, "body") == ""
    assert _raw(note_model, note.pk, "summary") is None
    assert note_model.objects.filter(body="").get() == note
    assert note_model.objects.filter(summary__isnull=True).get() == note
    assert note_model.objects.filter(summary=None).get() == note
    assert not note_model.objects.filter(summary__isnull=False).exists()


def test_field_encrypts_through_update(note_model):
    note = note_model.objects.create(body="first")

    note_model.objects.filter(pk=note.pk).update(body=TEXT)

    assert crypto.decrypt(_raw(note_model, note.pk)) == TEXT
    note.refresh_from_db()
    assert note.body == TEXT


@pytest.mark.parametrize(
    ("lookup", "value"),
    [("body__icontains", "handover"), ("body__startswith", "Bed"), ("body__in", [TEXT]), ("body", TEXT)],
)
def test_field_refuses_lookups_on_ciphertext(note_model, lookup, value):
    lookup_name = lookup.partition("__")[2] or "exact"

    with pytest.raises(FieldError) as raised:
        note_model.objects.filter(**{lookup: value})

    assert str(raised.value) == (
        f"EncryptedNote.body is encrypted and cannot be searched: '{lookup_name}' is not supported "
        "(only isnull, and exact against '')."
    )


def test_field_max_length_limits_the_plaintext_not_the_column(note_model):
    text = "x" * 60
    note = note_model(body=text)
    note.full_clean()
    note.save()

    assert len(_raw(note_model, note.pk)) > 60
    with pytest.raises(ValidationError) as raised:
        note_model(body=text + "y").full_clean()
    assert list(raised.value.message_dict) == ["body"]
    assert note_model._meta.get_field("body").formfield().max_length == 60


def test_field_deconstructs_for_migrations():
    field = EncryptedTextField(max_length=60, blank=True)
    field.set_attributes_from_name("body")

    assert field.deconstruct() == ("body", "reflect.fields.EncryptedTextField", [], {"max_length": 60, "blank": True})


def test_field_check_reports_malformed_key(note_model, keys):
    keys("not-a-fernet-key")

    errors = note_model._meta.get_field("body").check()

    assert [(e.id, e.msg) for e in errors] == [
        ("reflect.E001", "REFLECT_ENCRYPTION_KEYS: key 1 of 1 is not a Fernet key (32 url-safe base64-encoded bytes).")
    ]


# --- manage.py rotate_encryption_keys ----------------------------------------------


def _run(*args):
    out, err = StringIO(), StringIO()
    call_command("rotate_encryption_keys", *args, stdout=out, stderr=err)
    return out.getvalue().splitlines(), err.getvalue()


def test_rotate_command_moves_old_tokens_to_the_newest_key(note_model, keys):
    keys(OLD_KEY)
    old = [note_model.objects.create(body=f"note {i}", summary=f"summary {i}") for i in range(3)]
    empty = note_model.objects.create(body="", summary=None)
    old_raw = {n.pk: _raw(note_model, n.pk) for n in old}
    keys(NEW_KEY, OLD_KEY)
    current = note_model.objects.create(body="already new")
    current_raw = _raw(note_model, current.pk)

    lines, _ = _run("--batch-size", "2")
    keys(NEW_KEY)

    assert "reflect.EncryptedNote rotated: 3" in lines
    assert lines[-1] == "total rotated: 3"
    for note in old:
        raw = _raw(note_model, note.pk)
        assert raw != old_raw[note.pk]
        assert crypto.decrypt(raw) == note.body
        assert crypto.decrypt(_raw(note_model, note.pk, "summary")) == note.summary
    assert _raw(note_model, current.pk) == current_raw
    assert (_raw(note_model, empty.pk, "body"), _raw(note_model, empty.pk, "summary")) == ("", None)
    assert sorted(note_model.objects.values_list("body", flat=True)) == [
        "",
        "already new",
        "note 0",
        "note 1",
        "note 2",
    ]


def test_rotate_command_is_idempotent(note_model, keys):
    keys(OLD_KEY)
    note = note_model.objects.create(body=TEXT)
    keys(NEW_KEY, OLD_KEY)
    _run()
    rotated_raw = _raw(note_model, note.pk)

    lines, _ = _run()

    assert "reflect.EncryptedNote rotated: 0" in lines
    assert lines[-1] == "total rotated: 0"
    assert _raw(note_model, note.pk) == rotated_raw


def test_rotate_command_check_counts_without_changing(note_model, keys):
    keys(OLD_KEY)
    note = note_model.objects.create(body=TEXT)
    note_model.objects.create(body="", summary="only the summary is old")
    keys(NEW_KEY, OLD_KEY)
    note_model.objects.create(body="new")
    raw = _raw(note_model, note.pk)
    out = StringIO()

    with pytest.raises(CommandError, match=r"^2 rows are not under the newest key\.$") as raised:
        call_command("rotate_encryption_keys", "--check", stdout=out)

    lines = out.getvalue().splitlines()
    assert raised.value.returncode == 1
    assert "reflect.EncryptedNote not under the newest key: 2" in lines
    assert lines[-1] == "total not under the newest key: 2"
    assert _raw(note_model, note.pk) == raw


def test_rotate_command_check_passes_when_all_current(note_model):
    note_model.objects.create(body=TEXT)

    lines, _ = _run("--check")

    assert "reflect.EncryptedNote not under the newest key: 0" in lines
    assert lines[-1] == "total not under the newest key: 0"


def test_rotate_command_reports_unreadable_rows_and_rotates_the_rest(note_model, keys):
    keys(OLD_KEY)
    readable = note_model.objects.create(body=TEXT)
    unreadable_pk = _insert_raw(note_model, Fernet(OTHER_KEY).encrypt(b"lost").decode())
    keys(NEW_KEY, OLD_KEY)
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError, match=r"^1 rows cannot be decrypted with any configured key\.$"):
        call_command("rotate_encryption_keys", stdout=out, stderr=err)

    assert "reflect.EncryptedNote rotated: 1" in out.getvalue().splitlines()
    assert err.getvalue() == f"reflect.EncryptedNote unreadable with the configured keys: 1 (pk {unreadable_pk})\n"
    assert "lost" not in out.getvalue() + err.getvalue()
    assert crypto.needs_rotation(_raw(note_model, readable.pk)) is False
