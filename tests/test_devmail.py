"""The development mail page shows password-reset links: it must never open to anyone
who could reach a development server bound to 0.0.0.0."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

RESET_TEXT = "Reset your password: http://localhost:8000/accounts/password/reset/key/abc-123/"


@pytest.fixture
def written_mail(settings, tmp_path):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    mail.EmailMessage("Hello <world>", RESET_TEXT, to=["a@example.org"]).send()


@pytest.fixture
def superuser(db):
    # Staff reach nothing but the two-factor setup until they have it.
    user = UserFactory(email="root@example.org", is_superuser=True, is_staff=True)
    TOTP.activate(user, generate_totp_secret())
    return user


def test_dev_mail_page_lists_what_the_file_backend_wrote(client, written_mail, superuser):
    client.force_login(superuser)
    page = client.get(reverse("dev_mail"), REMOTE_ADDR="127.0.0.1").content.decode()
    assert "Hello &lt;world&gt;" in page
    assert RESET_TEXT in page


@pytest.mark.parametrize("address", ["::1", "127.0.0.5", "::ffff:127.0.0.1"])
def test_dev_mail_page_opens_to_a_superuser_on_any_loopback_address(client, written_mail, superuser, address):
    client.force_login(superuser)
    response = client.get(reverse("dev_mail"), REMOTE_ADDR=address)
    assert (response.status_code, RESET_TEXT in response.content.decode()) == (200, True)


@pytest.mark.security
@pytest.mark.django_db
def test_dev_mail_page_is_404_to_a_remote_client_even_with_host_localhost(client, written_mail, superuser):
    # BIND=0.0.0.0 with ALLOWED_HOSTS=localhost: an outsider only has to send Host: localhost.
    client.force_login(superuser)
    response = client.get(reverse("dev_mail"), REMOTE_ADDR="192.0.2.7", HTTP_HOST="localhost")
    assert response.status_code == 404
    assert RESET_TEXT not in response.content.decode()


@pytest.mark.security
@pytest.mark.django_db
def test_dev_mail_page_is_404_to_an_anonymous_loopback_client(client, written_mail):
    # A reverse proxy on the same machine makes every visitor look like 127.0.0.1.
    response = client.get(reverse("dev_mail"), REMOTE_ADDR="127.0.0.1", HTTP_HOST="localhost")
    assert response.status_code == 404
    assert RESET_TEXT not in response.content.decode()


@pytest.mark.security
def test_dev_mail_page_is_404_to_a_signed_in_non_superuser(client, written_mail, cast):
    client.force_login(cast.alice.user)
    response = client.get(reverse("dev_mail"), REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 404
    assert RESET_TEXT not in response.content.decode()


@pytest.mark.security
def test_dev_mail_page_is_404_outside_development(client, written_mail, superuser, settings):
    settings.DEBUG = False
    client.force_login(superuser)
    response = client.get(reverse("dev_mail"), REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 404
    assert RESET_TEXT not in response.content.decode()
