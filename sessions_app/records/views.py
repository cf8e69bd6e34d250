"""The records page and its downloads: always the signed-in person's own records in this
organisation. No URL names a person, so nobody (an admin neither) can ask for someone
else's certificate or log."""

from datetime import date
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from reflect.pdf import PdfUnavailable, render_pdf
from sessions_app.records import documents, selectors
from sessions_app.records.periods import RecordRangeForm, utc_bounds

CERTIFICATE = "certificate"
LOG = "log"


def _today(request) -> date:
    return timezone.now().astimezone(ZoneInfo(request.user.time_zone)).date()


def _forms(request, bound: str | None = None) -> dict[str, RecordRangeForm]:
    today = _today(request)
    return {
        prefix: RecordRangeForm(request.GET if prefix == bound else None, today=today, prefix=prefix)
        for prefix in (CERTIFICATE, LOG)
    }


def _page(request, forms: dict, *, status: int = 200, pdf_unavailable: str = ""):
    context = {
        "certificate_form": forms[CERTIFICATE],
        "log_form": forms[LOG],
        "facilitates": selectors.facilitates_any(request.membership),
        "pdf_unavailable": pdf_unavailable,
    }
    return render(request, "sessions_app/records/my_records.html", context, status=status)


@never_cache
@require_GET
def my_records(request, org_slug):
    """The two forms: a certificate of attendance, and (for facilitators) the leader's log."""
    return _page(request, _forms(request))


def _download(body, *, name: str, form: RecordRangeForm, extension: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    # ASCII by construction (fixed words and ISO dates), so the header needs no encoding.
    filename = f"reflect-{name}-{start:%Y-%m-%d}-to-{end:%Y-%m-%d}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _valid_form(request, prefix: str):
    forms = _forms(request, bound=prefix)
    return forms, forms[prefix].is_valid()


def _bounds(request, form: RecordRangeForm) -> dict:
    start, end = utc_bounds(form.cleaned_data["start"], form.cleaned_data["end"], request.user.time_zone)
    return {"start": start, "end": end, "now": timezone.now()}


def _pdf(request, forms: dict, prefix: str, template: str, context: dict, name: str):
    try:
        body = render_pdf(template, context, request=request)
    except PdfUnavailable:
        return _page(request, forms, status=503, pdf_unavailable=PdfUnavailable.message)
    return _download(body, name=name, form=forms[prefix], extension="pdf", content_type="application/pdf")


def _period(request, form: RecordRangeForm) -> dict:
    return {"start": form.cleaned_data["start"], "end": form.cleaned_data["end"], "today": _today(request)}


@never_cache  # one person's attendance: no shared cache may keep it
@require_GET
def certificate_pdf(request, org_slug):
    forms, valid = _valid_form(request, CERTIFICATE)
    if not valid:
        return _page(request, forms, status=400)
    form = forms[CERTIFICATE]
    meetings = selectors.sessions_attended(request.membership, **_bounds(request, form))
    context = documents.certificate_context(membership=request.membership, meetings=meetings, **_period(request, form))
    return _pdf(request, forms, CERTIFICATE, "sessions_app/records/certificate_pdf.html", context, "certificate")


def _log_context(request, form: RecordRangeForm) -> dict:
    sessions = selectors.sessions_led(request.membership, **_bounds(request, form))
    return documents.log_context(membership=request.membership, sessions=sessions, **_period(request, form))


@never_cache
@require_GET
def leader_log_pdf(request, org_slug):
    forms, valid = _valid_form(request, LOG)
    if not valid:
        return _page(request, forms, status=400)
    context = _log_context(request, forms[LOG])
    return _pdf(request, forms, LOG, "sessions_app/records/leader_log_pdf.html", context, "leaders-log")


@never_cache
@require_GET
def leader_log_csv(request, org_slug):
    forms, valid = _valid_form(request, LOG)
    if not valid:
        return _page(request, forms, status=400)
    body = documents.log_csv(_log_context(request, forms[LOG]))
    return _download(body, name="leaders-log", form=forms[LOG], extension="csv", content_type="text/csv; charset=utf-8")
