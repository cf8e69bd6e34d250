"""The feedback lists cost the same for one share as for many (django-zeal guards N+1s
too), and the session a reflection followed reaches the reader only when the author
chose to include it."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from sessions_app.feedback import services
from sessions_app.reflections.services import reflection_save
from tests.factories import CohortFactory, CohortMemberFactory, MeetingFactory, MembershipFactory
from tests.feedback.helpers import NOW, account, people, share, sign, text, url

pytestmark = [pytest.mark.evidence, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def _queries(client, address) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("rows", [1, 6])
def test_the_authors_page_costs_the_same_for_one_share_as_for_many(client, cast, rows):
    nina, _priya = people(cast)
    reflection = account(nina)
    with scope(organization=cast.org):
        readers = [MembershipFactory(organization=cast.org) for _ in range(rows)]
    for reader in readers:
        the_share = share(reflection, reader)
        sign(the_share, reader)
        with scope(organization=cast.org):
            services.feedback_share_withdraw(share=the_share, author=nina)
    client.force_login(nina.user)
    assert _queries(client, url("feedback_shares", cast.org, reflection_id=reflection.public_id)) == 5


@pytest.mark.parametrize("rows", [1, 6])
def test_the_readers_list_costs_the_same_for_one_share_as_for_many(client, cast, rows):
    _nina, priya = people(cast)
    with scope(organization=cast.org):
        authors = [MembershipFactory(organization=cast.org) for _ in range(rows)]
    for author in authors:
        share(account(author), priya)
    client.force_login(priya.user)
    assert _queries(client, url("feedback_inbox", cast.org)) == 3


def test_the_session_reaches_the_reader_only_when_the_author_includes_it(client, cast):
    nina, priya = people(cast)
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org, name="Balint Tuesdays")
        CohortMemberFactory(cohort=cohort, membership=nina)
        meeting = MeetingFactory(cohort=cohort, title="The night the lift broke")
    with scope(organization=cast.org):
        reflection = reflection_save(
            author=nina,
            template_key="one_thing",
            answers={"note": "A long night."},
            visibility="private",
            meeting=meeting,
        )
    with_session = share(reflection, priya, include_session=True)
    with scope(organization=cast.org):
        tom = MembershipFactory(organization=cast.org)
    without = share(reflection, tom)
    client.force_login(priya.user)
    shown = text(client.get(url("feedback_read", cast.org, share_id=with_session.public_id)))
    client.force_login(tom.user)
    hidden = text(client.get(url("feedback_read", cast.org, share_id=without.public_id)))
    assert "after The night the lift broke" in shown
    assert "The night the lift broke" not in hidden and "Balint Tuesdays" not in hidden
    assert "A long night." in hidden
