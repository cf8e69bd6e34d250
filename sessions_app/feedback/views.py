"""Feedback pages. The author asks for feedback and withdraws from the reflection's
feedback page; the reader reads, writes feedback and signs off on the share's page.
Everyone else, admins included, gets 404 (``selectors``)."""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sessions_app.feedback import selectors, services
from sessions_app.feedback.forms import AskForm, FeedbackForm, SignOffForm
from sessions_app.reflections import selectors as reflection_selectors
from sessions_app.reflections import services as reflection_services
from sessions_app.reflections.builtin_templates import CODE_THEMES


@require_http_methods(["GET", "POST"])
def feedback_shares(request, org_slug, reflection_id):
    """The author's page: who this reflection is shared with for feedback, what they
    wrote and signed, and the form to ask someone else."""
    reflection = reflection_selectors.access_own_reflection(request.membership, reflection_id)
    has_session = reflection.meeting_id is not None or reflection.cohort_id is not None
    form = AskForm(request.POST or None, has_session=has_session)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reader = services.reader_find(author=request.membership, email=data["email"])
            share = services.feedback_share_create(
                reflection=reflection,
                author=request.membership,
                reader=reader,
                role=data["role"],
                number_kind=data["number_kind"],
                note=data["note"],
                include_session=data.get("include_session", False),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Shared with %(name)s, and nobody else.") % {"name": share.reader_name})
            return redirect("feedback_shares", org_slug=org_slug, reflection_id=reflection_id)
    context = {"reflection": reflection, "shares": selectors.shares_of(reflection), "form": form}
    return render(request, "sessions_app/feedback/shares.html", context)


@require_POST
def feedback_withdraw(request, org_slug, share_id):
    share = selectors.access_own_share(request.membership, share_id)
    services.feedback_share_withdraw(share=share, author=request.membership)
    messages.success(request, _("Withdrawn: %(name)s can no longer read it.") % {"name": share.reader_name})
    return redirect("feedback_shares", org_slug=org_slug, reflection_id=share.reflection.public_id)


@require_GET
def feedback_inbox(request, org_slug):
    """The reflections people asked this person to give feedback on (no text here)."""
    shares = selectors.shares_for_reader(request.membership)
    return render(request, "sessions_app/feedback/inbox.html", {"shares": shares})


@require_http_methods(["GET", "POST"])
def feedback_read(request, org_slug, share_id):
    """The reader's page: the reflection, the author's note, their feedback, their sign-offs."""
    share = selectors.access_feedback_share(request.membership, share_id)
    today = timezone.now().astimezone(ZoneInfo(request.user.time_zone)).date()
    posted = request.POST if request.method == "POST" else None
    signing = posted is not None and "sign_off-discussed_on" in posted
    feedback_form = FeedbackForm(None if signing else posted, prefix="feedback", initial={"text": share.feedback})
    sign_off_form = SignOffForm(
        posted if signing else None,
        prefix="sign_off",
        number_kind=share.number_kind,
        today=today,
        initial={"name": request.user.name, "discussed_on": today},
    )
    form = sign_off_form if signing else feedback_form
    if posted is not None and form.is_valid() and _save(request, share, form, signing):
        return redirect("feedback_read", org_slug=org_slug, share_id=share_id)
    context = _read_context(request, share, feedback_form, sign_off_form)
    return render(request, "sessions_app/feedback/read.html", context)


def _save(request, share, form, signing: bool) -> bool:
    data = form.cleaned_data
    try:
        if signing:
            services.sign_off_give(
                share=share,
                reader=request.membership,
                name=data["name"],
                number=data.get("number", ""),
                discussed_on=data["discussed_on"],
            )
        else:
            services.feedback_save(share=share, reader=request.membership, text=data["text"])
    except ValidationError as error:
        form.add_error(None, error)
        return False
    messages.success(request, _("Signed off. The author can see it.") if signing else _("Feedback saved."))
    return True


def _read_context(request, share, feedback_form, sign_off_form) -> dict:
    reflection = share.reflection
    try:
        template = reflection_services.template_for(request.organization, reflection.template_key)
        prompts = [(p.question, reflection.answers.get(p.key, "")) for p in template.prompts]
    except ValidationError:  # a deleted organisation template: the answers stay, by key
        prompts = list(reflection.answers.items())
    return {
        "share": share,
        "reflection": reflection,
        "prompts": prompts,
        "code_themes": [CODE_THEMES[key] for key in reflection.code_themes if key in CODE_THEMES],
        "meeting": reflection.meeting if share.include_session else None,
        "cohort": reflection.cohort if share.include_session else None,
        "sign_offs": selectors.mark_current(list(share.sign_offs.all()), reflection),
        "feedback_form": feedback_form,
        "sign_off_form": sign_off_form,
    }
