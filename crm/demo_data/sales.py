"""The demo customers (Vietnam and Thailand) and their orders in every status, dated over the
last ten days."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from inventory.models import Variant, Warehouse
from orders.models import Customer, Order
from orders.services.customers import AddressInput, CustomerInput, customer_create
from orders.services.orders.create import order_create
from orders.services.orders.lines import LineInput
from orders.services.orders.transitions import (
    order_cancel,
    order_complete,
    order_confirm,
    order_ship,
)

# name, phone, street, ward, district, province, country, postcode
DEMO_CUSTOMERS = [
    (
        "Nguyễn Thị Hoa",
        "0912 345 678",
        "12 Lê Lợi",
        "Phường Bến Nghé",
        "Quận 1",
        "TP. Hồ Chí Minh",
        "VN",
        "",
    ),
    (
        "Trần Văn Bình",
        "0987 654 321",
        "88 Cầu Giấy",
        "Phường Quan Hoa",
        "Quận Cầu Giấy",
        "Hà Nội",
        "VN",
        "",
    ),
    (
        "Lê Minh Châu",
        "0903 111 222",
        "5 Hai Bà Trưng",
        "Phường Tân Định",
        "",
        "TP. Hồ Chí Minh",
        "VN",
        "",
    ),
    (
        "Phạm Quốc Dũng",
        "0938 444 555",
        "210 Nguyễn Văn Linh",
        "Phường Thạc Gián",
        "Quận Thanh Khê",
        "Đà Nẵng",
        "VN",
        "",
    ),
    ("Võ Thị Mai", "0977 888 999", "7 Trần Phú", "Phường Lộc Thọ", "", "Khánh Hòa", "VN", ""),
    (
        "Đặng Hải Yến",
        "0355 666 777",
        "31 Ngô Quyền",
        "Phường Máy Chai",
        "Quận Ngô Quyền",
        "Hải Phòng",
        "VN",
        "",
    ),
    (
        "Somchai Jaidee",
        "081 234 5678",
        "99/1 Sukhumvit Soi 11",
        "Khlong Toei Nuea",
        "Watthana",
        "Bangkok",
        "TH",
        "10110",
    ),
    (
        "Bùi Thanh Tâm",
        "0868 123 456",
        "45 Lý Thường Kiệt",
        "Phường 7",
        "Quận 10",
        "TP. Hồ Chí Minh",
        "VN",
        "",
    ),
]

# (customer index, channel, payment, [(sku, qty)], days ago, status to reach, shipping fee)
DEMO_ORDERS = [
    (0, "phone", "cod", [("AT-02", 2)], 9, "completed", "30000"),
    (1, "shopee", "marketplace", [("QJ-03", 1)], 8, "completed", "0"),
    (2, "facebook", "bank_transfer", [("CH26", 1), ("BGN-01", 2)], 7, "completed", "25000"),
    (3, "website", "cod", [("AT-07", 3)], 6, "completed", "30000"),
    (4, "lazada", "marketplace", [("BGN-02", 1)], 5, "shipped", "0"),
    (5, "tiktok", "marketplace", [("AT-09", 1), ("QJ-02", 1)], 4, "shipped", "0"),
    (7, "phone", "cod", [("CH26", 2)], 3, "processing", "35000"),
    (0, "chat", "cod", [("AT-03", 1)], 2, "processing", "30000"),
    (2, "facebook", "cod", [("QJ-04", 1)], 2, "cancelled", "30000"),
    (1, "phone", "cod", [("BGN-03", 1), ("AT-06", 2)], 1, "new", "30000"),
    (3, "website", "bank_transfer", [("QJ-01", 1)], 0, "new", "0"),
    (5, "shopee", "marketplace", [("AT-04", 2)], 0, "new", "0"),
]


def demo_sales(
    warehouses: list[Warehouse], users: dict[str, int], *, now: datetime
) -> tuple[list[Customer], list[Order]] | None:
    """The customers and their orders (in DEMO_ORDERS' order); None when there are customers
    already (nothing is loaded twice)."""
    if Customer.objects.exists():
        return None
    customers = [_customer(*row) for row in DEMO_CUSTOMERS]
    skus = {v.sku.upper(): v.pk for v in Variant.objects.only("pk", "sku")}
    orders = []
    for index, channel, payment, lines, days, status, fee in DEMO_ORDERS:
        at = now - timedelta(days=days, hours=2 + index % 5)
        order = order_create(
            customer_id=customers[index].pk,
            lines=[LineInput(variant_id=skus[sku], quantity=qty) for sku, qty in lines],
            channel=channel,
            payment_method=payment,
            warehouse_id=warehouses[0].pk,
            shipping_fee=Decimal(fee),
            user_id=users["sales"] if channel in ("phone", "facebook", "chat") else None,
            now=at,
        )
        _move_to(order, status, users=users, placed_at=at)
        orders.append(order)
    return customers, orders


def _customer(
    name: str,
    phone: str,
    street: str,
    ward: str,
    district: str,
    province: str,
    country: str,
    postcode: str,
) -> Customer:
    return customer_create(
        data=CustomerInput(name=name, phones=[phone]),
        addresses=[
            AddressInput(
                recipient_name=name,
                recipient_phone=phone,
                street=street,
                ward=ward,
                district=district,
                province=province,
                country=country,
                postcode=postcode,
            )
        ],
    )


def _move_to(order: Order, status: str, *, users: dict[str, int], placed_at: datetime) -> None:
    """Take a new order to `status` the way staff would, each step a little after the last."""
    sales = users["sales"]
    if status in ("processing", "shipped", "completed"):
        order_confirm(order_id=order.pk, user_id=sales, now=placed_at + timedelta(minutes=20))
    if status in ("shipped", "completed"):
        order_ship(
            order_id=order.pk, user_id=users["warehouse"], now=placed_at + timedelta(hours=5)
        )
    if status == "completed":
        order_complete(
            order_id=order.pk, user_id=users["accountant"], now=placed_at + timedelta(days=2)
        )
    if status == "cancelled":
        order_cancel(
            order_id=order.pk,
            user_id=sales,
            reason="Khách đổi ý",
            now=placed_at + timedelta(hours=1),
        )
