"""What accounts announces to the apps above it, so it never imports them.

Every signal here is sent inside the transaction that made the change, and its receivers
run synchronously in it: what they write commits or rolls back with the change."""

from django.dispatch import Signal

# Sent with ``user=`` inside the transaction that saved a new time zone: apps that plan
# things in people's local time (sessions_app re-plans the person's queue) receive it.
time_zone_changed = Signal()

# Sent with ``membership=`` and ``now=`` just before a membership is marked as left:
# whatever else gave the person access (sessions_app: their calendar feed, cohort places
# and coming meetings) ends with it.
membership_leaving = Signal()

# Sent with ``invitation=`` and ``membership=`` once an invitation let someone in: the
# places it reserved for them (sessions_app: cohort places) become theirs.
invitation_accepted = Signal()
