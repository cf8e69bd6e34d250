"""Users and relying parties of the test OpenID Connect provider, as the fixtures ask."""

import json
import sys

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from oauth2_provider.models import Application

from tests.sso.oidc_provider.validator import UNVERIFIED_GROUP


class Command(BaseCommand):
    help = "Read JSON from stdin: {'users': [...], 'clients': [...]}."

    def handle(self, *args, **options):
        spec = json.load(sys.stdin)
        for user in spec.get("users", []):
            self._user(**user)
        for client in spec.get("clients", []):
            self._client(**client)

    def _user(self, *, username, email, password, active=True, verified=True, name=""):
        user, _ = User.objects.update_or_create(
            username=username, defaults={"email": email, "is_active": active, "first_name": name}
        )
        user.set_password(password)
        user.save()
        group, _ = Group.objects.get_or_create(name=UNVERIFIED_GROUP)
        if verified:
            user.groups.remove(group)
        else:
            user.groups.add(group)

    def _client(self, *, client_id, client_secret, redirect_uris, skip_authorization=True):
        Application.objects.update_or_create(
            client_id=client_id,
            defaults={
                "client_secret": client_secret,
                "client_type": Application.CLIENT_CONFIDENTIAL,
                "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
                "redirect_uris": " ".join(redirect_uris),
                "algorithm": Application.RS256_ALGORITHM,
                "skip_authorization": skip_authorization,
                "name": client_id,
            },
        )
