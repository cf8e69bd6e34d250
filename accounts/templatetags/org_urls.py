"""``{% org_url "meeting_detail" meeting_id=meeting.public_id %}``: the URL of a page of the
organisation the current page is about, without passing its slug by hand each time."""

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def org_url(context, view_name: str, **kwargs) -> str:
    # Every organisation page has ``organization`` in its context (the middleware resolved
    # it from the URL); a page without one has no organisation URL to build.
    return reverse(view_name, kwargs={"org_slug": context["organization"].slug, **kwargs})
