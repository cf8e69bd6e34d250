"""Settings for the services Reflect calls out to: Web Push (issue 12, a second channel
inside the same attention budget) and video providers (issue 13). Each names the hosts it
may reach, so nothing an admin or a browser types can point Reflect into the internal
network. Kept out of settings.py so that it stays readable; settings.py imports them all."""

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

# --- Video providers (issue 13): where Reflect creates meeting links ------------------
# Base URLs are settings so that the tests can point them at a local server; every request
# must still go to a host on the allow-list, over HTTPS, whatever an admin typed.
VIDEO_GRAPH_LOGIN_URL = env_str("VIDEO_GRAPH_LOGIN_URL", "https://login.microsoftonline.com").rstrip("/")
VIDEO_GRAPH_API_URL = env_str("VIDEO_GRAPH_API_URL", "https://graph.microsoft.com/v1.0").rstrip("/")
VIDEO_ZOOM_LOGIN_URL = env_str("VIDEO_ZOOM_LOGIN_URL", "https://zoom.us").rstrip("/")
VIDEO_ZOOM_API_URL = env_str("VIDEO_ZOOM_API_URL", "https://api.zoom.us/v2").rstrip("/")
VIDEO_ALLOWED_HOSTS = env_list(
    "VIDEO_ALLOWED_HOSTS", ["login.microsoftonline.com", "graph.microsoft.com", "zoom.us", "api.zoom.us"]
)
VIDEO_ALLOW_PLAIN_HTTP = env_str("VIDEO_ALLOW_PLAIN_HTTP", "") == "tests-only"  # the tests' local fake server
VIDEO_TIMEOUT_SECONDS = env_int("VIDEO_TIMEOUT_SECONDS", 10)
