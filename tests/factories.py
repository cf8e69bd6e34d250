"""Factories that do nothing surprising: a membership brings its user and organisation."""

from datetime import time

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.utils import timezone

from accounts.models import Invitation, Membership, Organization, Role, User
from sessions_app.cohorts.models import Cohort, CohortMember, CohortRole
from sessions_app.meetings.models import Meeting, Series
from sessions_app.notifications.models import Notification, NotificationKind, NotificationPriority
from sessions_app.reflections.models import Reflection, Visibility

PASSWORD = "correct horse battery"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        # allauth's mandatory verification: factory people can log in straight away.
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = Role.MEMBER
    expires_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=14))


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Cohort {n}")
    kind = "custom"
    ground_rules = ""


class CohortMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CohortMember

    cohort = factory.SubFactory(CohortFactory)
    organization = factory.SelfAttribute("cohort.organization")
    membership = factory.SubFactory(MembershipFactory, organization=factory.SelfAttribute("..cohort.organization"))
    role = CohortRole.MEMBER


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    cohort = factory.SubFactory(CohortFactory)
    organization = factory.SelfAttribute("cohort.organization")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=2))
    ends_at = factory.LazyAttribute(lambda m: m.starts_at + timezone.timedelta(hours=1))
    time_zone = "Europe/London"


class SeriesFactory(factory.django.DjangoModelFactory):
    """A weekly hour at nine, London time, starting in three days."""

    class Meta:
        model = Series

    cohort = factory.SubFactory(CohortFactory)
    organization = factory.SelfAttribute("cohort.organization")
    rrule = "FREQ=WEEKLY"
    first_date = factory.LazyFunction(lambda: (timezone.now() + timezone.timedelta(days=3)).date())
    start_time = time(9)
    time_zone = "Europe/London"
    duration_minutes = 60


class ReflectionFactory(factory.django.DjangoModelFactory):
    """A finished private note; ``answers`` goes through the model's encrypting setter."""

    class Meta:
        model = Reflection

    author = factory.SubFactory(MembershipFactory)
    organization = factory.SelfAttribute("author.organization")
    template_key = "one_thing"
    template_name = "One thing"
    visibility = Visibility.PRIVATE
    is_draft = False
    answers = factory.LazyFunction(lambda: {"note": "a long week"})


class NotificationFactory(factory.django.DjangoModelFactory):
    """A pending "a place freed up" message, due now, for a new member."""

    class Meta:
        model = Notification

    recipient = factory.SubFactory(MembershipFactory)
    organization = factory.SelfAttribute("recipient.organization")
    kind = NotificationKind.PROMOTION
    priority = NotificationPriority.NORMAL
    idempotency_key = factory.Sequence(lambda n: f"test:{n}")
    due_at = factory.LazyFunction(timezone.now)


def totp_code(secret: str) -> str:
    """The code an authenticator app shows for ``secret`` now (the test's clock)."""
    return format_hotp_value(hotp_value(secret, int(timezone.now().timestamp()) // 30))
