from django.core import mail
from django.urls import reverse


def test_dev_mail_page_lists_what_the_file_backend_wrote(client, settings, tmp_path):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    mail.EmailMessage("Hello <world>", "Body line", to=["a@example.org"]).send()
    page = client.get(reverse("dev_mail")).content.decode()
    assert "Hello &lt;world&gt;" in page
    assert "Body line" in page


def test_dev_mail_page_is_404_outside_development(client, settings):
    settings.DEBUG = False
    assert client.get(reverse("dev_mail")).status_code == 404
