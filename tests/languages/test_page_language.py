"""Which language pages speak: the person's choice (their profile page), else their
organisation's default inside ``/o/<slug>/``, else the browser's, else British English;
and a language switch for people not signed in."""

import pytest
from django.urls import reverse

from accounts.models import User

pytestmark = [pytest.mark.i18n, pytest.mark.django_db]


def _profile_form(user, **changes):
    return {"display_name": user.display_name, "time_zone": user.time_zone, "language": user.language, **changes}


def test_choosing_welsh_on_the_profile_page_turns_the_next_page_welsh(client, cast):
    client.force_login(cast.bob.user)
    before = client.get(reverse("profile"))
    assert before["Content-Language"] == "en-gb"
    assert '<label for="id_language">Language:</label>' in before.content.decode()

    saved = client.post(reverse("profile"), _profile_form(cast.bob.user, language="cy"))
    after = client.get(saved["Location"])

    assert User.objects.get(pk=cast.bob.user_id).language == "cy"
    assert after["Content-Language"] == "cy"
    assert '<label for="id_language">Iaith:</label>' in after.content.decode()


def test_choosing_the_organisation_default_again_clears_the_choice(client, cast):
    User.objects.filter(pk=cast.bob.user_id).update(language="cy")
    cast.bob.user.refresh_from_db()
    client.force_login(cast.bob.user)

    client.post(reverse("profile"), _profile_form(cast.bob.user, language=""))

    assert User.objects.get(pk=cast.bob.user_id).language == ""
    assert client.get(reverse("profile"))["Content-Language"] == "en-gb"


def test_organisation_default_applies_to_a_person_who_never_chose(client, cast):
    cast.org.default_language = "cy"
    cast.org.save(update_fields=["default_language"])
    client.force_login(cast.bob.user)

    page = client.get(reverse("organization_home", kwargs={"org_slug": cast.org.slug}))

    assert page.status_code == 200
    assert page["Content-Language"] == "cy"


def test_own_choice_beats_the_organisation_default(client, cast):
    cast.org.default_language = "cy"
    cast.org.save(update_fields=["default_language"])
    User.objects.filter(pk=cast.bob.user_id).update(language="en-gb")
    client.force_login(cast.bob.user)

    page = client.get(reverse("organization_home", kwargs={"org_slug": cast.org.slug}))

    assert page["Content-Language"] == "en-gb"


@pytest.mark.security
def test_another_organisations_default_is_not_revealed_to_a_non_member(client, cast):
    cast.other_org.default_language = "cy"
    cast.other_org.save(update_fields=["default_language"])
    client.force_login(cast.bob.user)

    page = client.get(reverse("organization_home", kwargs={"org_slug": cast.other_org.slug}))

    assert (page.status_code, page["Content-Language"]) == (404, "en-gb")


def test_signed_out_visitor_gets_the_browsers_language_and_can_switch(client):
    login = reverse("account_login")
    assert client.get(login, headers={"accept-language": "cy"})["Content-Language"] == "cy"
    page = client.get(login)
    assert page["Content-Language"] == "en-gb"
    assert 'action="/i18n/setlang/"' in page.content.decode()

    switched = client.post(reverse("set_language"), {"language": "cy", "next": login})

    assert switched["Location"] == login
    after = client.get(login).content.decode()
    assert '<label for="language-switch">Iaith</label>' in after
    assert '<option value="cy" selected>Cymraeg</option>' in after
    assert '<option value="en-gb">English (Saesneg)</option>' in after
