"""HTML templates printed to PDF with WeasyPrint (purchase orders, invoice previews...).

Fonts: templates use the stack "Noto Sans", "Noto Sans Thai", "DejaVu Sans" (Debian packages
fonts-noto-core and fonts-dejavu-core), which covers Vietnamese and Thai. WeasyPrint is imported
when a PDF is made, so the rest of the project runs without its system libraries (Pango).

Rendering never goes to the network: the URL fetcher serves `data:` URLs and static files (by
their /static/ path or a file:// URL inside a static directory) and refuses everything else, so
text from outside cannot make the server fetch a URL.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


class PdfResourceRefused(ValueError):
    """A template asked for a resource outside the static files."""


def _static_file(url: str) -> Path | None:
    parts = urlsplit(url)
    static_url = urlsplit(settings.STATIC_URL).path or "/static/"
    if parts.scheme in ("http", "https") and parts.path.startswith(static_url):
        try:
            found = finders.find(unquote(parts.path[len(static_url) :]))
        except SuspiciousFileOperation:  # ../ out of the static directories
            return None
        return Path(found) if isinstance(found, str) else None
    if parts.scheme == "file":
        path = Path(unquote(parts.path)).resolve()
        roots = [Path(settings.STATIC_ROOT).resolve()]
        roots += [Path(d).resolve() for d in getattr(settings, "STATICFILES_DIRS", [])]
        if any(path.is_relative_to(root) for root in roots) and path.is_file():
            return path
    return None


def static_only_fetcher() -> Any:
    """A WeasyPrint URL fetcher that serves data: URLs and static files, and nothing else."""
    import weasyprint
    from weasyprint.urls import URLFetcherResponse

    class StaticOnlyFetcher(weasyprint.URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = _static_file(url)
            if path is None:
                raise PdfResourceRefused(f"PDF rendering does not fetch {url!r}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
            )

    return StaticOnlyFetcher(allowed_protocols=["data"], allow_redirects=False, timeout=5)


def render_pdf(
    *, template_name: str, context: dict[str, Any], base_url: str | None = None
) -> bytes:
    """Render `template_name` with `context` and print it to PDF bytes.

    `base_url` resolves relative URLs in the template (e.g. request.build_absolute_uri("/")).
    Raises ImportError (OSError inside WeasyPrint) when WeasyPrint's system libraries are missing.
    """
    import weasyprint

    html = render_to_string(template_name, context)
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=static_only_fetcher())
    return document.write_pdf()


def pdf_response(
    request: HttpRequest, *, template_name: str, context: dict[str, Any], filename: str
) -> HttpResponse:
    """`template_name` printed to PDF and answered inline (the browser shows it) as `filename`;
    relative URLs in the template resolve against this site."""
    pdf = render_pdf(
        template_name=template_name,
        context=context,
        base_url=request.build_absolute_uri("/"),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
