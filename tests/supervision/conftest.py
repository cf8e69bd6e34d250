import datetime as dt

import pytest
import time_machine
from django_scopes import scope

from sessions_app.supervision.services import EntryData, entry_create
from tests.factories import MembershipFactory

# A winter Sunday afternoon in London; "today" is 6 December 2026 for everyone below.
NOW = dt.datetime(2026, 12, 6, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def pinned():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def people(cast, pinned):
    """bob keeps a log; sue supervises him; ted is another member; alice is the admin."""
    with scope(organization=cast.org):
        sue = MembershipFactory(organization=cast.org, user__display_name="Sue Supervisor")
        ted = MembershipFactory(organization=cast.org, user__display_name="Ted Other")
    return {"bob": cast.bob, "sue": sue, "ted": ted, "alice": cast.alice, "org": cast.org}


def add(owner, *, day, minutes, kind="individual", supervisor=None, supervisor_name="", note=""):
    with scope(organization=owner.organization):
        return entry_create(
            owner=owner,
            data=EntryData(day, minutes, kind, supervisor=supervisor, supervisor_name=supervisor_name, note=note),
        )
