"""How a person wants each kind of notice: by e-mail, by push to their browsers, or both.

The choice is per kind and only picks the channel: whether and when anything is sent is
the attention policy's decision, made once per notice, and a notice sent by e-mail and
push is one notice for the caps (``sessions_app.notifications.sending``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

EMAIL = "email"
PUSH = "push"
BOTH = "both"

CHOICES = [(EMAIL, _("E-mail")), (PUSH, _("Push to this device and my others")), (BOTH, _("Both"))]

# The kinds of notice a person can route, as the outbox names them (NotificationKind
# values; tests/push/test_channels.py keeps the two lists equal). Kept here because the
# attention settings sit below the outbox and may not import it.
ROUTABLE_KINDS = {
    "invite": _("New meetings"),
    "series": _("New series of meetings"),
    "update": _("Changed meetings"),
    "cancellation": _("Cancelled meetings"),
    "reminder": _("Reminders"),
    "promotion": _("A place freed up for you"),
    "panel_prep": _("Panel preparation"),
    "panellist": _("Asked to join a panel"),
    "reflection_prompt": _("Invitations to reflect"),
    "hot_debrief": _("Hot debrief called"),
    "digest": _("Daily digest"),
    "retention_warning": _("Reflections due for deletion"),
    "trim_offer": _("TRiM one-to-one offers"),
    "join_request": _("Requests to join a cohort"),
    "join_answer": _("Answers to your requests to join"),
    "feedback_request": _("Requests for your feedback on a reflection"),
    "feedback_given": _("Feedback on your reflections"),
    "sign_off": _("Sign-offs of your reflections"),
    "supervision_confirm": _("Supervision entries to confirm"),
}


def channels_for(choices: dict | None, kind: str) -> tuple[str, ...]:
    """The channels a person chose for ``kind``: e-mail unless they said otherwise."""
    choice = (choices or {}).get(kind, EMAIL)
    return {EMAIL: (EMAIL,), PUSH: (PUSH,), BOTH: (EMAIL, PUSH)}.get(choice, (EMAIL,))


def field_name(kind: str) -> str:
    return f"channel_{kind}"


def add_fields(form: forms.Form) -> None:
    """One ``channel_<kind>`` choice per kind on the attention settings form."""
    for kind, label in ROUTABLE_KINDS.items():
        # Not required: a form posted without them (an older page) means e-mail, as before.
        form.fields[field_name(kind)] = forms.ChoiceField(choices=CHOICES, label=label, initial=EMAIL, required=False)


def initial(choices: dict | None) -> dict:
    return {field_name(kind): (choices or {}).get(kind, EMAIL) for kind in ROUTABLE_KINDS}


def cleaned(data: dict) -> dict:
    """The person's choices from the form's cleaned data, as stored (only the kinds not by e-mail)."""
    choices = {kind: data.get(field_name(kind)) or EMAIL for kind in ROUTABLE_KINDS}
    return {kind: choice for kind, choice in choices.items() if choice != EMAIL}
