"""What attention announces to the packages that consult it, so it never imports them."""

from django.dispatch import Signal

# Sent with ``membership=`` and ``now=`` inside the transaction that saved a person's new
# attention settings or time zone: notifications re-plans what is queued for them.
attention_settings_changed = Signal()
