"""HTML templates printed to PDF with WeasyPrint (purchase orders, invoice previews...).

Fonts: the print stylesheets (static/css/pdf/) use the stack "Noto Sans", "Noto Sans Thai",
"DejaVu Sans" (Debian packages fonts-noto-core and fonts-dejavu-core), which covers Vietnamese and
Thai. WeasyPrint is imported when a PDF is made, so the rest of the project runs without its
system libraries (Pango).

Speed: the stylesheets are parsed once per process and each thread keeps its font configuration
(Fontconfig and Pango caches), so a one-page document costs its layout and little else. What a
document costs is then about one WeasyPrint "fragment" (a line of text in a box: a table cell,
a span) each, about half a millisecond, so the print templates keep their cells and spans few.
WeasyPrint's user-agent stylesheet gives every element six pseudo-elements (::marker,
::footnote-call, ::note-call ...) whose styles are computed for each element, about a sixth of a
table's rendering; our documents use no footnotes and no lists outside <li>, so `_html_class`
scopes those rules to the elements that can have them (`li`, class "footnote"). The indentation
between tags is dropped before parsing (`_collapse_indentation`). Both leave the purchase order
and the delivery notes pixel for pixel as they were. While a document renders, the garbage
collector's youngest generation waits for 50,000 new objects instead of 700
(`_fewer_collections`): WeasyPrint builds millions of small objects whose box tree lives until
the end, and every young collection walked it again (about a tenth of the time).

Rendering never goes to the network: the URL fetcher serves `data:` URLs and static files (by
their /static/ path or a file:// URL inside a static directory) and refuses everything else, so
text from outside cannot make the server fetch a URL.
"""

from __future__ import annotations

import gc
import mimetypes
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpResponse
from django.template.loader import render_to_string

BASE_STYLESHEET = "css/pdf/base.css"  # fonts, tables and the classes every document uses


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


# Per process: parsed stylesheets (by static path) and decoded images (by URL) are shared by
# every render; Pango's font map is not thread-safe, so each thread keeps its own.
_stylesheets: dict[str, Any] = {}
_images: dict[str, Any] = {}
_local = threading.local()


def _font_config() -> Any:
    """This thread's WeasyPrint font configuration (Fontconfig and Pango caches stay warm)."""
    from weasyprint.text.fonts import FontConfiguration

    config = getattr(_local, "font_config", None)
    if config is None:
        config = _local.font_config = FontConfiguration()
    return config


# Per process: WeasyPrint's user-agent stylesheet with its pseudo-element rules scoped (see the
# module's docstring), and the HTML class that uses it.
_lean_html_class: list[Any] = []
# "::marker {...}" applies to list items only; "::footnote-call {...}", "::note-marker {...}"...
# to floated notes only, which our templates mark with class "footnote".
_MARKER_RULE = re.compile(r"^::marker\b", re.MULTILINE)
_NOTE_RULE = re.compile(r"^::(footnote|note)-", re.MULTILINE)


def _html_class() -> Any:
    """weasyprint.HTML with the lean user-agent stylesheet (built once per process)."""
    if _lean_html_class:
        return _lean_html_class[0]
    import weasyprint
    from weasyprint import html as weasy_html
    from weasyprint.css.counters import CounterStyle

    text = _MARKER_RULE.sub("li::marker", weasy_html.UA)
    text = _NOTE_RULE.sub(r".footnote::\1-", text)
    # Its @counter-style rules are WeasyPrint's own, already known to every document
    # (HTML._ua_counter_style): parsed into a set of their own, not added twice.
    lean_ua = weasyprint.CSS(string=text, counter_style=CounterStyle())

    class LeanHTML(weasyprint.HTML):
        def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
            return [lean_ua, *super()._ua_stylesheets(forms)[1:]]

    _lean_html_class.append(LeanHTML)
    return LeanHTML


# Line breaks and the indentation around them, between two tags: the line breaks alone render
# the same (white-space normal collapses them, pre-line drops the spaces around a line break; the
# templates use no "pre").
_INDENTATION = re.compile(r">[ \t]*\n\s*<")


def _line_breaks(match: re.Match[str]) -> str:
    return ">" + "\n" * match.group().count("\n") + "<"


def _collapse_indentation(html: str) -> str:
    return _INDENTATION.sub(_line_breaks, html)


RENDER_GC_THRESHOLD = 50_000  # objects allocated between two young collections while rendering


class _Collections:
    """The renders under way in this process (threads): the first raises the youngest
    generation's threshold, the last puts the one it found back."""

    lock = threading.Lock()
    renders = 0
    saved: tuple[int, int, int] = (700, 10, 10)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    with _Collections.lock:
        if _Collections.renders == 0:
            _Collections.saved = gc.get_threshold()
            gc.set_threshold(RENDER_GC_THRESHOLD, *_Collections.saved[1:])
        _Collections.renders += 1
    try:
        yield
    finally:
        with _Collections.lock:
            _Collections.renders -= 1
            if _Collections.renders == 0:
                gc.set_threshold(*_Collections.saved)


def _stylesheet(name: str) -> Any:
    """The static file `name` (e.g. "css/pdf/base.css") parsed by WeasyPrint, once per process
    (again when the file changes, for development)."""
    import weasyprint

    found = finders.find(name)
    if not isinstance(found, str):
        raise PdfResourceRefused(f"no static stylesheet {name!r}")
    path = Path(found)
    key = f"{path}:{path.stat().st_mtime_ns}"
    sheet = _stylesheets.get(key)
    if sheet is None:
        sheet = weasyprint.CSS(string=path.read_text(encoding="utf-8"), base_url=path.as_uri())
        _stylesheets[key] = sheet
    return sheet


def render_pdf(
    *,
    template_name: str,
    context: dict[str, Any],
    stylesheets: Sequence[str] = (),
    base_url: str | None = None,
) -> bytes:
    """Render `template_name` with `context` and print it to PDF bytes, in the active language.

    `stylesheets`: static files applied after BASE_STYLESHEET (parsed once per process).
    `base_url` resolves relative URLs in the template (e.g. request.build_absolute_uri("/")).
    Needs no request, so a background job can call it. Raises ImportError (OSError inside
    WeasyPrint) when WeasyPrint's system libraries are missing.
    """
    html = _collapse_indentation(render_to_string(template_name, context))
    sheets = [_stylesheet(name) for name in (BASE_STYLESHEET, *stylesheets)]
    with _fewer_collections():
        document = _html_class()(string=html, base_url=base_url, url_fetcher=static_only_fetcher())
        return document.write_pdf(stylesheets=sheets, font_config=_font_config(), cache=_images)


def pdf_file_response(pdf: bytes, *, filename: str) -> HttpResponse:
    """PDF bytes answered inline (the browser shows them) as `filename`."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
