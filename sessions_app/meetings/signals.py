"""What the meetings package announces, so that it never imports the packages above it:
``notifications.notify`` turns each of these into what people are told.

Sent synchronously inside the sender's transaction, never on commit: the planned outbox
rows commit or roll back with the change (the outbox guarantees depend on it).
Receivers are connected in ``SessionsAppConfig.ready``.
"""

from django.dispatch import Signal

# A meeting was created, updated, cancelled, or someone was promoted from its waitlist.
# Keyword arguments: ``meeting``, ``change`` (one of ``CHANGES``), ``now``, ``actor`` (who
# made the change, left out of the audience) and ``people`` (None: its whole audience).
CHANGES = frozenset({"created", "updated", "cancelled", "promoted"})
meeting_changed = Signal()

# Several meetings cancelled together ("this and all following"): one message per person.
# Keyword arguments: ``meetings``, ``now``, ``actor``.
meetings_cancelled = Signal()

# A series was created with its first meetings. Keyword arguments: ``series``, ``now``, ``actor``.
series_created = Signal()

# A provider's join link was put in a meeting (its SEQUENCE raised). Keyword arguments:
# ``meeting``, ``now``. Whether anyone must be told depends on what they already had.
video_link_arrived = Signal()

# Someone answered a meeting. Keyword arguments: ``meeting``, ``membership``, ``status``, ``now``.
rsvp_changed = Signal()

# Asked by the series form after a series is created, outside any transaction: each
# receiver may return one sentence of advice for the person who scheduled it (or None).
# Keyword arguments: ``series``.
series_advice = Signal()

# Someone was put on, or taken off, the panel of one meeting (a Schwartz Round).
# Keyword arguments: ``meeting``, ``membership``, ``now``.
panellist_added = Signal()
panellist_removed = Signal()
