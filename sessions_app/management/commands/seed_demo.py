"""Create (or refresh) the demo organisations, people and cohorts. Safe to run repeatedly.

It lives in sessions_app, not accounts, because it seeds both apps' data and accounts
never imports sessions_app."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_scopes import scope, scopes_disabled

from accounts.models import Membership, Organization, Role, User
from sessions_app.demo import seed_cohorts

DEMO_PASSWORD = "reflect-demo"

ORGANIZATIONS = [
    ("st-marys", "St Mary's Hospital", "Europe/London"),
    ("northfield-chaplaincy", "Northfield Chaplaincy Programme", "Europe/London"),
]

# (email, display name, time zone, {org slug: role})
PEOPLE = [
    ("ada@stmarys.example", "Ada Okafor", "Europe/London", {"st-marys": Role.ADMIN}),
    ("farah@stmarys.example", "Farah Haddad", "Europe/London", {"st-marys": Role.FACILITATOR}),
    (
        "sam@stmarys.example",
        "Sam Whitfield",
        "Europe/London",
        {"st-marys": Role.MEMBER, "northfield-chaplaincy": Role.MEMBER},
    ),
    ("priya@stmarys.example", "Priya Raman", "Europe/London", {"st-marys": Role.MEMBER}),
    ("tom@stmarys.example", "Tom Brennan", "Europe/Dublin", {"st-marys": Role.MEMBER}),
    ("lucy@stmarys.example", "Lucy Chen", "Europe/London", {"st-marys": Role.MEMBER}),
    ("grace@northfield.example", "Grace Mensah", "Europe/London", {"northfield-chaplaincy": Role.ADMIN}),
    ("joel@northfield.example", "Joel Abrams", "Europe/London", {"northfield-chaplaincy": Role.FACILITATOR}),
    ("maria@northfield.example", "María Torres", "Europe/Madrid", {"northfield-chaplaincy": Role.MEMBER}),
    ("ben@northfield.example", "Ben Ito", "America/New_York", {"northfield-chaplaincy": Role.MEMBER}),
]


def _seed_person(email: str, name: str, time_zone: str) -> User:
    user, _ = User.objects.get_or_create(email=email, defaults={"display_name": name, "time_zone": time_zone})
    user.display_name = name
    user.time_zone = time_zone
    user.set_password(DEMO_PASSWORD)
    user.save()
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


class Command(BaseCommand):
    help = "Create the demo organisations and people (idempotent) and print their logins."

    def handle(self, *args, **options):
        if settings.REFLECT_ENV == "production":
            # It would turn real people's accounts at these addresses into published logins.
            raise CommandError(
                "seed_demo refuses to run with REFLECT_ENV=production: it would reset the demo logins' "
                f"passwords to the published {DEMO_PASSWORD}."
            )
        # A fixture-style command: it writes across organisations before any scope exists.
        with scopes_disabled(), transaction.atomic():
            organizations = {}
            for slug, name, time_zone in ORGANIZATIONS:
                organizations[slug], _ = Organization.objects.update_or_create(
                    slug=slug, defaults={"name": name, "time_zone": time_zone}
                )
            for email, name, time_zone, roles in PEOPLE:
                user = _seed_person(email, name, time_zone)
                for slug, role in roles.items():
                    Membership.objects.update_or_create(
                        organization=organizations[slug],
                        user=user,
                        defaults={"role": role, "is_active": True, "left_at": None},
                    )
            self._seed_cohorts(organizations)
        self._print_logins()

    def _seed_cohorts(self, organizations) -> None:
        for organization in organizations.values():
            with scope(organization=organization):
                seed_cohorts(organization)

    def _print_logins(self) -> None:
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Every demo login uses the password:"))
        self.stdout.write(f"    {DEMO_PASSWORD}")
        for email, name, _, roles in PEOPLE:
            where = ", ".join(f"{role.label.lower()} at {slug}" for slug, role in roles.items())
            self.stdout.write(f"  {email:<28} {name:<16} {where}")
