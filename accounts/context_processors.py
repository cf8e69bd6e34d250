from accounts.two_factor import SESSION_KEY


def organization(request):
    return {
        "organization": getattr(request, "organization", None),
        "membership": getattr(request, "membership", None),
    }


def two_factor(request):
    """Why the signed-in person must set up two-factor first (shown above every page they
    can still reach), from the verdict the middleware already keeps in the session."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"two_factor_missing": (request.session.get(SESSION_KEY) or {}).get("missing")}
