"""What accounts announces to the apps above it, so it never imports them."""

from django.dispatch import Signal

# Sent with ``user=`` inside the transaction that saved a new time zone: apps that plan
# things in people's local time (sessions_app re-plans the person's queue) receive it.
time_zone_changed = Signal()
