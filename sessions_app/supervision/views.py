"""Pages of the supervision log: the owner's log with its totals, adding, changing and
deleting entries, the downloads, and the supervisor's page of entries to confirm. No URL
names a person: the log is always the signed-in person's own."""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reflect.datewords import short_date
from reflect.pdf import PdfUnavailable, render_pdf
from sessions_app.supervision import exports, hours, selectors, services
from sessions_app.supervision.forms import EntryForm, PeriodForm


def _today(request):
    return timezone.now().astimezone(ZoneInfo(request.user.time_zone)).date()


def _period(request) -> tuple[PeriodForm, tuple | None]:
    """The chosen range, if the query asks for one and it is valid."""
    form = PeriodForm(request.GET if "start" in request.GET or "end" in request.GET else None)
    if form.is_bound and form.is_valid():
        return form, (form.cleaned_data["start"], form.cleaned_data["end"])
    return form, None


def _totals(sessions, first, last) -> dict:
    found = hours.totals(sessions, first, last)
    return {
        "sessions": found.sessions,
        "hours": hours.hours_text(found.minutes),
        "structured": hours.hours_text(found.structured_minutes),
    }


@never_cache  # one person's log: no shared cache may keep it
@require_GET
def supervision_log(request, org_slug):
    entries = list(selectors.my_entries(request.membership))
    sessions = selectors.sessions_of(entries)
    today = _today(request)
    form, chosen = _period(request)
    periods = [
        (_("This month"), *hours.month_bounds(today)),
        (_("This quarter"), *hours.quarter_bounds(today)),
    ]
    if chosen:
        periods.append(
            (_("%(start)s to %(end)s") % {"start": short_date(chosen[0]), "end": short_date(chosen[1])}, *chosen)
        )
    periods.append((_("All time"), None, None))
    progress = hours.unit_progress(sessions)
    context = {
        "entries": entries,
        "rows": list(zip(entries, exports.rows(entries, ZoneInfo(request.user.time_zone)), strict=True)),
        "totals": [{"label": label, **_totals(sessions, first, last)} for label, first, last in periods],
        "period_form": form,
        "progress": progress,
        "progress_text": exports.progress_text(progress),
        "progress_hours": hours.hours_text(progress.minutes),
        "progress_structured": hours.hours_text(progress.structured_minutes),
        "export_query": request.GET.urlencode() if chosen else "",
    }
    return render(request, "sessions_app/supervision/log.html", context)


def _entry_form(request, entry=None):
    initial = None
    if entry is not None:
        initial = {
            "held_on": entry.held_on,
            "minutes": entry.minutes,
            "kind": entry.kind,
            "supervisor": entry.supervisor.public_id if entry.supervisor_id else "",
            "supervisor_name": entry.supervisor_name,
            "note": entry.note,
        }
    people = selectors.possible_supervisors(request.membership)
    return EntryForm(request.POST or None, initial=initial, people=people, today=_today(request))


def _save(request, form, entry=None) -> bool:
    try:
        if entry is None:
            services.entry_create(owner=request.membership, data=form.data_for_service())
        else:
            services.entry_update(entry=entry, owner=request.membership, data=form.data_for_service())
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True


@never_cache
@require_http_methods(["GET", "POST"])
def supervision_entry_new(request, org_slug):
    form = _entry_form(request)
    if request.method == "POST" and form.is_valid() and _save(request, form):
        messages.success(request, _("Added to your supervision log."))
        return redirect("supervision_log", org_slug=org_slug)
    return render(request, "sessions_app/supervision/entry_form.html", {"form": form, "entry": None})


@never_cache
@require_http_methods(["GET", "POST"])
def supervision_entry_edit(request, org_slug, entry_id):
    entry = selectors.access_own_entry(request.membership, entry_id)
    form = _entry_form(request, entry)
    if request.method == "POST" and form.is_valid() and _save(request, form, entry):
        messages.success(request, _("Entry saved."))
        return redirect("supervision_log", org_slug=org_slug)
    return render(request, "sessions_app/supervision/entry_form.html", {"form": form, "entry": entry})


@never_cache
@require_http_methods(["GET", "POST"])
def supervision_entry_delete(request, org_slug, entry_id):
    entry = selectors.access_own_entry(request.membership, entry_id)
    if request.method == "POST":
        services.entry_delete(entry=entry, owner=request.membership)
        messages.success(request, _("Entry deleted."))
        return redirect("supervision_log", org_slug=org_slug)
    return render(request, "sessions_app/supervision/entry_delete.html", {"entry": entry})


@never_cache
@require_GET
def supervision_confirmations(request, org_slug):
    entries = selectors.to_confirm(request.membership)
    zone = ZoneInfo(request.user.time_zone)
    rows = list(zip(entries, exports.rows(entries, zone), strict=True))
    return render(request, "sessions_app/supervision/confirmations.html", {"rows": rows})


@require_POST
def supervision_entry_confirm(request, org_slug, entry_id):
    entry = selectors.access_entry_to_confirm(request.membership, entry_id)
    try:
        version = int(request.POST.get("version", ""))
        services.entry_confirm(entry=entry, supervisor=request.membership, version=version)
    except ValueError:
        messages.error(request, _("The entry was changed after you opened this page. Check it again, then confirm."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Entry confirmed."))
    return redirect("supervision_confirmations", org_slug=org_slug)


def _document(request):
    """The export's entries and context: the chosen range, or the whole log."""
    form, chosen = _period(request)
    entries = list(selectors.my_entries(request.membership))
    today = _today(request)
    if chosen:
        entries = [e for e in entries if chosen[0] <= e.held_on <= chosen[1]]
        period = _("%(start)s to %(end)s") % {"start": short_date(chosen[0]), "end": short_date(chosen[1])}
        stem = f"supervision-log-{chosen[0]:%Y-%m-%d}-to-{chosen[1]:%Y-%m-%d}"
    else:
        period, stem = _("All time"), f"supervision-log-{today:%Y-%m-%d}"
    context = exports.document_context(
        membership=request.membership,
        entries=entries,
        period=period,
        today=today,
        zone=ZoneInfo(request.user.time_zone),
    )
    return form, context, stem


def _attachment(body, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    # ASCII by construction (fixed words and ISO dates), so the header needs no encoding.
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@require_GET
def supervision_export_csv(request, org_slug):
    form, context, stem = _document(request)
    if form.is_bound and not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("supervision_log", org_slug=org_slug)
    body = exports.log_csv(context)
    return _attachment(body, filename=f"{stem}.csv", content_type="text/csv; charset=utf-8")


@never_cache
@require_GET
def supervision_export_pdf(request, org_slug):
    form, context, stem = _document(request)
    if form.is_bound and not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("supervision_log", org_slug=org_slug)
    try:
        body = render_pdf("sessions_app/supervision/log_pdf.html", context, request=request)
    except PdfUnavailable:
        messages.error(request, PdfUnavailable.message)
        return redirect("supervision_log", org_slug=org_slug)
    return _attachment(body, filename=f"{stem}.pdf", content_type="application/pdf")
