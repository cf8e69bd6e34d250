"""Create an organisation and invite its first admin: the site operator's job.

    manage.py create_organization "St Elsewhere Hospital" st-elsewhere ada@st-elsewhere.nhs.uk

The admin gets an invitation e-mail (sent by the Celery worker) and, once they accept
it, runs everything else from the organisation's own pages. Nothing is created when
anything is wrong.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.governance.services import organization_create


class Command(BaseCommand):
    help = "Create an organisation and send its first admin an invitation."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The organisation's name, as people will see it.")
        parser.add_argument("slug", help="Its short name in addresses: /o/<slug>/ (letters, digits, hyphens).")
        parser.add_argument("admin_email", help="The first admin's e-mail address; they get an invitation.")
        parser.add_argument("--time-zone", default="Europe/London", help="Default Europe/London.")

    def handle(self, *args, name, slug, admin_email, time_zone, **options):
        try:
            organization, invitation = organization_create(
                name=name, slug=slug, admin_email=admin_email, time_zone=time_zone
            )
        except ValidationError as error:
            raise CommandError("Nothing was created. " + " ".join(_messages(error))) from None
        self.stdout.write(
            f"Created {organization.name} at /o/{organization.slug}/ and invited {invitation.email} as its admin "
            f"(the invitation is valid until {invitation.expires_at:%Y-%m-%d %H:%M} UTC)."
        )


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [f"{field.replace('_', ' ')}: {message}" for field, ms in error.message_dict.items() for message in ms]
    return list(error.messages)
