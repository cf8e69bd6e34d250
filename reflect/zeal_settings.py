"""django-zeal's settings for the test suite (issue 15); settings.py imports them only under
test, with the app and its middleware. See reflect/zeal_guard.py for what runs under it."""

# reflect/zeal_guard.py raises instead, after writing the N+1 down where no except can undo it.
ZEAL_RAISE = False

# Each entry is a deliberate, bounded read, with the reason; everything else is fixed.
ZEAL_ALLOWLIST = [
    # Django's session store reads its one row by key twice in a sign-in (load, then cycle_key).
    {"model": "sessions.Session", "field": "get()"},
    # The dispatcher finds the digest each merged row joins by its unique key, with
    # get_or_create so that two dispatchers agree on one digest: one read per merged row,
    # bounded by the sweep's batch. Grouping a batch by recipient (issue 15, the dispatcher)
    # would make it one read per person; until then it is allowed here and only here.
    {"model": "sessions_app.Notification", "field": "get()"},
]
