"""Writing and reading reflections. Private by default; the author decides who else may
read each one, and may change or revoke that at any time."""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import org_admin_required
from sessions_app.cohorts import selectors as cohort_selectors
from sessions_app.cohorts.models import CohortMember
from sessions_app.meetings import selectors as meeting_selectors
from sessions_app.reflections import drafts, nudges, selectors, services
from sessions_app.reflections.builtin_templates import BUILT_IN, CODE_THEMES
from sessions_app.reflections.forms import ReflectionForm, ReflectionTemplateForm
from sessions_app.reflections.models import ReflectionTemplate, Visibility

PAGE_SIZE = 25


@require_GET
def reflection_list(request, org_slug):
    membership = request.membership
    # The list shows no text: defer the encrypted answers rather than decrypt them all.
    mine = (
        selectors.reflections_visible_to(membership)
        .filter(author=membership)
        .select_related("meeting__series", "meeting__cohort", "cohort")
        .defer("answers_json")
        .order_by("-created_at", "-pk")
    )
    due = request.GET.get("due") == "1"  # the retention notice links here: what will be deleted
    if due:
        mine = mine.filter(pinned=False, retention_notice__isnull=False)
    page = Paginator(mine, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "sessions_app/reflections/list.html",
        {
            "page": page,
            "due": due,
            "shared": selectors.shared_with_me(membership, limit=PAGE_SIZE),
            "templates": services.templates_for(request.organization),
        },
    )


def _my_cohorts(membership):
    return [m.cohort for m in CohortMember.objects.filter(membership=membership).select_related("cohort")]


def _meeting_from(request):
    meeting_id = request.GET.get("meeting") or request.POST.get("meeting")
    return meeting_selectors.access_meeting(request.membership, meeting_id) if meeting_id else None


@require_http_methods(["GET", "POST"])
def reflection_new(request, org_slug):
    membership = request.membership
    try:
        template = services.template_for(request.organization, request.GET.get("template") or "rolfe")
    except ValidationError:
        template = BUILT_IN["rolfe"]
    meeting = _meeting_from(request)
    draft = drafts.reflection_draft_for(author=membership, template_key=template.key, meeting=meeting)
    initial = {f"answer_{key}": value for key, value in draft.answers.items()} if draft else {}
    form = ReflectionForm(
        request.POST or None, initial=initial, template=template, cohorts=_my_cohorts(membership), meeting=meeting
    )
    restored = _clock(request, draft.updated_at) if draft and request.method == "GET" else None
    return _save_or_show(request, form, template=template, meeting=meeting, reflection=None, restored=restored)


def _clock(request, moment) -> str:
    return f"{moment.astimezone(ZoneInfo(request.user.time_zone)):%H:%M}"


@require_POST
def reflection_draft_save(request, org_slug):
    """Keep what the author has typed into a new reflection (the page posts it as they
    type). Always the requester's own draft; a meeting they cannot see is a 404."""
    try:
        template = services.template_for(request.organization, request.POST.get("template") or "rolfe")
        prompts = {p.key: request.POST.get(f"answer_{p.key}", "") for p in template.prompts}
        draft = drafts.reflection_draft_save(
            author=request.membership, template_key=template.key, meeting=_meeting_from(request), answers=prompts
        )
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    return JsonResponse({"status": _("Saved %(time)s") % {"time": _clock(request, draft.updated_at)}})


def _save_or_show(request, form, *, template, meeting, reflection, restored=None):
    findings = []
    if request.method == "POST" and form.is_valid():
        findings = nudges.identifying_details(form.all_text())
        if not findings or form.cleaned_data["anonymised_checked"]:
            saved = _save(request, form, template=template, meeting=meeting, reflection=reflection)
            if saved is not None:
                return redirect("reflection_detail", org_slug=request.organization.slug, reflection_id=saved.public_id)
    return render(
        request,
        "sessions_app/reflections/form.html",
        {
            "form": form,
            "template": template,
            "meeting": meeting,
            "reflection": reflection,
            "findings": findings,
            "draft_restored_at": restored,
        },
    )


def _save(request, form, *, template, meeting, reflection):
    cohort_id = form.cleaned_data.get("cohort")
    cohort = next((c for c in _my_cohorts(request.membership) if c.public_id == cohort_id), None)
    try:
        saved = services.reflection_save(
            author=request.membership,
            template_key=template.key,
            answers=form.answers(),
            visibility=form.cleaned_data["visibility"],
            meeting=meeting,
            cohort=cohort,
            is_draft="save_draft" in request.POST,
            reflection=reflection,
            reaches_later_members=form.cleaned_data["reaches_later_members"],
            code_themes=form.code_themes(),
        )
    except ValidationError as error:
        for field, errors in error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]:
            form.add_error(f"answer_{field}" if field and f"answer_{field}" in form.fields else None, errors)
        return None
    messages.success(request, "Saved as a draft." if saved.is_draft else "Saved.")
    return saved


@require_GET
def reflection_detail(request, org_slug, reflection_id):
    reflection = selectors.access_reflection(request.membership, reflection_id)
    template = _template_or_none(request, reflection)
    prompts = (
        [(p.question, reflection.answers.get(p.key, "")) for p in template.prompts]
        if template
        else [(key, value) for key, value in reflection.answers.items()]
    )
    return render(
        request,
        "sessions_app/reflections/detail.html",
        {
            "reflection": reflection,
            "prompts": prompts,
            "is_author": reflection.author_id == request.membership.pk,
            "author_name": selectors.author_shown(reflection, request.membership),
            "meeting": selectors.meeting_shown(reflection, request.membership),
            "visibility_choices": Visibility.choices,
            "code_themes": [CODE_THEMES[key] for key in reflection.code_themes if key in CODE_THEMES],
        },
    )


def _template_or_none(request, reflection):
    try:
        return services.template_for(request.organization, reflection.template_key)
    except ValidationError:
        return None  # a deleted custom template: show the stored answers by key


@require_http_methods(["GET", "POST"])
def reflection_edit(request, org_slug, reflection_id):
    reflection = selectors.access_own_reflection(request.membership, reflection_id)
    template = _template_or_none(request, reflection) or BUILT_IN["one_thing"]
    initial = {f"answer_{key}": value for key, value in reflection.answers.items()}
    initial.update(
        visibility=reflection.visibility,
        cohort=reflection.cohort.public_id if reflection.cohort else "",
        reaches_later_members=reflection.reaches_later_members,
        code_themes=reflection.code_themes,
    )
    form = ReflectionForm(
        request.POST or None,
        initial=initial,
        template=template,
        cohorts=_my_cohorts(request.membership),
        meeting=reflection.meeting,
    )
    return _save_or_show(request, form, template=template, meeting=reflection.meeting, reflection=reflection)


@require_http_methods(["GET", "POST"])
def reflection_delete(request, org_slug, reflection_id):
    reflection = selectors.access_own_reflection(request.membership, reflection_id)
    if request.method == "POST":
        services.reflection_delete(reflection=reflection, author=request.membership)
        messages.success(request, _("Deleted. It's gone for good."))
        return redirect("reflection_list", org_slug=org_slug)
    return render(request, "sessions_app/reflections/delete.html", {"reflection": reflection})


@require_POST
def reflection_share(request, org_slug, reflection_id):
    reflection = selectors.access_own_reflection(request.membership, reflection_id)
    try:
        services.reflection_set_visibility(
            reflection=reflection,
            author=request.membership,
            visibility=request.POST.get("visibility", ""),
            reaches_later_members=request.POST.get("reaches_later_members") == "on",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Now readable by: %(visibility)s.") % {"visibility": reflection.get_visibility_display().lower()}
        )
    return redirect("reflection_detail", org_slug=org_slug, reflection_id=reflection_id)


@require_POST
def reflection_pin(request, org_slug, reflection_id):
    reflection = selectors.access_own_reflection(request.membership, reflection_id)
    services.reflection_pin(reflection=reflection, author=request.membership, pinned=not reflection.pinned)
    messages.success(request, "Kept beyond the retention period." if reflection.pinned else "No longer kept.")
    return redirect("reflection_detail", org_slug=org_slug, reflection_id=reflection_id)


@require_GET
def cohort_shared_reflections(request, org_slug, cohort_id):
    cohort = cohort_selectors.access_cohort(request.membership, cohort_id)
    if cohort_selectors.cohort_member_of(cohort, request.membership) is None:
        # Admins who are not in the cohort see aggregates only, never reflections.
        raise PermissionDenied("Only the cohort's members read what it shares.")
    shared = selectors.shared_in_cohort(cohort, request.membership)
    return render(request, "sessions_app/reflections/cohort_shared.html", {"cohort": cohort, "shared": shared})


@org_admin_required
@require_http_methods(["GET", "POST"])
def reflection_templates(request, org_slug):
    form = ReflectionTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reflection_template_create(
                organization=request.organization,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                prompts=form.cleaned_data["questions"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Template added. Members can choose it when they write."))
            return redirect("reflection_templates", org_slug=org_slug)
    custom = ReflectionTemplate.objects.filter(organization=request.organization)
    return render(
        request,
        "sessions_app/reflections/templates.html",
        {"form": form, "custom": custom, "built_in": BUILT_IN.values()},
    )


@org_admin_required
@require_POST
def reflection_template_delete(request, org_slug, template_id):
    template = get_object_or_404(ReflectionTemplate, organization=request.organization, public_id=template_id)
    template.delete()
    messages.success(
        request,
        _("“%(template_name)s” removed; reflections written with it keep their answers.")
        % {"template_name": template.name},
    )
    return redirect("reflection_templates", org_slug=org_slug)
