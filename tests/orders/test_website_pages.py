"""Staff pages of the website API: list, create (key shown once), detail with the request log,
rotate, activate, repair and re-apply, and the API reference."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.api.handlers import website_order_receive
from orders.api.schema import ERROR_CODES
from orders.models import Order, Website, WebsiteRequest
from orders.services.websites import website_authenticate, website_create
from tests.orders.factories import WarehouseFactory, stocked_variant

pytestmark = pytest.mark.django_db


@pytest.fixture
def website():
    warehouse = WarehouseFactory(code="HCM01", name="Kho Quận 1")
    stocked_variant(warehouse, 10, price="150000", sku="AO-DO-M")
    site, _key = website_create(
        name="Cửa hàng chính", code="MAIN-SITE", warehouse_id=warehouse.pk, user_id=None
    )
    return site


def order_body(**changes) -> dict:
    body = {
        "id": "WEB-7",
        "customer": {"name": "Lê Văn Cường", "phone": "0903 123 456"},
        "shipping_address": {
            "street": "8 Hai Bà Trưng",
            "ward": "Phường Bến Nghé",
            "province": "TP. Hồ Chí Minh",
        },
        "items": [{"sku": "AO-DO-M", "quantity": 1}],
        "payment_method": "cod",
    }
    body.update(changes)
    return body


def receive(site, body) -> WebsiteRequest:
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    website_order_receive(website=site, raw_body=raw)
    return WebsiteRequest.objects.order_by("-id").first()


def key_in(html: str) -> str:
    match = re.search(r'value="(crm_[A-Za-z0-9_-]{43})"', html)
    assert match, "the key is not on the page"
    return match.group(1)


# --- Permissions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "method", "needs_pk"),
    [
        ("orders:website_list", "get", False),
        ("orders:website_create", "get", False),
        ("orders:website_create", "post", False),
        ("orders:api_docs", "get", False),
        ("orders:website_detail", "get", True),
        ("orders:website_edit", "post", True),
        ("orders:website_rotate_key", "post", True),
        ("orders:website_set_active", "post", True),
    ],
)
def test_sales_is_refused_every_website_page(client, login_as, website, name, method, needs_pk):
    login_as("sales")
    url = reverse(name, args=[website.pk] if needs_pk else [])
    before = list(Website.objects.values())
    response = getattr(client, method)(url, {"name": "X", "code": "HACK", "active": "0"})
    assert response.status_code == 403
    assert list(Website.objects.values()) == before


def test_sales_cannot_reapply_a_rejected_request(client, login_as, website):
    rejected = receive(website, b"{broken")
    login_as("sales")
    response = client.post(
        reverse("orders:website_request_reapply", args=[rejected.pk]),
        {f"r{rejected.pk}-payload": json.dumps(order_body())},
    )
    assert response.status_code == 403
    rejected.refresh_from_db()
    assert (rejected.outcome, Order.objects.count()) == ("rejected", 0)


def test_anonymous_visitors_are_sent_to_login(client, website):
    response = client.get(reverse("orders:website_list"))
    assert (response.status_code, response["Location"]) == (
        302,
        "/login/?next=/settings/websites/",
    )


# --- List and create ----------------------------------------------------------------------------


def test_list_shows_code_state_warehouse_last_use_and_recent_rejections(
    client, login_as, website, django_assert_num_queries
):
    receive(website, b"{broken")
    receive(website, order_body(items=[{"sku": "NOPE", "quantity": 1}]))
    old = receive(website, b"[")
    WebsiteRequest.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=8))
    receive(website, order_body())  # created: not counted
    website_create(name="Landing", code="LANDING", warehouse_id=None, user_id=None)
    login_as("manager")
    with django_assert_num_queries(5):  # session, user, 2 x perms, websites
        response = client.get(reverse("orders:website_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Cửa hàng chính") < html.index("Landing")  # by name
    assert "MAIN-SITE" in html
    assert "HCM01" in html
    assert f'href="/settings/websites/{website.pk}/?outcome=rejected">2</a>' in html
    assert 'href="/settings/websites/new/"' in html


def test_create_shows_the_key_once_and_stores_only_its_hash(client, login_as):
    warehouse = WarehouseFactory(code="HN01")
    user = login_as("manager")
    response = client.post(
        reverse("orders:website_create"),
        {"name": "Shop Hà Nội", "code": "hn-shop", "warehouse": warehouse.pk},
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    html = response.content.decode()
    key = key_in(html)
    site = Website.objects.get()
    assert (site.name, site.code, site.warehouse, site.created_by) == (
        "Shop Hà Nội",
        "HN-SHOP",
        warehouse,
        user,
    )
    assert site.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert "curl -X POST &#x27;http://testserver/api/v1/orders&#x27;" in html
    assert f"Authorization: Bearer {key}" in html
    assert 'data-copy="api-key"' in html
    assert website_authenticate(key) == site

    detail = client.get(reverse("orders:website_detail", args=[site.pk])).content.decode()
    assert key not in detail
    assert f"{key[:12]}…" in detail


def test_create_with_a_taken_code_shows_the_error_and_creates_nothing(client, login_as, website):
    login_as("manager")
    response = client.post(
        reverse("orders:website_create"), {"name": "Again", "code": "main-site", "warehouse": ""}
    )
    assert response.status_code == 200
    assert "Another website already has the code MAIN-SITE." in response.content.decode()
    assert Website.objects.count() == 1


# --- Detail: settings, key, activation ----------------------------------------------------------


def test_rotate_key_shows_the_new_key_and_the_old_one_stops(client, login_as, website):
    old_prefix = website.key_prefix
    login_as("manager")
    response = client.post(reverse("orders:website_rotate_key", args=[website.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    new_key = key_in(response.content.decode())
    website.refresh_from_db()
    assert website.key_prefix == new_key[:12] != old_prefix
    assert website_authenticate(new_key) == website


def test_deactivate_and_activate(client, login_as, website):
    login_as("manager")
    url = reverse("orders:website_set_active", args=[website.pk])
    response = client.post(url, {"active": "0"})
    assert response.status_code == 302
    website.refresh_from_db()
    assert website.is_active is False
    html = client.get(reverse("orders:website_detail", args=[website.pk])).content.decode()
    assert "Inactive: requests are refused" in html
    assert "MAIN-SITE is inactive: its requests are refused until it is activated again." in html
    client.post(url, {"active": "1"})
    website.refresh_from_db()
    assert website.is_active is True


def test_edit_name_and_warehouse(client, login_as, website):
    other = WarehouseFactory(code="DN01")
    login_as("manager")
    response = client.post(
        reverse("orders:website_edit", args=[website.pk]),
        {"name": "Shop chính", "warehouse": other.pk},
    )
    assert response.status_code == 302
    website.refresh_from_db()
    assert (website.name, website.code, website.warehouse) == ("Shop chính", "MAIN-SITE", other)

    response = client.post(
        reverse("orders:website_edit", args=[website.pk]), {"name": "", "warehouse": ""}
    )
    assert response.status_code == 422
    website.refresh_from_db()
    assert (website.name, website.warehouse) == ("Shop chính", other)


# --- Detail: the request log --------------------------------------------------------------------


def test_request_log_newest_first_filtered_and_paginated_without_count(
    client, login_as, website, django_assert_num_queries
):
    for n in range(30):
        receive(website, order_body(id=f"WEB-{n}", items=[{"sku": "NOPE", "quantity": 1}]))
    receive(website, order_body(id="WEB-OK"))
    login_as("manager")
    url = reverse("orders:website_detail", args=[website.pk])
    # session, user, 2 x perms, website, one page of requests (+1 row, no COUNT), warehouses
    with django_assert_num_queries(7) as captured:
        html = client.get(url).content.decode()
    assert not any("COUNT(" in q["sql"] for q in captured.captured_queries)
    ids = re.findall(r'<span class="mono">(WEB-[^<]+)</span>', html)
    assert ids[:3] == ["WEB-OK", "WEB-29", "WEB-28"]
    assert len(ids) == 25
    assert 'rel="next"' in html

    page = client.get(url, {"outcome": "created"}).content.decode()
    assert re.findall(r'<span class="mono">(WEB-[^<]+)</span>', page) == ["WEB-OK"]

    second = client.get(url, {"page": "2", "outcome": "rejected"}, HTTP_HX_REQUEST="true")
    fragment = second.content.decode()
    assert fragment.lstrip().startswith('<div id="request-log"')
    assert re.findall(r'<span class="mono">(WEB-[^<]+)</span>', fragment) == [
        f"WEB-{n}" for n in range(4, -1, -1)
    ]


def test_rejected_request_shows_errors_and_raw_body_escaped(client, login_as, website):
    body = order_body(notes="<script>alert(1)</script>", items=[{"sku": "NOPE", "quantity": 1}])
    rejected = receive(website, body)
    login_as("manager")
    url = reverse("orders:website_detail", args=[website.pk])
    html = client.get(url, {"open": rejected.pk}).content.decode()
    assert f'<details class="req req--rejected" id="req-{rejected.pk}" open>' in html
    assert "items[0].sku" in html
    assert "unknown_sku" in html
    assert "No product has the SKU NOPE." in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f'name="r{rejected.pk}-payload"' in html
    # The repair starts from the body as received, keys in the website's order.
    expected = json.dumps(body, ensure_ascii=False, indent=2).replace('"', "&quot;")
    assert expected.replace("<", "&lt;").replace(">", "&gt;") + "</textarea>" in html


def test_staff_repair_and_reapply_a_rejected_request(client, login_as, website):
    rejected = receive(website, order_body(items=[{"sku": "AO-DO-X", "quantity": 1}]))
    assert (rejected.outcome, Order.objects.count()) == ("rejected", 0)
    user = login_as("manager")
    url = reverse("orders:website_request_reapply", args=[rejected.pk])

    # Still wrong: the errors are shown with the text as typed, nothing is created.
    still = json.dumps(order_body(items=[{"sku": "AO-DO-M", "quantity": 0}]))
    response = client.post(url, {f"r{rejected.pk}-payload": still}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    fragment = response.content.decode()
    assert fragment.lstrip().startswith(
        f'<details class="req req--rejected" id="req-{rejected.pk}" open>'
    )
    assert "Still rejected: correct the errors listed and apply again." in fragment
    assert "out_of_range" in fragment
    assert "&quot;quantity&quot;: 0" in fragment
    assert Order.objects.count() == 0

    repaired = json.dumps(order_body())
    response = client.post(url, {f"r{rejected.pk}-payload": repaired})
    assert response.status_code == 302
    assert response["Location"] == (
        f"/settings/websites/{website.pk}/?open={rejected.pk}#req-{rejected.pk}"
    )
    order = Order.objects.get()
    rejected.refresh_from_db()
    assert (rejected.outcome, rejected.status_code, rejected.order) == ("created", 201, order)
    assert (order.external_number, order.channel_account, order.created_by) == (
        "WEB-7",
        "MAIN-SITE",
        user,
    )
    html = client.get(response["Location"]).content.decode()
    assert f"Order {order.number} created from the repaired request." in html
    assert f'<details class="req req--created" id="req-{rejected.pk}" open>' in html
    assert "Payload applied after repair" in html
    assert "&quot;sku&quot;: &quot;AO-DO-X&quot;" in html  # the body as received, still shown

    again = client.post(url, {f"r{rejected.pk}-payload": repaired})
    assert again.status_code == 422
    assert "This request was already applied." in again.content.decode()
    assert Order.objects.count() == 1


def test_reapply_with_invalid_json_keeps_the_text_typed(client, login_as, website):
    rejected = receive(website, b'{"id": "WEB-9"')
    login_as("manager")
    response = client.post(
        reverse("orders:website_request_reapply", args=[rejected.pk]),
        {f"r{rejected.pk}-payload": '{"id": "WEB-9", oops}'},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "{&quot;id&quot;: &quot;WEB-9&quot;, oops}</textarea>" in html
    assert "The body is not valid JSON (line 1, column 17)." in html
    rejected.refresh_from_db()
    assert (rejected.outcome, rejected.raw_body) == ("rejected", '{"id": "WEB-9"')


# --- API reference ------------------------------------------------------------------------------


def test_api_reference_renders_endpoints_fields_and_codes_from_the_document(client, login_as):
    login_as("manager")
    response = client.get(reverse("orders:api_docs"))
    assert response.status_code == 200
    html = response.content.decode()
    for path in ("/orders", "/orders/{id}", "/openapi.json"):
        assert f'<span class="mono">{path}</span>' in html
    for field in (
        "id",
        "customer.phone",
        "shipping_address.ward",
        "items[].sku",
        "items[].unit_price",
        "payment_method",
        "shipments[].tracking_number",
    ):
        assert f'<td class="mono nowrap">{field}</td>' in html
    for code in ERROR_CODES:
        assert f'<td class="mono">{code}</td>' in html
    assert "http://testserver/api/v1" in html
    assert "&quot;sku&quot;: &quot;AO-DO-M&quot;" in html
    assert "cdn" not in html.lower()
    assert "swagger" not in html.lower()
