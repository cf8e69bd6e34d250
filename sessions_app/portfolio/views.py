"""Downloads of the person's own evidence: one reflection as PDF or Word, and the NMC
revalidation pack. Only the author reaches them (anyone else, admins included, gets 404);
no copy may stay in a cache; reflection text is never logged."""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from reflect.pdf import PdfUnavailable, render_pdf
from sessions_app.portfolio import nmc
from sessions_app.portfolio.document import reflection_document, safe_filename
from sessions_app.portfolio.word import reflection_docx
from sessions_app.reflections import selectors

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _attachment(body: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _document(request, reflection_id):
    reflection = selectors.access_own_reflection(request.membership, reflection_id)
    document = reflection_document(
        reflection=reflection,
        time_zone=request.user.time_zone,
        include_session=request.GET.get("session") == "1",
    )
    return reflection, document


@never_cache
@require_GET
def reflection_export_pdf(request, org_slug, reflection_id):
    reflection, document = _document(request, reflection_id)
    try:
        body = render_pdf("sessions_app/portfolio/reflection.pdf.html", {"document": document})
    except PdfUnavailable as error:
        messages.error(request, error.message)
        return redirect("reflection_detail", org_slug=org_slug, reflection_id=reflection_id)
    filename = safe_filename("reflection", reflection.created_at, request.user.time_zone, "pdf")
    return _attachment(body, content_type=PDF, filename=filename)


@never_cache
@require_GET
def reflection_export_docx(request, org_slug, reflection_id):
    reflection, document = _document(request, reflection_id)
    filename = safe_filename("reflection", reflection.created_at, request.user.time_zone, "docx")
    return _attachment(reflection_docx(document), content_type=DOCX, filename=filename)


@never_cache
@require_http_methods(["GET", "POST"])
def nmc_pack(request, org_slug):
    """Pick five accounts, fill in the reflective discussion, download one PDF: or read
    what is missing, and download nothing."""
    time_zone = request.user.time_zone
    today = timezone.localtime(timezone.now(), ZoneInfo(time_zone)).date()
    form = nmc.NmcPackForm(
        request.POST or None, accounts=nmc.nmc_accounts(request.membership), today=today, time_zone=time_zone
    )
    if request.method == "POST" and form.is_valid():
        try:
            body = render_pdf("sessions_app/portfolio/nmc_pack.pdf.html", _pack_context(request, form))
        except PdfUnavailable as error:
            messages.error(request, error.message)
        else:
            return _attachment(body, content_type=PDF, filename=f"nmc-revalidation-pack-{today:%Y-%m-%d}.pdf")
    return render(request, "sessions_app/portfolio/nmc_pack.html", {"form": form, "pack_size": nmc.PACK_SIZE})


def _pack_context(request, form) -> dict:
    time_zone = request.user.time_zone
    return {
        "accounts": [
            reflection_document(reflection=account, time_zone=time_zone, include_session=False)
            for account in form.cleaned_data["accounts"]
        ],
        "name": request.user.name,
        "partner": form.cleaned_data,
        "confirmation": nmc.partner_confirmation(form.cleaned_data["accounts"], time_zone),
    }
