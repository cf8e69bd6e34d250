"""A real SAML 2.0 IdP for the SSO tests, on pysaml2 (after its example IdP, cut down to
one sign-on endpoint and a metadata page). Run as ``python -m tests.sso.saml_idp``;
``tests/sso/idp.py`` starts it with a key and certificate it generated.

Users live in a JSON file the fixtures write (``{username: {password, email, active}}``)
and are read on every request, so tests add people without a restart. A disabled user
who signs in gets a SAML error response (``RequestDenied``), as a real IdP refuses.
"""
