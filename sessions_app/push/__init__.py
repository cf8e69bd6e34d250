"""Web Push: a browser's subscription per person and organisation, the VAPID keys, and
delivering one small, encrypted message to a person's browsers. Whether and when to push
is the outbox's and the attention policy's decision (``sessions_app.notifications``)."""
