"""Logins: two-factor cannot be skipped (issue 8, section 1).

Every test here attacks a promise from docs/threat-model.md the way an outsider would:
through the login pages, the Django admin, and the database as stored.
"""

from datetime import UTC, datetime

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
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
