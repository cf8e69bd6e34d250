"""Logins: two-factor cannot be skipped (issue 8, section 1).

Every test here attacks a promise from docs/threat-model.md the way an outsider would:
through the login pages, the Django admin, and the database as stored.
"""

import importlib
from datetime import UTC, datetime
from io import StringIO

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from cryptography.fernet import Fernet
from django.apps import apps as django_apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from reflect import crypto
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.accounts, pytest.mark.security, pytest.mark.django_db]

# A known base32 secret, so tests can compute codes and look for it in pages and rows.
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = datetime(2027, 3, 14, 6, 45, tzinfo=UTC)


def _code(secret: str = SECRET) -> str:
    return format_hotp_value(hotp_value(secret, int(timezone.now().timestamp()) // 30))


def _with_totp(user: User) -> Authenticator:
    return TOTP.activate(user, SECRET).instance


@pytest.fixture
def operator(db) -> User:
    user = UserFactory(email="operator@example.org", is_staff=True, is_superuser=True)
    _with_totp(user)
    return user


# --- The Django admin's login goes through allauth ----------------------------------


def test_admin_login_form_does_not_log_a_totp_superuser_in_with_the_password_alone(client, operator, cast):
    response = client.post(reverse("admin:login"), {"username": operator.email, "password": PASSWORD})

    assert "_auth_user_id" not in client.session
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=%2Fadmin%2Flogin%2F"
    # And nothing tenant-side opened either.
    org_home = client.get(reverse("organization_home", kwargs={"org_slug": cast.org.slug}))
    assert org_home["Location"].startswith(reverse("account_login"))


def test_admin_login_is_the_allauth_login_with_its_two_factor_step(client, operator):
    with time_machine.travel(NOW, tick=False):
        admin_index = client.get(reverse("admin:index"))
        admin_login = client.get(admin_index["Location"])
        password_step = client.post(admin_login["Location"], {"login": operator.email, "password": PASSWORD})
        code_step = client.post(reverse("mfa_authenticate"), {"code": _code()})
        page = client.get(code_step["Location"])

    assert admin_index["Location"] == "/admin/login/?next=/admin/"
    assert admin_login["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    assert password_step["Location"] == reverse("mfa_authenticate")
    assert code_step["Location"] == "/admin/"
    assert "Site administration" in page.content.decode()


def test_thirty_wrong_admin_passwords_never_log_in_and_allauth_throttles_them(client, operator):
    for _ in range(30):
        client.post(reverse("admin:login"), {"username": operator.email, "password": "wrong password"})
    admin_attempt = client.post(reverse("admin:login"), {"username": operator.email, "password": PASSWORD})
    for _ in range(5):
        client.post(reverse("account_login"), {"login": operator.email, "password": "wrong password"})
    allauth_attempt = client.post(reverse("account_login"), {"login": operator.email, "password": PASSWORD})

    assert admin_attempt["Location"].startswith(reverse("account_login"))
    assert "Too many failed login attempts. Try again later." in allauth_attempt.content.decode()
    assert "_auth_user_id" not in client.session


# --- Two-factor secrets are encrypted at rest and never shown -----------------------


def _raw_data(authenticator: Authenticator) -> dict:
    # values() reads the column as stored, bypassing any model-level decoding.
    return Authenticator.objects.filter(pk=authenticator.pk).values_list("data", flat=True).get()


def test_totp_secret_is_stored_as_a_token_that_the_project_keys_open(operator):
    stored = _raw_data(Authenticator.objects.get(user=operator, type=Authenticator.Type.TOTP))

    assert stored["secret"] != SECRET
    assert SECRET not in str(stored)
    assert crypto.decrypt(stored["secret"]) == SECRET


def test_recovery_code_seed_is_stored_encrypted(operator):
    codes = RecoveryCodes.activate(operator)
    stored = _raw_data(codes.instance)

    seed = crypto.decrypt(stored["seed"])
    assert len(seed) == 80
    assert seed not in str(stored)
    assert codes.validate_code(codes.generate_codes()[0]) is True


def test_django_admin_never_shows_a_two_factor_secret(client, operator):
    totp = Authenticator.objects.get(user=operator, type=Authenticator.Type.TOTP)
    token = _raw_data(totp)["secret"]
    client.force_login(operator)

    pages = [
        client.get(reverse("admin:mfa_authenticator_changelist")),
        client.get(reverse("admin:mfa_authenticator_change", args=[totp.pk])),
        client.get(reverse("admin:mfa_authenticator_history", args=[totp.pk])),
    ]

    assert [page.status_code for page in pages] == [200, 200, 200]
    for page in pages:
        html = page.content.decode()
        assert SECRET not in html
        assert token not in html
        assert "secret" not in html.lower()
    # Nothing to type a secret into either: the admin cannot add or edit the data.
    assert client.get(reverse("admin:mfa_authenticator_add")).status_code == 403


def test_secrets_stored_in_the_clear_before_are_encrypted_by_the_migration(operator, django_assert_num_queries):
    migration = importlib.import_module("accounts.migrations.0005_encrypt_two_factor_secrets")
    plain_totp = UserFactory()
    Authenticator.objects.create(user=plain_totp, type=Authenticator.Type.TOTP, data={"secret": SECRET})
    Authenticator.objects.create(
        user=plain_totp, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "ab" * 40, "used_mask": 0}
    )
    already = _raw_data(Authenticator.objects.get(user=operator, type=Authenticator.Type.TOTP))

    migration.encrypt_secrets(django_apps, None)
    migration.encrypt_secrets(django_apps, None)  # a second run must not encrypt twice

    totp = _raw_data(Authenticator.objects.get(user=plain_totp, type=Authenticator.Type.TOTP))
    codes = _raw_data(Authenticator.objects.get(user=plain_totp, type=Authenticator.Type.RECOVERY_CODES))
    assert crypto.decrypt(totp["secret"]) == SECRET
    assert (crypto.decrypt(codes["seed"]), codes["used_mask"]) == ("ab" * 40, 0)
    assert _raw_data(Authenticator.objects.get(user=operator, type=Authenticator.Type.TOTP)) == already


def test_key_rotation_moves_two_factor_secrets_so_the_old_key_can_go(settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.REFLECT_ENCRYPTION_KEYS = [old_key]
    person = UserFactory()
    TOTP.activate(person, SECRET)
    RecoveryCodes.activate(person)
    codes_before = RecoveryCodes(Authenticator.objects.get(user=person, type="recovery_codes")).generate_codes()
    settings.REFLECT_ENCRYPTION_KEYS = [new_key, old_key]

    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out, stderr=StringIO())
    settings.REFLECT_ENCRYPTION_KEYS = [new_key]

    assert "mfa.Authenticator rotated: 2" in out.getvalue().splitlines()
    totp = Authenticator.objects.get(user=person, type="totp")
    assert crypto.decrypt(_raw_data(totp)["secret"]) == SECRET
    with time_machine.travel(NOW, tick=False):
        assert totp.wrap().validate_code(_code()) is True
    codes = RecoveryCodes(Authenticator.objects.get(user=person, type="recovery_codes"))
    assert codes.generate_codes() == codes_before
