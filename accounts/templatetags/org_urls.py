"""``{% org_url "meeting_detail" meeting_id=meeting.public_id %}``: the URL of a page of the
organisation the current page is about, without passing its slug by hand each time."""

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def org_url(context, view_name: str, **kwargs) -> str:
    # Every organisation page has ``organization`` in its context (the middleware resolved
    # it from the URL); a page without one has no organisation URL to build.
    return reverse(view_name, kwargs={"org_slug": context["organization"].slug, **kwargs})


@register.simple_tag(takes_context=True)
def nav_current(context, view_name: str) -> str:
    """`` aria-current="page"`` on the navigation link to the page being shown (WCAG 1.3.1:
    where you are is told to screen readers, not only drawn in bold)."""
    match = getattr(context.get("request"), "resolver_match", None)
    return mark_safe(' aria-current="page"') if match and match.url_name == view_name else ""
