from oauth2_provider.oauth2_validators import OAuth2Validator

# Users in this group have an address the IdP has not verified (``email_verified`` false).
UNVERIFIED_GROUP = "unverified-email"


class ClaimsValidator(OAuth2Validator):
    """The standard ``email``/``email_verified``/``name`` claims, in the ID token and
    at the userinfo endpoint."""

    def get_additional_claims(self, request):
        user = request.user
        return {
            "email": user.email,
            "email_verified": not user.groups.filter(name=UNVERIFIED_GROUP).exists(),
            "name": user.get_full_name() or user.username,
        }
