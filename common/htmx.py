"""Partial or page: the one way a view answers both an HTMX request and a normal one.

An HTMX request gets the named partial of the page's template
("orders/order_list.html#order-table"), a normal request the whole page. Both answers carry
`Vary: HX-Request`, so a cache (the browser's back button included) never hands the fragment
back as the page or the reverse.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def is_htmx(request: HttpRequest, *, target: str | None = None) -> bool:
    """True for a request made by HTMX (django-htmx's middleware sets `request.htmx`); with
    `target`, only when HTMX swaps into the element with that id."""
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return False
    return target is None or htmx.target == target


def vary_on_htmx(response: HttpResponse) -> HttpResponse:
    """Mark a response whose body depends on whether HTMX asked for it."""
    patch_vary_headers(response, ("HX-Request",))
    return response


def render_partial_or_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    partial: str | None = None,
    target: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render `template#partial` for an HTMX request (only one aimed at `target` when given),
    the whole `template` otherwise; always with `Vary: HX-Request`. Without `partial` the page
    is rendered either way (a page whose HTMX answer is the page itself)."""
    name = template
    if partial and is_htmx(request, target=target):
        name = f"{template}#{partial}"
    return vary_on_htmx(render(request, name, context, status=status))
