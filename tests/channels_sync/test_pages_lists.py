"""The lists staff work from: quarantine (re-apply in one click, row updated in place), the
oversold orders with their marker, unlinked listings (link in bulk, create products), each
pinned by a query count."""

from __future__ import annotations

import json
import time

import pytest
from django.urls import reverse

from channels_sync.models import ChannelOrder, InboundPayload, Listing, PayloadStatus
from channels_sync.services.apply import payload_apply
from inventory.models import Variant
from tests.channels_sync.test_pages import make_shop
from tests.inventory.factories import WarehouseFactory
from tests.orders.factories import make_customer, make_order, stocked_variant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("encryption_keys")]


def order_body(order_sn: str, sku: str = "AO-DO-M", quantity: int = 2) -> str:
    now = int(time.time())
    return json.dumps(
        {
            "order_sn": order_sn,
            "order_status": "READY_TO_SHIP",
            "create_time": now - 600,
            "update_time": now - 60,
            "pay_time": now - 500,
            "currency": "VND",
            "total_amount": 150000 * quantity,
            "payment_method": "Online Payment",
            "buyer_user_id": 5501,
            "buyer_username": "an.nguyen",
            "recipient_address": {
                "name": "Nguyễn Văn An",
                "phone": "84912345678",
                "full_address": "8 Hai Bà Trưng, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh",
                "state": "TP. Hồ Chí Minh",
                "district": "Quận 1",
                "town": "Phường Bến Nghé",
            },
            "item_list": [
                {
                    "item_id": 880001,
                    "item_sku": "",
                    "model_id": 0,
                    "model_sku": sku,
                    "model_quantity_purchased": quantity,
                    "model_original_price": 150000,
                    "model_discounted_price": 150000,
                    "order_item_id": 1,
                }
            ],
        },
        ensure_ascii=False,
    )


def quarantined(shop, order_sn: str, **kw) -> InboundPayload:
    payload = InboundPayload.objects.create(
        account=shop,
        platform="shopee",
        kind="order",
        external_id=order_sn,
        body=order_body(order_sn, **kw),
    )
    return payload_apply(payload_id=payload.pk)


def test_reapply_after_the_fix_updates_the_row_in_place(client, login_as):
    warehouse = WarehouseFactory(code="HCM01")
    stocked_variant(warehouse, 10, sku="AO-DO-M")
    shop = make_shop()
    payload = quarantined(shop, "261207QX01")
    assert (payload.status, payload.reason) == ("quarantined", "no_warehouse")
    login_as("manager")
    html = client.get(reverse("channels_sync:quarantine_list")).content.decode()
    assert "The shop has no order warehouse: choose one in the shop&#x27;s settings." in html
    assert 'data-testid="reapply"' in html
    url = reverse("channels_sync:payload_reapply", args=[payload.pk])
    # Not fixed yet: still quarantined, the row says so again.
    row = client.post(url, headers={"HX-Request": "true"}).content.decode()
    assert row.strip().startswith(f'<tr id="payload-{payload.pk}" class="payload--quarantined">')
    shop.warehouse = warehouse
    shop.save(update_fields=["warehouse"])
    response = client.post(url, headers={"HX-Request": "true"})
    assert response["HX-Trigger"] == '{"marketplace-changed": {}}'
    row = response.content.decode()
    payload.refresh_from_db()
    assert payload.status == PayloadStatus.APPLIED
    assert row.strip().startswith(f'<tr id="payload-{payload.pk}" class="payload--applied">')
    assert payload.order.number in row
    assert 'data-testid="reapply"' not in row


def test_quarantine_of_one_shop_and_its_query_count(client, login_as, django_assert_num_queries):
    shop = make_shop()
    other = make_shop(shop_id="727720656", code="shopee-727720656", name="Cửa hàng 2")
    for n in range(3):
        quarantined(shop, f"261207QA0{n}")
    quarantined(other, "261207QB01")
    login_as("owner")
    url = reverse("channels_sync:quarantine_list")
    with django_assert_num_queries(4):  # session, user (an owner: no permission rows), shop, rows
        response = client.get(url, {"shop": shop.pk})
    assert [p.external_id for p in response.context["items"]] == [
        "261207QA02",
        "261207QA01",
        "261207QA00",
    ]
    with django_assert_num_queries(3):
        response = client.get(url)
    assert len(response.context["items"]) == 4


def test_oversold_list_shows_the_marker_and_links_to_our_order(
    client, login_as, django_assert_num_queries
):
    warehouse = WarehouseFactory()
    shirt = stocked_variant(warehouse, 5, sku="AO-DO-M")
    shop = make_shop()
    for n in range(3):
        order = make_order(make_customer(phones=(f"091234567{n}",)), warehouse, [(shirt, 1)])
        ChannelOrder.objects.create(
            account=shop,
            external_id=f"261207OS0{n}",
            order=order,
            platform_status="READY_TO_SHIP",
            platform_updated_at=order.created_at,
            oversold=True,
        )
    login_as("manager")
    with django_assert_num_queries(5):  # session, user, 2 x permissions (a manager), rows
        html = client.get(reverse("channels_sync:oversold_list")).content.decode()
    assert html.count('data-marker="new"') == 3
    first = ChannelOrder.objects.order_by("pk").first()
    assert f'href="{reverse("orders:order_detail", args=[first.order_id])}"' in html


def test_shop_list_query_count_does_not_grow_with_shops(
    client, login_as, django_assert_num_queries
):
    for n in range(4):
        make_shop(shop_id=f"72772065{n}", code=f"shopee-72772065{n}", name=f"Shop {n}")
    login_as("owner")
    with django_assert_num_queries(4):
        response = client.get(reverse("channels_sync:marketplace_list"))
    assert len(response.context["shops"]) == 4


def test_listings_link_in_bulk_and_create_products(client, login_as, django_assert_num_queries):
    warehouse = WarehouseFactory()
    shirt = stocked_variant(warehouse, 5, sku="AO-DO-M")
    shop = make_shop()
    red, blue, hat = (
        Listing.objects.create(account=shop, item_id="880001", model_id=m, seller_sku=s, name=n)
        for m, s, n in [
            ("1", "SP-RED", "Áo thun đỏ"),
            ("2", "SP-BLUE", "Áo thun xanh"),
            ("", "NON-1", "Nón lá"),
        ]
    )
    login_as("owner")
    url = reverse("channels_sync:listing_list", args=[shop.pk])
    with django_assert_num_queries(5):
        html = client.get(url).content.decode()
    assert html.count("data-picker-input") == 3
    assert f'name="variant_{red.pk}"' in html
    link = reverse("channels_sync:listing_link", args=[shop.pk])
    response = client.post(
        link, {"action": "link", f"variant_{red.pk}": shirt.pk, f"variant_{blue.pk}": ""}
    )
    assert response.status_code == 302
    red.refresh_from_db()
    blue.refresh_from_db()
    assert (red.variant_id, blue.variant_id) == (shirt.pk, None)
    before = Variant.objects.count()
    client.post(link, {"action": "create", "selected": [hat.pk]})
    hat.refresh_from_db()
    assert hat.variant_id is not None
    assert Variant.objects.count() == before + 1
    assert Variant.objects.get(pk=hat.variant_id).sku == "NON-1"


def test_listing_link_ignores_listings_of_other_shops(client, login_as):
    warehouse = WarehouseFactory()
    shirt = stocked_variant(warehouse, 5, sku="AO-DO-M")
    shop = make_shop()
    other = make_shop(shop_id="727720656", code="shopee-727720656")
    theirs = Listing.objects.create(account=other, item_id="1", seller_sku="X")
    login_as("owner")
    client.post(
        reverse("channels_sync:listing_link", args=[shop.pk]),
        {"action": "link", f"variant_{theirs.pk}": shirt.pk},
    )
    theirs.refresh_from_db()
    assert theirs.variant_id is None
