"""Web Push settings (issue 12): a second channel, inside the same attention budget.
Kept out of settings.py so that it stays readable; settings.py imports them all."""

from reflect.env import env_int, env_list, env_str

# The VAPID private key (RFC 8292) as base64url: raw 32 bytes or DER. Unset, development
# and test generate one under var/ on first use (never in the repo); production without
# one offers no push at all, and e-mail carries everything.
WEBPUSH_VAPID_PRIVATE_KEY = env_str("WEBPUSH_VAPID_PRIVATE_KEY", "")
WEBPUSH_VAPID_SUBJECT = env_str("WEBPUSH_VAPID_SUBJECT", "mailto:reflect@localhost")
# The server POSTs to the endpoint a browser gave it: only to the known push services, over
# HTTPS, so a forged subscription cannot make Reflect call into the internal network.
WEBPUSH_ALLOWED_HOSTS = env_list(
    "WEBPUSH_ALLOWED_HOSTS",
    [
        "fcm.googleapis.com",
        "updates.push.services.mozilla.com",
        "web.push.apple.com",
        ".notify.windows.com",
    ],
)
WEBPUSH_ALLOW_PLAIN_HTTP = False  # only the tests' local push service speaks plain HTTP
WEBPUSH_TIMEOUT_SECONDS = env_int("WEBPUSH_TIMEOUT_SECONDS", 10)
