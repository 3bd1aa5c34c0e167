"""Every page that answers HTMX with a fragment says so in `Vary: HX-Request`.

Without it a cache (the browser's back button, a proxy) can hand the fragment back as the whole
page. The pages are walked as in test_fuzz_pages: every staff page without arguments, and the
pages with arguments that its `world` fixture reaches.
"""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.cache import has_vary_header
from django_htmx.middleware import HtmxDetails

from common.htmx import is_htmx
from tests.common.test_fuzz_pages import staff_url_names, world  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
        return ""
    return response.content.decode(errors="replace")


def _fragment_pages(client: Client, urls: list[str]) -> tuple[list[str], list[str]]:
    """(pages that answer HTMX with a fragment, those of them without Vary: HX-Request)."""
    fragments, missing = [], []
    for url in urls:
        page = client.get(url)
        partial = client.get(url, headers={"HX-Request": "true"})
        if page.status_code != 200 or partial.status_code != 200:
            continue
        page_html, partial_html = _html(page), _html(partial)
        if "<html" not in page_html or "<html" in partial_html:
            continue
        fragments.append(url)
        if not (has_vary_header(page, "HX-Request") and has_vary_header(partial, "HX-Request")):
            missing.append(url)
    return fragments, missing


def test_every_page_answering_htmx_with_a_fragment_varies_on_hx_request(client, world, caplog):  # noqa: F811
    caplog.set_level(logging.CRITICAL, logger="django.request")
    urls = []
    for name, needs_args in staff_url_names():
        if not needs_args:
            urls.append(reverse(name))
        elif name in world:
            urls.append(reverse(name, kwargs=world[name]))
    fragments, missing = _fragment_pages(client, urls)
    assert missing == [], missing
    # The walk reaches the list pages that swap their tables (not an empty loop).
    for name in (
        "orders:order_list",
        "orders:customer_list",
        "inventory:stock_overview",
        "inventory:transfer_list",
        "inventory:count_list",
        "inventory:purchase_order_list",
        "inventory:product_list",
        "health",
    ):
        assert reverse(name) in fragments


def test_is_htmx_by_header_and_target(rf):
    plain = rf.get("/")
    htmx = rf.get("/", headers={"HX-Request": "true", "HX-Target": "t"})
    plain.htmx = HtmxDetails(plain)
    htmx.htmx = HtmxDetails(htmx)
    assert is_htmx(plain) is False
    assert is_htmx(htmx) is True
    assert is_htmx(htmx, target="t") is True
    assert is_htmx(htmx, target="other") is False
    assert is_htmx(rf.get("/")) is False  # no middleware, no HTMX
