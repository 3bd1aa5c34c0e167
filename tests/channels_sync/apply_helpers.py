"""Shops, order data and Shopee order JSON for the apply tests (tests/channels_sync/test_apply*).

Order JSON is shaped exactly like one entry of get_order_detail's `order_list`
(../shared/api/marketplaces.md §1.5, every optional field asked), so payloads go through the
real Shopee parser.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from channels_sync.adapters.base import Address, OrderData, OrderItem
from channels_sync.models import ChannelAccount, ChannelApp, InboundPayload
from inventory.models import Warehouse

T0 = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 10:00 in Ho Chi Minh City


def make_account(
    warehouse: Warehouse | None, *, code: str = "SHP-VN1", currency: str = "VND"
) -> ChannelAccount:
    app, _created = ChannelApp.objects.get_or_create(
        platform="shopee",
        app_key="2001887",
        defaults={
            "name": "Shopee app",
            "app_secret": "test_partner_key",
            "api_base_url": "http://127.0.0.1:9",
        },
    )
    return ChannelAccount.objects.create(
        app=app,
        platform="shopee",
        code=code,
        shop_id=f"72772{ChannelAccount.objects.count()}",
        name=f"Shop {code}",
        region="VN" if currency == "VND" else "TH",
        currency=currency,
        api_base_url="http://127.0.0.1:9",
        status="active",
        warehouse=warehouse,
    )


def item(
    sku: str, quantity: int, price: str, *, item_id: str = "1001", model_id: str = "2001"
) -> OrderItem:
    return OrderItem(
        item_id=item_id,
        model_id=model_id,
        seller_sku=sku,
        name=f"Item {sku}",
        quantity=quantity,
        unit_price=Decimal(price),
        original_price=Decimal(price),
    )


ADDRESS = Address(
    name="Nguyễn Văn An",
    phone="84*****678",  # masked, as Shopee sends it
    full_address="12 Lê Lợi, Phường Bến Nghé, Quận 1, Hồ Chí Minh",
    region="VN",
    province="Hồ Chí Minh",
    district="Quận 1",
    ward="Phường Bến Nghé",
)


def order_data(
    status: str = "READY_TO_SHIP",
    *,
    external_id: str = "251201AAA111",
    items: tuple[OrderItem, ...] | None = None,
    updated_minutes: int = 0,
    total: str = "300000",
    shipping_fee: str = "30000",
    currency: str = "VND",
    cod: bool = False,
    buyer_id: str = "700001",
) -> OrderData:
    return OrderData(
        external_id=external_id,
        status=status,
        created_at=T0,
        updated_at=T0.replace(minute=updated_minutes),
        currency=currency,
        total=Decimal(total),
        shipping_fee=Decimal(shipping_fee),
        cod=cod,
        buyer_id=buyer_id,
        buyer_username="an.nguyen",
        address=ADDRESS,
        items=items if items is not None else (item("AO-DEN-M", 2, "135000"),),
    )


def shopee_line(
    sku: str, quantity: int, price: int, *, item_id: int = 1001, model_id: int = 2001
) -> dict[str, Any]:
    return {
        "item_id": item_id,
        "item_name": f"Áo {sku}",
        "item_sku": "",
        "model_id": model_id,
        "model_name": sku,
        "model_sku": sku,
        "model_quantity_purchased": quantity,
        "model_original_price": price,
        "model_discounted_price": price,
        "order_item_id": item_id,
        "product_location_id": [],
    }


def shopee_order(
    order_sn: str = "251201AAA111",
    status: str = "READY_TO_SHIP",
    *,
    lines: list[dict[str, Any]] | None = None,
    update_time: int = 0,
    currency: str = "VND",
    note: str = "",
) -> dict[str, Any]:
    lines = lines if lines is not None else [shopee_line("AO-DEN-M", 2, 135000)]
    created = int(T0.timestamp())
    goods = sum(line["model_discounted_price"] * line["model_quantity_purchased"] for line in lines)
    return {
        "order_sn": order_sn,
        "region": "VN",
        "currency": currency,
        "cod": False,
        "order_status": status,
        "create_time": created,
        "update_time": created + update_time,
        "days_to_ship": 2,
        "message_to_seller": "",
        "buyer_user_id": 700001,
        "buyer_username": "an.nguyen",
        "recipient_address": {
            "name": "Nguyễn Văn An",
            "phone": "84*****678",
            "town": "Phường Bến Nghé",
            "district": "Quận 1",
            "city": "Hồ Chí Minh",
            "state": "Hồ Chí Minh",
            "region": "VN",
            "zipcode": "700000",
            "full_address": "12 Lê Lợi, Phường Bến Nghé, Quận 1, Hồ Chí Minh",
        },
        "item_list": lines,
        "pay_time": created + 60,
        "total_amount": goods + 30000,
        "actual_shipping_fee": 30000,
        "payment_method": "Online Payment",
        "shipping_carrier": "SPX Express",
        "package_list": [],
        "cancel_by": "",
        "cancel_reason": "",
        "note": note,
    }


def store(account: ChannelAccount, body: dict[str, Any] | str) -> InboundPayload:
    """An order payload as pull stores it: raw JSON text, the order id and update time."""
    if isinstance(body, str):
        return InboundPayload.objects.create(
            account=account, platform=account.platform, kind=InboundPayload.Kind.ORDER, body=body
        )
    return InboundPayload.objects.create(
        account=account,
        platform=account.platform,
        kind=InboundPayload.Kind.ORDER,
        external_id=body["order_sn"],
        external_updated_at=datetime.fromtimestamp(body["update_time"], tz=UTC),
        body=json.dumps(body, ensure_ascii=False),
    )


def stocked_shop(stock: int = 10) -> tuple[ChannelAccount, Warehouse, Any]:
    """(the Shopee shop, its new warehouse, "AO-DEN-M" with `stock` in that warehouse)."""
    from tests.orders.factories import WarehouseFactory, stocked_variant

    warehouse: Any = WarehouseFactory()
    shirt = stocked_variant(warehouse, stock, sku="AO-DEN-M")
    return make_account(warehouse), warehouse, shirt


def events(order: Any) -> list[tuple[str, str, str]]:
    """The order's events as (kind, from, to), oldest first."""
    from orders.models import OrderEvent

    return [
        (e.kind, e.from_status, e.to_status)
        for e in OrderEvent.objects.filter(order=order).order_by("pk")
    ]


def notes(order: Any) -> list[str]:
    """The text of the order's notes, oldest first."""
    from orders.models import OrderEvent

    return [
        e.data["text"] for e in OrderEvent.objects.filter(order=order, kind="note").order_by("pk")
    ]
