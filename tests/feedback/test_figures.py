"""What admins see of feedback (issue 14 §2): per ended quarter, counts above k only,
never who, never what; and nothing at all of any share, feedback or sign-off itself."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib import admin
from django_scopes import scope

from sessions_app.feedback.models import FeedbackShare, SignOff
from sessions_app.insights.feedback_figures import feedback_figures_show
from tests.factories import MembershipFactory
from tests.feedback.helpers import ANSWERS, FEEDBACK, account, people, share, sign, text, url

pytestmark = [pytest.mark.evidence, pytest.mark.security, pytest.mark.django_db]

IN_Q1 = datetime(2027, 2, 10, 10, tzinfo=UTC)
APRIL = datetime(2027, 4, 10, 10, tzinfo=UTC)


def _authors(cast, count):
    with scope(organization=cast.org):
        return [
            MembershipFactory(organization=cast.org, user__display_name=f"Author{n}", user__email=f"a{n}@example.org")
            for n in range(count)
        ]


def test_counts_show_only_where_k_authors_contribute(cast):
    _nina, priya = people(cast)
    authors = _authors(cast, 5)
    for n, author in enumerate(authors):
        the_share = share(account(author, when=IN_Q1), priya, when=IN_Q1)
        if n < 4:
            sign(the_share, priya, when=IN_Q1)
    with scope(organization=cast.org):
        latest, *earlier = feedback_figures_show(organization=cast.org, now=APRIL)
    assert (latest.label, latest.shared, latest.signed) == ("2027 Q1", 5, None)
    assert [(q.label, q.shared, q.signed) for q in earlier] == [
        ("2026 Q4", None, None),
        ("2026 Q3", None, None),
        ("2026 Q2", None, None),
    ]


def test_a_quarter_once_shown_does_not_move_and_the_page_names_nobody(client, cast):
    _nina, priya = people(cast)
    for author in _authors(cast, 5):
        sign(share(account(author, when=IN_Q1), priya, when=IN_Q1), priya, when=IN_Q1)
    address = url("organization_attendance", cast.org)
    with time_machine.travel(APRIL, tick=False):
        client.force_login(cast.alice.user)
        before = text(client.get(address))
        with scope(organization=cast.org):
            FeedbackShare.objects.all().delete()
        after = text(client.get(address))
    assert before == after
    assert "2027 Q1 5 5" in after
    assert [word for word in ("Author", "Priya", ANSWERS["learned"], FEEDBACK) if word in after] == []


def test_the_django_admin_registers_no_share_and_no_sign_off():
    assert FeedbackShare not in admin.site._registry
    assert SignOff not in admin.site._registry
