"""Single sign-on per organisation (issue 11): OpenID Connect and SAML through
django-allauth's own ``openid_connect`` and ``saml`` providers.

An organisation's admin stores its IdP settings in ``OrganizationSSO`` (the client
secret encrypted at rest); ``adapter.ReflectSocialAccountAdapter`` builds allauth's
apps from those rows, so allauth's plaintext ``SocialApp`` table stays empty. Who may
sign in, and when an IdP login may take over an existing account, is decided in
``policy`` and ``adapter``.
"""
