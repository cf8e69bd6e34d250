"""allauth settings for single sign-on (accounts/sso) and for the client address behind
proxies, kept out of settings.py so that it stays readable; settings.py imports them all."""

from reflect.env import env_int

# How many proxies in front of Reflect append to X-Forwarded-For (allauth's setting): the
# client address that rate limits and the audit trail use is the one the outermost
# trusted proxy saw. 0 (default): X-Forwarded-For is ignored and REMOTE_ADDR is used.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("ALLAUTH_TRUSTED_PROXY_COUNT", 0)

# Single sign-on (accounts/sso). Tokens from IdPs are not kept; an IdP login links to an
# existing account only under accounts/sso/policy.py's rules, never by allauth's
# e-mail matching.
SOCIALACCOUNT_ADAPTER = "accounts.sso.adapter.ReflectSocialAccountAdapter"
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_QUERY_EMAIL = True
