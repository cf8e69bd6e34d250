"""Every organisation page, opened by someone allowed to see it, renders without
template syntax leaking into what people read (a broken comment or tag shows up as page
text, not as an error)."""

import re

from django.urls import reverse

from tests.routes import OBJECT_MAKERS, ORG_ROUTES

LEAKED = re.compile(r"\{[{%#]|[}%#]\}")


def _page_text(response) -> str:
    # Only what a person reads: script and style bodies may use braces legitimately.
    return re.sub(r"<(script|style)\b.*?</\1>", "", response.content.decode(), flags=re.S)


def test_no_page_shows_template_syntax(client, cast, unscoped, victims):
    victims.meeting, victims.cohort_member  # noqa: B018 - made first, so that lists have something to list
    readers = [cast.alice.user, cast.bob.user]  # the admin; a member of the cohort, who wrote the reflection
    checked, leaks = [], {}
    for route in ORG_ROUTES:
        kwargs = {name: OBJECT_MAKERS[name](victims) for name in route.kwargs if name != "org_slug"}
        url = reverse(route.name, kwargs={"org_slug": cast.org.slug, **kwargs})
        for reader in readers:
            client.force_login(reader)
            response = client.get(url)
            if response.status_code == 200 and "text/html" in response["Content-Type"]:
                checked.append(route.name)
                if found := LEAKED.findall(_page_text(response)):
                    leaks[f"{route.name} as {reader.email}"] = found

    assert leaks == {}
    # Every page a person opens is among them (POST-only actions, JSON and ICS are not).
    assert {"organization_home", "cohort_detail", "meeting_detail", "reflection_detail", "ledger"} <= set(checked)
    assert len(set(checked)) >= 25, sorted(set(checked))
