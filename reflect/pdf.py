"""HTML to PDF for the documents people download: certificates of attendance, leaders'
logs, portfolio exports (issues 13, 14).

WeasyPrint lays out a Django template with Debian's pango. It is imported only when a PDF
is asked for, so a machine without pango still runs everything else and the page says
plainly that PDFs are unavailable. The documents carry people's own words, so nothing in
them may reach out: every URL a template could name (images, stylesheets, fonts) is
refused, and the styles come inline from the template itself.
"""

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _


class PdfUnavailable(RuntimeError):
    """WeasyPrint or its system libraries (pango) are not installed on this machine."""

    message = _("PDF documents cannot be made on this server: ask your administrator to install pango.")


def _no_fetching(url: str, *args, **kwargs):
    # A PDF is built from the template alone; a link in user text must not make the server
    # fetch anything (no SSRF, no reading local files through file:// URLs).
    raise ValueError("Reflect's PDFs fetch nothing")


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    """The PDF of a Django template rendered with ``context``."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:  # OSError: pango's shared library is missing
        raise PdfUnavailable(str(error)) from error
    html = render_to_string(template_name, context, request=request)
    return HTML(string=html, url_fetcher=_no_fetching, base_url="about:blank").write_pdf()
