"""A task's round trip through real Redis and a real worker process: it loads by id,
enters the organisation's scope itself, sends the mail and writes the row."""

import email
from email import policy
from email.message import EmailMessage

import pytest
from django.conf import settings
from django.urls import reverse
from django_scopes import ScopeError, scope, scopes_disabled

from accounts.models import Invitation
from accounts.tasks import send_invitation
from tests.celery_helpers import wait_until
from tests.factories import InvitationFactory, OrganizationFactory

pytestmark = pytest.mark.integration


def make_invitation() -> Invitation:
    with scopes_disabled():
        organization = OrganizationFactory(name="St Elsewhere", slug="st-elsewhere")
        return InvitationFactory(organization=organization, email="dana@example.org")


def sent_at(invitation: Invitation):
    with scopes_disabled():
        return Invitation.objects.values_list("sent_at", flat=True).get(pk=invitation.pk)


def mails(worker) -> list[EmailMessage]:
    """What the worker's file backend wrote: one file per message sent."""
    paths = sorted(worker.mail_dir.glob("*.log")) if worker.mail_dir.exists() else []
    return [email.message_from_bytes(path.read_bytes(), policy=policy.default) for path in paths]


def broker_drained(redis_client) -> bool:
    # acks_late: a message being worked on sits in kombu's "unacked" hash, not the queue.
    return redis_client.llen("celery") == 0 and redis_client.hlen("unacked") == 0


def send_and_wait(worker, redis_client, invitation: Invitation) -> None:
    result = send_invitation.delay(invitation_id=invitation.pk)
    worker.wait_for_task(result.id)
    wait_until(lambda: broker_drained(redis_client), 10, "the broker queue to drain")


def test_invitation_task_round_trips_through_redis_worker_and_writes_in_scope(celery_worker, redis_client):
    invitation = make_invitation()

    send_invitation.delay(invitation_id=invitation.pk)

    # The worker sets sent_at through the scoped manager: it only can inside the scope.
    assert wait_until(lambda: sent_at(invitation), 20, "the worker to set sent_at") is not None
    wait_until(lambda: broker_drained(redis_client), 10, "the broker queue to drain")
    [message] = wait_until(lambda: mails(celery_worker), 5, "the e-mail file")
    assert message["To"] == "dana@example.org"
    text = message.get_body(("plain",)).get_content()
    assert "St Elsewhere" in message["Subject"] and "St Elsewhere" in text
    assert settings.SITE_URL + reverse("invitation_accept", kwargs={"token": invitation.token}) in text


def test_scoped_manager_refuses_queries_outside_a_scope(db):
    # Why the task must enter the scope itself: outside one, the very query it makes raises.
    invitation = make_invitation()
    with pytest.raises(ScopeError):
        Invitation.objects.filter(pk=invitation.pk).update(sent_at=None)
    with scope(organization=invitation.organization):
        assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_sending_an_already_sent_invitation_again_does_nothing(celery_worker, redis_client):
    # acks_late redelivers after a worker dies, so the task must be idempotent.
    invitation = make_invitation()
    send_and_wait(celery_worker, redis_client, invitation)
    first_sent_at = sent_at(invitation)
    assert first_sent_at is not None

    send_and_wait(celery_worker, redis_client, invitation)

    assert sent_at(invitation) == first_sent_at
    assert len(mails(celery_worker)) == 1
