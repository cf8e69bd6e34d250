"""Logins: two-factor cannot be skipped (issue 8, section 1).

Every test here attacks a promise from docs/threat-model.md the way an outsider would:
through the login pages, the Django admin, and the database as stored.
"""

import importlib
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from cryptography.fernet import Fernet
from django.apps import apps as django_apps
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scope

from accounts.models import Organization, Role, User
from reflect import crypto
from reflect.settings import BASE_DIR
from tests.factories import PASSWORD, MembershipFactory, UserFactory, totp_code

pytestmark = [pytest.mark.accounts, pytest.mark.security, pytest.mark.django_db]

# A known base32 secret, so tests can compute codes and look for it in pages and rows.
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = datetime(2027, 3, 14, 6, 45, tzinfo=UTC)


def _code(secret: str = SECRET) -> str:
    return totp_code(secret)


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


def test_guessing_the_two_factor_code_is_throttled(client, operator):
    # Held by allauth before this work too; pinned because the admin now relies on it.
    with time_machine.travel(NOW, tick=False):
        client.post(reverse("account_login"), {"login": operator.email, "password": PASSWORD})
        wrong = [client.post(reverse("mfa_authenticate"), {"code": "000000"}) for _ in range(5)]
        right = client.post(reverse("mfa_authenticate"), {"code": _code()})

    assert ["Incorrect code." in response.content.decode() for response in wrong] == [True] * 5
    assert "Too many failed login attempts. Try again later." in right.content.decode()
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


# --- Two-factor required: staff always, organisations by role -----------------------

TOTP_SETUP = "/accounts/2fa/totp/activate/"


def _org_home(org) -> str:
    return reverse("organization_home", kwargs={"org_slug": org.slug})


def _require(org, requirement: str) -> None:
    Organization.objects.filter(pk=org.pk).update(two_factor_required=requirement)


def test_staff_without_two_factor_reach_only_its_setup(client, cast):
    staff = UserFactory(email="staff@example.org", is_staff=True, is_superuser=True)
    with scope(organization=cast.org):
        MembershipFactory(organization=cast.org, user=staff)
    before = (staff.display_name, staff.time_zone)
    client.force_login(staff)

    admin_index = client.get(reverse("admin:index"))
    org_home = client.get(_org_home(cast.org))
    export = client.get(reverse("my_data_json"))
    post = client.post(reverse("profile"), {"display_name": "Changed", "time_zone": "Europe/Paris"})
    setup = client.get(TOTP_SETUP, follow=True)

    assert [admin_index["Location"], org_home["Location"], export["Location"], post["Location"]] == [TOTP_SETUP] * 4
    staff.refresh_from_db()
    assert (staff.display_name, staff.time_zone) == before
    # The setup starts with a fresh password (allauth's reauthentication), which is reachable.
    assert setup.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    assert setup.status_code == 200
    assert (
        "Set up two-factor authentication to continue: Reflect asks it of everyone who runs the site."
        in setup.content.decode()
    )


@pytest.mark.parametrize(
    ("requirement", "blocked"),
    [
        ("nobody", []),
        ("admins", ["alice"]),
        ("facilitators", ["alice", "fiona"]),
        ("everyone", ["alice", "bob", "fiona"]),
    ],
)
def test_organisation_requirement_covers_exactly_its_roles(client, cast, requirement, blocked):
    with scope(organization=cast.org):
        fiona = MembershipFactory(organization=cast.org, role=Role.FACILITATOR, user__email="fiona@example.org")
    people = {"alice": cast.alice.user, "fiona": fiona.user, "bob": cast.bob.user}
    _require(cast.org, requirement)

    landed = {}
    for name, user in people.items():
        client.force_login(user)
        landed[name] = client.get(_org_home(cast.org)).get("Location")
        client.logout()

    assert sorted(name for name, location in landed.items() if location == TOTP_SETUP) == blocked
    assert all(landed[name] is None for name in people if name not in blocked)


def test_requirement_follows_the_person_outside_the_organisation(client, cast):
    _require(cast.org, "everyone")
    client.force_login(cast.bob.user)

    assert client.get(reverse("home"))["Location"] == TOTP_SETUP
    assert client.get(reverse("my_data"))["Location"] == TOTP_SETUP
    # Charlie's organisation asks nothing of him.
    client.force_login(cast.charlie.user)
    assert client.get(_org_home(cast.other_org)).status_code == 200


def test_person_who_sets_up_two_factor_reaches_everything_again(client, cast):
    _require(cast.org, "everyone")
    with time_machine.travel(NOW, tick=False):
        client.post(reverse("account_login"), {"login": "bob@example.org", "password": PASSWORD})
        blocked = client.get(_org_home(cast.org))
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        client.get(TOTP_SETUP)
        secret = client.session["mfa.totp.secret"]
        activated = client.post(TOTP_SETUP, {"code": _code(secret)})
        home = client.get(_org_home(cast.org))

    assert blocked["Location"] == TOTP_SETUP
    assert activated.status_code == 302
    assert home.status_code == 200


def test_requirement_switched_on_reaches_people_already_signed_in(client, cast):
    with time_machine.travel(NOW, tick=False) as clock:
        client.force_login(cast.bob.user)
        before = client.get(_org_home(cast.org))
        _require(cast.org, "everyone")
        clock.shift(timedelta(minutes=5, seconds=1))
        after = client.get(_org_home(cast.org))

    assert before.status_code == 200
    assert after["Location"] == TOTP_SETUP


def test_logout_stays_reachable_while_two_factor_is_missing(client, cast):
    _require(cast.org, "everyone")
    client.force_login(cast.bob.user)

    response = client.post(reverse("account_logout"))

    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session


def test_two_factor_cannot_be_switched_off_where_it_is_required(client, cast):
    _require(cast.org, "admins")
    TOTP.activate(cast.alice.user, SECRET)
    client.force_login(cast.alice.user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    response = client.post(reverse("mfa_deactivate_totp"))

    assert Authenticator.objects.filter(user=cast.alice.user, type="totp").exists()
    assert "You cannot deactivate two-factor authentication." in response.content.decode()


def _security_url(org) -> str:
    return reverse("organization_security", kwargs={"org_slug": org.slug})


def test_admin_sets_the_requirement_after_a_fresh_password(client, cast):
    TOTP.activate(cast.alice.user, SECRET)
    client.force_login(cast.alice.user)

    page = client.get(_security_url(cast.org)).content.decode()
    stale = client.post(_security_url(cast.org), {"two_factor_required": "facilitators"})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    saved = client.post(_security_url(cast.org), {"two_factor_required": "facilitators"}, follow=True)

    assert '<option value="facilitators">Facilitators and admins</option>' in page
    assert stale["Location"].startswith(reverse("account_reauthenticate"))
    cast.org.refresh_from_db()
    assert cast.org.two_factor_required == "facilitators"
    assert "Two-factor authentication is now required for facilitators and admins." in saved.content.decode()


def test_unknown_requirement_is_a_form_error_and_changes_nothing(client, cast):
    client.force_login(cast.alice.user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    response = client.post(_security_url(cast.org), {"two_factor_required": "robots"})

    assert "Select a valid choice. robots is not one of the available choices." in response.content.decode()
    cast.org.refresh_from_db()
    assert cast.org.two_factor_required == "nobody"


def test_members_cannot_change_the_requirement(client, cast):
    client.force_login(cast.bob.user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    response = client.post(_security_url(cast.org), {"two_factor_required": "nobody"})

    assert response.status_code == 403


# --- Sensitive actions ask for a fresh login ----------------------------------------

REAUTH = reverse("account_reauthenticate")


def _reauthenticate(client) -> None:
    client.post(REAUTH, {"password": PASSWORD})


@pytest.mark.parametrize("name", ["my_data_json", "my_data_markdown"])
def test_exporting_all_data_asks_for_a_fresh_login(client, cast, name):
    with time_machine.travel(NOW, tick=False) as clock:
        client.post(reverse("account_login"), {"login": "bob@example.org", "password": PASSWORD})
        asked = client.get(reverse(name))
        _reauthenticate(client)
        fresh = client.get(reverse(name))
        clock.shift(timedelta(minutes=5, seconds=1))
        stale = client.get(reverse(name))

    assert asked["Location"] == f"{REAUTH}?next=%2Fme%2Fdata%2F{reverse(name).rsplit('/', 1)[1]}"
    assert fresh.status_code == 200
    assert fresh["Content-Disposition"].startswith('attachment; filename="reflect-my-data-2027-03-14.')
    assert stale["Location"].startswith(f"{REAUTH}?next=")


def test_deleting_the_account_asks_for_a_fresh_login_then_goes_ahead(client, cast):
    client.force_login(cast.bob.user)

    asked = client.post(reverse("my_data_delete"), {"email": "bob@example.org"})
    still_there = User.objects.filter(pk=cast.bob.user.pk).exists()
    resumed = client.post(f"{REAUTH}?next={reverse('my_data_delete')}", {"password": PASSWORD})

    assert asked["Location"] == f"{REAUTH}?next=%2Fme%2Fdata%2Fdelete%2F"
    assert still_there is True
    # allauth resumes the suspended POST once the password is given again.
    assert resumed["Location"] == reverse("account_login")
    assert not User.objects.filter(pk=cast.bob.user.pk).exists()


def test_wrong_password_at_the_fresh_login_deletes_nothing(client, cast):
    client.force_login(cast.bob.user)
    client.post(reverse("my_data_delete"), {"email": "bob@example.org"})

    response = client.post(f"{REAUTH}?next={reverse('my_data_delete')}", {"password": "wrong password"})

    assert "Incorrect password." in response.content.decode()
    assert User.objects.filter(pk=cast.bob.user.pk).exists()


def test_adding_an_email_address_asks_for_a_fresh_login(client, cast):
    client.force_login(cast.bob.user)

    response = client.post(reverse("account_email"), {"action_add": "", "email": "bob.new@example.org"})

    assert response["Location"].startswith(f"{REAUTH}?next=")
    assert not EmailAddress.objects.filter(email="bob.new@example.org").exists()


def test_changing_the_password_asks_for_a_fresh_login(client, cast):
    client.force_login(cast.bob.user)
    new = "a different quiet room"

    page = client.get(reverse("account_change_password"))
    post = client.post(
        reverse("account_change_password"), {"oldpassword": PASSWORD, "password1": new, "password2": new}
    )

    assert page["Location"].startswith(f"{REAUTH}?next=")
    assert post["Location"].startswith(f"{REAUTH}?next=")
    cast.bob.user.refresh_from_db()
    assert cast.bob.user.check_password(PASSWORD)


def test_admin_password_change_is_allauths_with_its_fresh_login(client, operator):
    client.force_login(operator)

    response = client.get(reverse("admin:password_change"))

    assert response["Location"] == reverse("account_change_password")
    assert client.get(response["Location"])["Location"].startswith(f"{REAUTH}?next=")


def test_switching_two_factor_off_asks_for_a_fresh_login(client, operator):
    # Held by allauth before this work too (MFA_REAUTHENTICATION_REQUIRED defaults on);
    # pinned here so a settings change cannot quietly drop it.
    client.force_login(operator)

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response["Location"].startswith(f"{REAUTH}?next=")
    assert Authenticator.objects.filter(user=operator, type="totp").exists()


# --- Sessions end: idle timeout and absolute lifetime -------------------------------

SIGNED_OUT_IDLE = "You were signed out after 60 minutes without activity. Sign in again to carry on."
SIGNED_OUT_LIFETIME = "You were signed out because a sign-in lasts 12 hours. Sign in again to carry on."


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_idle_session_ends_after_sixty_minutes_by_default(client, cast):
    home = _org_home(cast.org)
    with time_machine.travel(NOW, tick=False) as clock:
        client.post(reverse("account_login"), {"login": "bob@example.org", "password": PASSWORD})
        clock.shift(timedelta(minutes=59))
        kept = client.get(home)
        clock.shift(timedelta(minutes=60, seconds=1))
        ended = client.get(home, follow=True)

    assert kept.status_code == 200
    assert ended.redirect_chain == [(f"{reverse('account_login')}?next={home}", 302)]
    assert SIGNED_OUT_IDLE in ended.content.decode()
    assert not _signed_in(client)


def test_busy_session_still_ends_twelve_hours_after_login_by_default(client, cast):
    home = _org_home(cast.org)
    with time_machine.travel(NOW, tick=False) as clock:
        client.post(reverse("account_login"), {"login": "bob@example.org", "password": PASSWORD})
        statuses = []
        for _ in range(14):  # a page every 50 minutes: never idle, up to 11 h 40 min
            clock.shift(timedelta(minutes=50))
            statuses.append(client.get(home).status_code)
        clock.shift(timedelta(minutes=20, seconds=1))
        ended = client.get(home, follow=True)

    assert statuses == [200] * 14
    assert SIGNED_OUT_LIFETIME in ended.content.decode()
    assert not _signed_in(client)


def test_session_limits_are_configurable(client, cast, settings):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 5
    settings.SESSION_ABSOLUTE_TIMEOUT_HOURS = 1
    home = _org_home(cast.org)
    with time_machine.travel(NOW, tick=False) as clock:
        client.force_login(cast.bob.user)
        clock.shift(timedelta(minutes=4))
        kept = client.get(home)
        clock.shift(timedelta(minutes=5, seconds=1))
        idle = client.get(home, follow=True)
        client.force_login(cast.bob.user)
        for _ in range(15):
            clock.shift(timedelta(minutes=4))
            client.get(home)
        lifetime = client.get(home, follow=True)

    assert kept.status_code == 200
    assert "You were signed out after 5 minutes without activity." in idle.content.decode()
    assert "You were signed out because a sign-in lasts 1 hour." in lifetime.content.decode()


def test_a_new_login_starts_a_new_lifetime(client, cast):
    with time_machine.travel(NOW, tick=False) as clock:
        client.force_login(cast.bob.user)
        clock.shift(timedelta(hours=11, minutes=59))
        client.logout()
        client.force_login(cast.bob.user)
        clock.shift(timedelta(minutes=30))
        response = client.get(_org_home(cast.org))

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SESSION_IDLE_TIMEOUT_MINUTES", "0", "SESSION_IDLE_TIMEOUT_MINUTES=0 must be at least 1."),
        ("SESSION_ABSOLUTE_TIMEOUT_HOURS", "-2", "SESSION_ABSOLUTE_TIMEOUT_HOURS=-2 must be at least 1."),
        ("SESSION_IDLE_TIMEOUT_MINUTES", "an hour", "SESSION_IDLE_TIMEOUT_MINUTES='an hour' is not an integer."),
    ],
)
def test_bad_session_limits_stop_start_up(name, value, message):
    env = {k: v for k, v in os.environ.items() if k not in {"PYTEST_VERSION", "REFLECT_ENV"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env={**env, name: value},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert message in result.stderr
