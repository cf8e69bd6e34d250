"""Upload a CSV of people for a cohort and follow its import; admins and the cohort's
facilitators only."""

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from reflect.uploads import upload_too_large
from sessions_app.cohorts import selectors
from sessions_app.cohorts.models import Cohort
from sessions_app.imports import rows
from sessions_app.imports import services as import_services
from sessions_app.imports.models import CohortImport, ImportStatus

RECENT_IMPORTS = 5


class CohortImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Saved as “CSV UTF-8”, at most 2 MB and 5,000 people."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Refused while it arrived (reflect/uploads.py): say why here, before any reading.
        if upload_too_large(upload) or upload.size > rows.MAX_BYTES:
            raise ValidationError(rows.TOO_LARGE_MESSAGE)
        return upload


def _access_import(cohort: Cohort, import_id: str) -> CohortImport:
    cohort_import = CohortImport.objects.filter(cohort=cohort, public_id=import_id).first()
    if cohort_import is None:
        raise Http404("No such import.")
    return cohort_import


@require_http_methods(["GET", "POST"])
def cohort_import(request, org_slug, cohort_id):
    cohort = selectors.access_managed_cohort(request.membership, cohort_id)
    form = CohortImportForm(request.POST, request.FILES) if request.method == "POST" else CohortImportForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            # One byte past the limit is enough for the service to refuse the file.
            started = import_services.cohort_import_start(
                cohort=cohort, created_by=request.membership, csv_bytes=upload.read(rows.MAX_BYTES + 1)
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("cohort_import_status", org_slug=org_slug, cohort_id=cohort_id, import_id=started.public_id)
    recent = CohortImport.objects.filter(cohort=cohort).defer("csv_text")[:RECENT_IMPORTS]
    return render(request, "sessions_app/imports/import_form.html", {"cohort": cohort, "form": form, "recent": recent})


def _wants_json(request) -> bool:
    return request.GET.get("format") == "json" or (
        request.get_preferred_type(["text/html", "application/json"]) == "application/json"
    )


def progress_text(cohort_import: CohortImport) -> str:
    """The progress line, worded here once for the page and for its script (which shows the
    polled JSON's ``text``), so both speak the reader's language."""
    total, done = cohort_import.total_rows, cohort_import.processed_rows
    if cohort_import.status == ImportStatus.PENDING:
        text = ngettext("Waiting to start on %(total)d row…", "Waiting to start on %(total)d rows…", total)
    elif cohort_import.status == ImportStatus.RUNNING and done >= total:
        text = ngettext("The row is checked; saving…", "All %(total)d rows checked; saving…", total)
    elif cohort_import.status == ImportStatus.RUNNING:
        text = ngettext("Checked %(done)d of %(total)d row…", "Checked %(done)d of %(total)d rows…", total)
    else:
        text = ngettext("Checked %(done)d of %(total)d row.", "Checked %(done)d of %(total)d rows.", total)
    return text % {"total": total, "done": done}


def import_progress(cohort_import: CohortImport) -> dict:
    return {
        "text": progress_text(cohort_import),
        "status": cohort_import.status,
        "processed": cohort_import.processed_rows,
        "total": cohort_import.total_rows,
        "percent": cohort_import.percent,
        "errors": cohort_import.errors,
        "notes": cohort_import.notes,
    }


@never_cache
@require_GET
def cohort_import_status(request, org_slug, cohort_id, import_id):
    cohort = selectors.access_managed_cohort(request.membership, cohort_id)
    cohort_import = _access_import(cohort, import_id)
    if _wants_json(request):
        return JsonResponse(import_progress(cohort_import))
    in_progress = cohort_import.status in (ImportStatus.PENDING, ImportStatus.RUNNING)
    context = {
        "cohort": cohort,
        "cohort_import": cohort_import,
        "in_progress": in_progress,
        "progress_text": progress_text(cohort_import),
        "poll_url": reverse(
            "cohort_import_status",
            kwargs={"org_slug": org_slug, "cohort_id": cohort_id, "import_id": import_id},
        )
        + "?format=json",
    }
    return render(request, "sessions_app/imports/import_status.html", context)
