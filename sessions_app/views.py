from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def organization_home(request, org_slug):
    """The member's home in one organisation."""
    return render(request, "sessions_app/organization_home.html")
