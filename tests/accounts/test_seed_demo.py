"""seed_demo sets every demo login's password to one the README publishes: it must not
run against a production database."""

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scopes_disabled

from accounts.models import Organization, User
from tests.factories import UserFactory


@pytest.mark.security
@pytest.mark.django_db
def test_seed_demo_refuses_to_run_in_production(settings):
    settings.REFLECT_ENV = "production"
    ada = UserFactory(email="ada@stmarys.example", password="her-own-long-password")
    with pytest.raises(CommandError) as refused:
        call_command("seed_demo")
    assert str(refused.value) == (
        "seed_demo refuses to run with REFLECT_ENV=production: it would reset the demo logins' "
        "passwords to the published reflect-demo."
    )
    ada.refresh_from_db()
    assert (ada.check_password("her-own-long-password"), ada.check_password("reflect-demo")) == (True, False)
    with scopes_disabled():
        assert list(Organization.objects.values_list("slug", flat=True)) == []
    assert User.objects.count() == 1
