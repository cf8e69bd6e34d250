"""Model fields whose values are encrypted at rest (see ``reflect.crypto``)."""

from django.core import checks
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.lookups import Exact, IsNull

from reflect import crypto
from reflect.ids import PUBLIC_ID_LENGTH, new_public_id


class _EmptyOnlyExact(Exact):
    """``field=""`` still works (empty text is stored as ""); any other value would be
    encrypted with a fresh random IV and silently never match, so it is refused."""

    def get_prep_lookup(self):
        # ``field=None`` is built here first and then turned into ``isnull`` by the query.
        if self.rhs is not None and self.rhs != "":
            raise FieldError(_not_searchable(self.lhs.output_field, "exact"))
        return super().get_prep_lookup()


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token and handed to Python as the plaintext ``str``.

    ``""`` is stored as ``""`` (and ``None`` as NULL when ``null=True``). ``max_length``
    limits the plaintext, in forms and ``full_clean()``; the column has no limit, since
    a token is about 1.4 times longer than its text. The ciphertext cannot be searched,
    so the only lookups are ``isnull`` and ``exact`` against ``""``.
    """

    description = "Text encrypted at rest"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            # Appended like CharField does, so deconstruct() does not repeat it.
            self.validators.append(MaxLengthValidator(self.max_length))

    def check(self, **kwargs):
        return [*super().check(**kwargs), *self._check_encryption_keys()]

    def _check_encryption_keys(self):
        # Surfaces a malformed key at `check`/`migrate` time rather than on the first save.
        try:
            crypto.encrypt("")
        except ImproperlyConfigured as error:
            return [checks.Error(str(error), obj=self, id="reflect.E001")]
        return []

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return _EmptyOnlyExact
        if lookup_name == "isnull":
            return IsNull
        if super().get_lookup(lookup_name) is not None:
            # A lookup that would run against the ciphertext (contains, in, startswith…):
            # say why instead of returning a query that silently never matches.
            raise FieldError(_not_searchable(self, lookup_name))
        # Unknown names go back to Django, which reports them as unsupported.
        return None

    def get_transform(self, lookup_name):
        # Lower(), Length() and friends would work on the ciphertext: none apply.
        return None


def _not_searchable(field, lookup_name: str) -> str:
    return (
        f"{field.model.__name__}.{field.name} is encrypted and cannot be searched: "
        f"'{lookup_name}' is not supported (only isnull, and exact against '')."
    )


def public_id_field():
    """The random public id every row shown in a URL carries (never the primary key)."""
    return models.CharField(max_length=PUBLIC_ID_LENGTH * 2, unique=True, default=new_public_id, editable=False)
