"""Uploads are capped while they arrive: a file over the limit is never written to a
temporary file on disk, and the person gets the import form back with a clear error."""

import pytest
from django.core.files import uploadedfile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sessions_app.imports.models import CohortImport
from tests.factories import CohortFactory

pytestmark = [pytest.mark.django_db]

TOO_LARGE = "The file is larger than 2 MB. Split it into smaller files and import them one by one."
LIMIT = 2 * 1024 * 1024


@pytest.fixture
def spooled(monkeypatch):
    """Every temporary upload file Django creates (TemporaryUploadedFile spools to disk)."""
    created = []
    real_init = uploadedfile.TemporaryUploadedFile.__init__

    def recording_init(self, *args, **kwargs):
        created.append(args[0] if args else kwargs.get("name"))
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(uploadedfile.TemporaryUploadedFile, "__init__", recording_init)
    return created


def _post(client, cast, content: bytes):
    cohort = CohortFactory(organization=cast.org)
    url = reverse("cohort_import", kwargs={"org_slug": cast.org.slug, "cohort_id": cohort.public_id})
    client.force_login(cast.alice.user)
    return client.post(url, {"file": SimpleUploadedFile("people.csv", content, "text/csv")})


@pytest.mark.security
@pytest.mark.parametrize("size", [LIMIT + 1, 3 * LIMIT, 20 * LIMIT], ids=["one-byte-over", "6-MB", "40-MB"])
def test_upload_over_the_cap_is_a_form_error_and_never_spooled_to_disk(client, cast, unscoped, spooled, size):
    response = _post(client, cast, b"name,email\n" + b"x" * (size - 11))
    assert response.status_code == 200
    assert TOO_LARGE in response.content.decode()
    assert spooled == []
    assert CohortImport.objects.count() == 0


def test_upload_at_the_cap_is_read_in_full(client, cast, unscoped, spooled):
    # Exactly 2 MB of rows: past the size check, so the next check (rows) answers.
    row = b"Bob,bob@example.org\n"
    content = b"name,email\n" + row * ((LIMIT - 11) // len(row))
    content += b"#" * (LIMIT - len(content))
    response = _post(client, cast, content)
    assert len(content) == LIMIT
    assert TOO_LARGE not in response.content.decode()
    assert "The file has more than 5,000 people." in response.content.decode()
    assert spooled == []
