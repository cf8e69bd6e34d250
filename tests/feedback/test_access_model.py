"""Who may read what, as a model (issue 14 §2): a hypothesis state machine shares,
withdraws, edits, drafts again and signs off through the real services, and after every
step checks that only the author and the readers of active shares of a finished
reflection can open a share (never an admin, never anyone else), and that each sign-off
reads as current exactly when the reflection's text is the one it was given for."""

import os
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django_scopes import scopes_disabled
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from accounts.models import Role
from sessions_app.feedback import selectors, services
from sessions_app.feedback.models import FeedbackShare, SignOff
from sessions_app.reflections.models import Visibility
from sessions_app.reflections.services import reflection_save
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.evidence, pytest.mark.stateful, pytest.mark.django_db]

EXAMPLES = int(os.environ.get("REFLECT_STATEFUL_EXAMPLES", "10"))
STEPS = int(os.environ.get("REFLECT_STATEFUL_STEPS", "20"))
START = datetime(2027, 3, 15, 10, 0, tzinfo=UTC)
TEXTS = ("A night on ward 7.", "A night on ward 7, and what I learned.", "Something else entirely.")

readers = st.integers(0, 1)


class WhoReadsWhat(RuleBasedStateMachine):
    """Nina writes one reflection; Priya and Tom may be asked for feedback; Alice is the
    organisation's admin and Bob a member nobody asks."""

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self._scopes = scopes_disabled()
        self._scopes.__enter__()
        self._clock = time_machine.travel(START, tick=False)
        self._clock.start()
        org = OrganizationFactory(slug="model-org")
        self.nina, self.priya, self.tom, self.bob = (MembershipFactory(organization=org) for _ in range(4))
        self.alice = MembershipFactory(organization=org, role=Role.ADMIN)
        self.readers = [self.priya, self.tom]
        self.text, self.draft = TEXTS[0], False
        self.reflection = self._save()
        self.active: dict[int, str] = {}  # reader pk -> the public id of their active share
        self.signed: dict[str, str] = {}  # sign-off public id -> the text it was given for

    def teardown(self):
        self._clock.stop()
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)
        self._scopes.__exit__(None, None, None)

    def _save(self, reflection=None):
        return reflection_save(
            author=self.nina,
            template_key="one_thing",
            answers={"note": self.text},
            visibility=Visibility.PRIVATE,
            is_draft=self.draft,
            reflection=reflection,
        )

    @rule(who=readers, role=st.sampled_from(["supervisor", "nmc_partner"]))
    def share(self, who, role):
        reader = self.readers[who]
        try:
            share = services.feedback_share_create(
                reflection=self.reflection, author=self.nina, reader=reader, role=role
            )
        except ValidationError:
            assert self.draft or reader.pk in self.active, "a share refused for no reason"
            return
        assert not self.draft and reader.pk not in self.active, "a second share, or a draft shared"
        self.active[reader.pk] = share.public_id

    @rule(who=readers)
    def withdraw(self, who):
        public_id = self.active.pop(self.readers[who].pk, None)
        if public_id is not None:
            share = FeedbackShare.objects.get(public_id=public_id)
            services.feedback_share_withdraw(share=share, author=self.nina)

    @rule(text=st.sampled_from(TEXTS))
    def edit(self, text):
        self.text = text
        self.reflection = self._save(self.reflection)

    @rule(draft=st.booleans())
    def draft_or_finish(self, draft):
        self.draft = draft
        self.reflection = self._save(self.reflection)

    @rule(who=readers)
    def sign_off(self, who):
        public_id = self.active.get(self.readers[who].pk)
        if public_id is None or self.draft:
            return
        share = selectors.access_feedback_share(self.readers[who], public_id)
        number = "12A3456E" if share.number_kind == "nmc_pin" else ""
        sign_off = services.sign_off_give(
            share=share, reader=self.readers[who], name="Reader", number=number, discussed_on=START.date()
        )
        self.signed[sign_off.public_id] = self.text

    @invariant()
    def only_current_readers_open_a_share(self):
        every = list(FeedbackShare.objects.values_list("public_id", "reader_id"))
        for person in [self.nina, self.priya, self.tom, self.alice, self.bob]:
            may = {
                public_id
                for public_id, reader_id in every
                if not self.draft and self.active.get(reader_id) == public_id and reader_id == person.pk
            }
            opened = set()
            for public_id, _reader in every:
                try:
                    selectors.access_feedback_share(person, public_id)
                    opened.add(public_id)
                except Http404:
                    pass
            assert opened == may, "someone reads a share that is not theirs, or lost one that is"
            owns = {public_id for public_id, _reader in every if person == self.nina}
            shown = {s.public_id for s in selectors.shares_of(self.reflection)} if person == self.nina else set()
            assert shown == owns, "the author does not see every share, withdrawn ones included"

    @invariant()
    def a_sign_off_is_current_exactly_for_its_text(self):
        self.reflection.refresh_from_db()
        for sign_off in selectors.mark_current(list(SignOff.objects.all()), self.reflection):
            assert sign_off.is_current == (self.signed[sign_off.public_id] == self.text)


def test_who_reads_what_keeps_every_promise(db):
    run_state_machine_as_test(
        WhoReadsWhat,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=os.environ.get("REFLECT_STATEFUL_RANDOM") is None,
        ),
    )
