"""The organisation's audit trail, for its admins: a filtered, paged list and a CSV."""

from allauth.account.decorators import reauthentication_required
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.audit.csv_export import audit_csv_lines
from accounts.audit.forms import AuditFilterForm
from accounts.audit.selectors import audit_events
from accounts.decorators import org_admin_required

PAGE_SIZE = 50


@org_admin_required
@require_GET
def audit_trail(request, org_slug):
    form = AuditFilterForm(request.GET or None)
    events = audit_events(request.organization, form.wanted())
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/trail.html", {"form": form, "page": page})


@never_cache  # addresses and IP addresses: no cache may keep a copy
@org_admin_required
@require_GET
@reauthentication_required  # a download of people's addresses: asks for a fresh login
def audit_trail_csv(request, org_slug):
    form = AuditFilterForm(request.GET or None)
    # The queryset is built (and its scope checked) here; rows stream after the view returns.
    events = audit_events(request.organization, form.wanted()).iterator(chunk_size=2000)
    response = StreamingHttpResponse(audit_csv_lines(events), content_type="text/csv; charset=utf-8")
    filename = f"audit-{request.organization.slug}-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
