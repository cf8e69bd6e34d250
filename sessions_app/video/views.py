"""The admin's video provider settings, and a meeting's video link for its facilitators."""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts.decorators import org_admin_required
from sessions_app.cohorts.selectors import can_manage_cohort
from sessions_app.meetings.selectors import access_meeting
from sessions_app.video import services
from sessions_app.video.forms import ProviderForm
from sessions_app.video.models import VideoLink
from sessions_app.video.sync import organization_provider

FIELDS = ("kind", "directory", "client_id", "organizer")


@org_admin_required
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)  # saving a secret that opens the meetings asks for a fresh login
def video_provider_settings(request, org_slug):
    provider = organization_provider(request.organization)
    initial = {name: getattr(provider, name) for name in FIELDS} if provider else {}
    if request.method == "POST" and request.POST.get("action") == "remove":
        services.video_provider_remove(organization=request.organization, actor=request.user, request=request)
        messages.success(request, _("Reflect no longer creates video links. Links already made stay."))
        return redirect("video_provider_settings", org_slug=org_slug)
    form = ProviderForm(request.POST or None, initial=initial, secret_saved=provider is not None)
    if request.method == "POST" and form.is_valid():
        services.video_provider_save(
            organization=request.organization, actor=request.user, request=request, **form.cleaned_data
        )
        messages.success(request, _("Saved. New video links are created with this provider."))
        return redirect("video_provider_settings", org_slug=org_slug)
    return render(request, "sessions_app/video/provider_settings.html", {"form": form, "provider": provider})


@require_http_methods(["GET", "POST"])
def meeting_video(request, org_slug, meeting_id):
    meeting = access_meeting(request.membership, meeting_id)
    if not can_manage_cohort(request.membership, meeting.cohort):
        raise PermissionDenied("Only organisation admins and this cohort's facilitators can do this.")
    provider = organization_provider(request.organization)
    if request.method == "POST" and provider is not None:
        if request.POST.get("scope") == "series" and meeting.series_id:
            services.series_video_request(series=meeting.series)
        else:
            services.video_link_request(meeting=meeting)
        messages.success(request, _("The video link is being created. It appears here and in invitations when ready."))
        return redirect("meeting_video", org_slug=org_slug, meeting_id=meeting_id)
    context = {
        "meeting": meeting,
        "provider": provider,
        "link": VideoLink.objects.filter(meeting=meeting).first(),
        "series_wanted": bool(meeting.series_id) and services.series_wants_links(meeting.series),
    }
    return render(request, "sessions_app/video/meeting_video.html", context)
