"""Sign-up by invitation, logins and two-factor, fresh logins, the organisation (accounts)."""
