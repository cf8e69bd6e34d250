"""A finished NMC reflective account of nina's, and her partner priya, in the cast's
organisation; shared by the tests of feedback and sign-off."""

import html
import re
from datetime import UTC, datetime

import time_machine
from django.urls import reverse
from django_scopes import scope

from sessions_app.feedback import services
from sessions_app.reflections.models import Visibility
from sessions_app.reflections.services import reflection_save
from tests.factories import MembershipFactory

NOW = datetime(2027, 3, 15, 10, 0, tzinfo=UTC)  # a Monday morning in London
ANSWERS = {
    "what_was_it": "A CPD day on sepsis",
    "learned": "CANARY-REFLECTION escalate early",
    "changed": "I call the outreach team sooner",
    "code": "Preserve safety",
}
FEEDBACK = "CANARY-FEEDBACK: a thoughtful account"
NOTE = "CANARY-NOTE: for my revalidation"


def url(name, org, **kwargs):
    return reverse(name, kwargs={"org_slug": org.slug, **kwargs})


def text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def people(cast):
    with scope(organization=cast.org):
        nina = MembershipFactory(organization=cast.org, user__email="nina@example.org", user__display_name="Nina Nurse")
        priya = MembershipFactory(
            organization=cast.org, user__email="priya@example.org", user__display_name="Priya Partner"
        )
    return nina, priya


def account(author, *, answers=None, when=NOW, is_draft=False, reflection=None):
    with time_machine.travel(when, tick=False), scope(organization=author.organization):
        return reflection_save(
            author=author,
            template_key="nmc",
            answers=answers or ANSWERS,
            visibility=Visibility.PRIVATE,
            code_themes=["preserve_safety"],
            is_draft=is_draft,
            reflection=reflection,
        )


def share(reflection, reader, *, role="nmc_partner", when=NOW, **kwargs):
    with time_machine.travel(when, tick=False), scope(organization=reflection.organization):
        return services.feedback_share_create(
            reflection=reflection, author=reflection.author, reader=reader, role=role, **kwargs
        )


def sign(the_share, reader, *, number="12A3456E", when=NOW, day=None):
    with time_machine.travel(when, tick=False), scope(organization=reader.organization):
        return services.sign_off_give(
            share=the_share, reader=reader, name="Priya Partner", number=number, discussed_on=day or when.date()
        )
