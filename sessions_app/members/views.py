"""The members page: organisation admins only."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.decorators import org_admin_required
from accounts.forms import MemberRoleForm
from sessions_app.members import selectors
from sessions_app.members.forms import MemberFilterForm


@org_admin_required
@require_GET
def members_list(request, org_slug):
    form = MemberFilterForm(request.GET, organization=request.organization)
    page = None
    if form.is_valid():
        members = selectors.members_filtered(
            organization=request.organization,
            search=form.cleaned_data["q"],
            role=form.cleaned_data["role"],
            cohort=form.cleaned_data["cohort"],
        )
        page = selectors.members_page(members, number=request.GET.get("page"))
    context = {"form": form, "page": page, "role_form": MemberRoleForm(), "back": request.get_full_path()}
    return render(request, "sessions_app/members/members_list.html", context)
