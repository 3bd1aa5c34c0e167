"""Hostile query strings and path segments on every staff page: nothing is ever a 500.

The staff pages are found by walking the URL resolver (the orders, inventory and follow-ups
namespaces and the project's own pages); pages that need an object get a real one. Each page is
fetched once plainly to learn its parameters (every `name` its forms send, plus the parameters
the views read by hand and a few unknown ones); then every parameter gets every hostile value
on its own, and every hostile value goes into all parameters at once.

A deterministic matrix (no hypothesis): a failure names the exact URL to replay.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from followups.services import Subject, followup_schedule
from followups.services_requests import contact_request_create
from inventory.models import StockCount
from inventory.services.counts import count_start
from inventory.services.purchasing import ReceiptLineInput, goods_receipt_post
from inventory.services.transfers import TransferLineInput, transfer_create
from orders.models import WebsiteRequest
from orders.services.websites import website_create
from tests.inventory.factories import (
    BrandFactory,
    CategoryFactory,
    SupplierFactory,
    WarehouseFactory,
)
from tests.inventory.factories_purchasing import make_order as make_purchase_order
from tests.orders.factories import make_customer, make_order, stocked_variant

pytestmark = pytest.mark.django_db

NAMESPACES = ("orders", "inventory", "followups")
# Pages of the project itself (crm/urls.py) that staff open; login/logout/language are flows.
PROJECT_PAGES = ("dashboard", "password_change", "password_change_done", "health")

# Query values exactly as they go on the wire (already percent-encoded where it matters).
HOSTILE = {
    "nul": "a%00b",
    "surrogate-utf8": "%ED%B2%80",  # a lone surrogate encoded as UTF-8 would (invalid)
    "surrogate-escaped": quote("\udc80", errors="surrogateescape"),  # the byte 0x80 alone
    "surrogate-text": quote("\\udc80"),
    "year-9999": "9999-12-31",
    "year-1": "0001-01-01",
    "datetime-9999": quote("9999-12-31T23:59:59-14:00"),
    "huge": "99999999999999999999999",
    "minus-one": "-1",
    "zero": "0",
    "abc": "abc",
    "1e309": "1e309",
    "nan": "NaN",
    "brackets": "%5B%5D",
    "long": "x" * 5000,
    "percent": "%25",
    "lone-percent": "%",
    "emoji": quote("🛒🇻🇳"),
}
# The values also sent to each parameter on its own (all of them go into all parameters at once).
ONE_BY_ONE = ("nul", "year-9999", "year-1", "huge", "abc")
# Parameters some views read from request.GET by hand, and one nobody reads.
EXTRA_PARAMS = ("page", "q", "format", "warehouse", "date", "date_from", "date_to", "zzz")
FORM_RE = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
NAME_RE = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"')
SKIPPED_NAMES = {"csrfmiddlewaretoken"}

# Pages with arguments this test does not reach, and why (a new page must be added above
# or here with a reason).
NOT_FUZZED = {
    "orders:customer_merge": "needs two duplicate customers; a POST flow",
    "inventory:product_import_review": "needs an uploaded file in the session",
    "inventory:product_import_discard": "POST only",
    "inventory:product_media": "serves files from storage; fuzzed as a path below",
    "followups:ical": "fuzzed as a path below",
}

# Paths with hostile segments (the resolver matches them; the view must not crash).
HOSTILE_PATHS = (
    "/followups/calendar/%00.ics",
    "/followups/calendar/a%00b.ics",
    "/followups/calendar/%ED%B2%80.ics",
    "/followups/calendar/%80.ics",
    "/followups/calendar/" + "x" * 5000 + ".ics",
    "/inventory/products/import/%00/",
    "/inventory/products/import/%ED%B2%80/",
    "/inventory/media/%00",
    "/inventory/media/a%00b.jpg",
    "/inventory/media/%ED%B2%80.jpg",
    "/orders/%00/",
    "/customers/%00/",
    "/followups/panel/%00/1/",
    "/followups/panel/order%00/1/",
)


def _patterns(resolvers: list[URLResolver | URLPattern], prefix: str, namespace: str) -> Iterator:
    for item in resolvers:
        if isinstance(item, URLResolver):
            inner = item.namespace or namespace
            yield from _patterns(item.url_patterns, prefix + str(item.pattern), inner)
        elif item.name:
            yield (
                (f"{namespace}:{item.name}" if namespace else item.name),
                prefix + str(item.pattern),
            )


def staff_url_names() -> list[tuple[str, bool]]:
    """(URL name, needs arguments) of every staff page."""
    found = []
    for name, route in _patterns(get_resolver().url_patterns, "", ""):
        namespace = name.split(":")[0] if ":" in name else ""
        if namespace in NAMESPACES or name in PROJECT_PAGES:
            found.append((name, "<" in route))
    return sorted(set(found))


@pytest.fixture
def world(login_as):
    owner = login_as("owner")
    hcm = WarehouseFactory(code="HCM01")
    hn = WarehouseFactory(code="HN01")
    CategoryFactory()
    BrandFactory()
    variant = stocked_variant(hcm, 20, sku="AO-DO-M")
    customer = make_customer()
    order = make_order(customer, hcm, [(variant, 1)], user_id=owner.pk)
    contact, _new = contact_request_create(
        name="Chị Đào", phone="0912 000 001", source="staff", user_id=owner.pk
    )
    thread = followup_schedule(
        subject=Subject("order", order.pk),
        next_contact_at=timezone.now() + timedelta(days=1),
        user_id=owner.pk,
    )
    supplier = SupplierFactory()
    purchase = make_purchase_order(
        supplier=supplier, warehouse=hcm, lines=[(variant, 5, "80000")], user=owner, confirm=True
    )
    receipt = goods_receipt_post(
        order_id=purchase.pk,
        lines=[ReceiptLineInput(order_line_id=purchase.lines.get().pk, quantity=2)],
        user_id=owner.pk,
    )
    transfer = transfer_create(
        source_id=hcm.pk,
        destination_id=hn.pk,
        lines=[TransferLineInput(variant_id=variant.pk, quantity=1)],
    )
    count = count_start(warehouse_id=hcm.pk, user_id=owner.pk)
    website, _key = website_create(name="Shop", code="MAIN", warehouse_id=hcm.pk, user_id=None)
    web_request = WebsiteRequest.objects.create(
        website=website,
        external_number="W-1",
        raw_body="{}",
        outcome=WebsiteRequest.Outcome.REJECTED,
        status_code=422,
    )
    address = customer.addresses.first()
    assert isinstance(count, StockCount)
    return {
        "orders:order_detail": {"pk": order.pk},
        "orders:order_delivery_note": {"pk": order.pk},
        "orders:order_edit": {"pk": order.pk},
        "orders:order_confirm": {"pk": order.pk},
        "orders:order_ship": {"pk": order.pk},
        "orders:order_complete": {"pk": order.pk},
        "orders:order_cancel": {"pk": order.pk},
        "orders:order_payment": {"pk": order.pk},
        "orders:order_note": {"pk": order.pk},
        "orders:order_shortage_purchase": {"pk": order.pk},
        "orders:return_create": {"pk": order.pk},
        "orders:return_refund_suggestion": {"pk": order.pk},
        "orders:customer_detail": {"pk": customer.pk},
        "orders:customer_edit": {"pk": customer.pk},
        "orders:customer_invoice_details": {"pk": customer.pk},
        "orders:customer_addresses": {"pk": customer.pk},
        "orders:customer_address_add": {"pk": customer.pk},
        "orders:customer_address_edit": {"pk": customer.pk, "address_pk": address.pk},
        "orders:customer_address_delete": {"pk": customer.pk, "address_pk": address.pk},
        "orders:website_detail": {"pk": website.pk},
        "orders:website_edit": {"pk": website.pk},
        "orders:website_rotate_key": {"pk": website.pk},
        "orders:website_set_active": {"pk": website.pk},
        "orders:website_request_reapply": {"pk": web_request.pk},
        "inventory:warehouse_edit": {"pk": hcm.pk},
        "inventory:variant_ledger": {"variant_id": variant.pk},
        "inventory:variant_adjust": {"variant_id": variant.pk},
        "inventory:variant_threshold": {"variant_id": variant.pk},
        "inventory:product_detail": {"pk": variant.product_id},
        "inventory:product_edit": {"pk": variant.product_id},
        "inventory:product_image_upload": {"pk": variant.product_id},
        "inventory:product_image_move": {"pk": variant.product_id, "image_id": 1},
        "inventory:product_image_delete": {"pk": variant.product_id, "image_id": 1},
        "inventory:category_edit": {"pk": variant.product.category_id or 1},
        "inventory:brand_edit": {"pk": variant.product.brand_id or 1},
        "inventory:supplier_edit": {"pk": supplier.pk},
        "inventory:purchase_order_detail": {"pk": purchase.pk},
        "inventory:purchase_order_edit": {"pk": purchase.pk},
        "inventory:purchase_order_confirm": {"pk": purchase.pk},
        "inventory:purchase_order_cancel": {"pk": purchase.pk},
        "inventory:purchase_order_pdf": {"pk": purchase.pk},
        "inventory:purchase_order_close": {"pk": purchase.pk},
        "inventory:goods_receipt_create": {"pk": purchase.pk},
        "inventory:goods_receipt_detail": {"pk": receipt.pk},
        "inventory:transfer_detail": {"pk": transfer.pk},
        "inventory:transfer_edit": {"pk": transfer.pk},
        "inventory:transfer_send": {"pk": transfer.pk},
        "inventory:transfer_receive": {"pk": transfer.pk},
        "inventory:transfer_cancel": {"pk": transfer.pk},
        "inventory:count_detail": {"pk": count.pk},
        "inventory:count_scan": {"pk": count.pk},
        "inventory:count_line_set": {"pk": count.pk, "line_pk": count.lines.first().pk},
        "inventory:count_post": {"pk": count.pk},
        "inventory:count_cancel": {"pk": count.pk},
        "followups:panel": {"kind": "order", "pk": order.pk},
        "followups:panel_log": {"kind": "order", "pk": order.pk},
        "followups:panel_schedule": {"kind": "order", "pk": order.pk},
        "followups:panel_assign": {"kind": "order", "pk": order.pk},
        "followups:panel_finish": {"kind": "order", "pk": order.pk},
        "followups:request_detail": {"pk": contact.pk},
        "followups:request_order": {"pk": contact.pk},
        "followups:calendar_reschedule": {"pk": thread.pk},
        "followups:reminder_reschedule": {"pk": thread.pk},
    }


def _params(client: Client, url: str) -> list[str] | None:
    """The parameters a page's forms send, and those read by hand; None when the page does not
    answer GET (POST-only)."""
    response = client.get(url)
    if response.status_code == 405:
        return None
    html = ""
    if response.status_code == 200 and not response.streaming:
        html = response.content.decode(errors="replace")
    # The fields of the page's GET forms (filter bars); POST forms are not query strings.
    gets = "".join(body for attrs, body in FORM_RE.findall(html) if 'method="post"' not in attrs)
    names = [n for n in NAME_RE.findall(gets) if n not in SKIPPED_NAMES]
    return list(dict.fromkeys([*names, *EXTRA_PARAMS]))


def test_every_staff_page_answers_hostile_query_strings_without_a_500(client, world, caplog):
    caplog.set_level(logging.CRITICAL, logger="django.request")  # 4xx/5xx logs cost time
    client.raise_request_exception = False
    urls = []
    for name, needs_args in staff_url_names():
        if not needs_args:
            urls.append((reverse(name), True))
        elif name in world:
            urls.append((reverse(name, kwargs=world[name]), False))
        else:
            assert name in NOT_FUZZED, f"{name} takes arguments: add it to the world or NOT_FUZZED"
    assert len(urls) > 60

    failures: list[str] = []
    sent = 0

    def probe(target: str, **headers: str) -> None:
        nonlocal sent
        sent += 1
        status = client.get(target, **headers).status_code
        if status >= 500:
            failures.append(f"{status} {target[:300]}")

    for url, is_list in urls:
        started = time.monotonic()
        params = _params(client, url)
        if params is None:  # POST-only: one hostile query string is enough
            probe(f"{url}?page={HOSTILE['nul']}&date_to={HOSTILE['year-9999']}")
            continue
        for key, value in HOSTILE.items():
            everything = "&".join(f"{quote(p)}={value}" for p in params)
            probe(f"{url}?{everything}")
            if key in ONE_BY_ONE and is_list:  # detail pages: all parameters at once
                probe(f"{url}?{everything}", HTTP_HX_REQUEST="true")
                for param in params:
                    probe(f"{url}?{quote(param)}={value}")
        print(f"{time.monotonic() - started:6.2f}s {len(params)} {url}")
    for path in HOSTILE_PATHS:
        probe(path)

    print(f"{sent} requests, {len(failures)} answered 5xx")
    print("\n".join(failures))
    assert len(failures) == 0, "\n".join(failures[:200])
