from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from crm.demo import DEMO_PASSWORD, DEMO_ROLES
from crm.models import User
from crm.roles import ROLE_PERMISSIONS
from crm.services import user_create
from inventory.models import Brand, Category, Product, Warehouse
from inventory.services.catalogue import VariantInput, category_save, product_create
from inventory.services.warehouses import warehouse_save

DEMO_USERS = [
    ("owner", "Lan", "Nguyễn", "vi"),
    ("manager", "Minh", "Trần", "vi"),
    ("sales", "Somchai", "Srisuk", "th"),
    ("warehouse", "Hùng", "Lê", "vi"),
    ("accountant", "Mai", "Phạm", "vi"),
]

DEMO_WAREHOUSES = [
    (
        "HCM01",
        "Kho chính Hồ Chí Minh",
        Warehouse.Kind.MAIN,
        "12 Nguyễn Văn Bảo, Phường Hạnh Thông, TP. Hồ Chí Minh",
        "warehouse",
    ),
    (
        "HN01",
        "Chi nhánh Hà Nội",
        Warehouse.Kind.BRANCH,
        "45 Trần Duy Hưng, Phường Yên Hòa, Hà Nội",
        "manager",
    ),
    (
        "BKK01",
        "คลังสินค้ากรุงเทพฯ",
        Warehouse.Kind.SUB,
        "99 ถนนสุขุมวิท แขวงคลองเตยเหนือ เขตวัฒนา กรุงเทพฯ 10110",
        None,
    ),
]


# (category path, brand, name, options, sku prefix, cost, sale price, VAT %, weight g, stock)
DEMO_PRODUCTS = [
    (
        ("Thời trang", "Áo"),
        "Sài Gòn Wear",
        "Áo thun cổ tròn cotton",
        [("Màu", ["Trắng", "Đen", "Xanh navy"]), ("Size", ["S", "M", "L", "XL"])],
        "AT",
        "85000",
        "189000",
        "10",
        220,
        (40, 12, 3),
    ),
    (
        ("Thời trang", "Quần"),
        "Sài Gòn Wear",
        "Quần jean slim fit",
        [("Size", ["28", "29", "30", "31", "32"])],
        "QJ",
        "210000",
        "459000",
        "10",
        600,
        (15, 6, 0),
    ),
    (
        ("Gia dụng", "Nhà bếp"),
        "Bếp Việt",
        "Chảo chống dính đáy từ 26cm",
        [],
        "CH26",
        "145000",
        "329000",
        "10",
        900,
        (25, 10, 4),
    ),
    (
        ("Gia dụng", "Nhà bếp"),
        "Bếp Việt",
        "Bình giữ nhiệt inox 500ml",
        [("Màu", ["Bạc", "Hồng", "Xanh mint"])],
        "BGN",
        "95000",
        "219000",
        "10",
        350,
        (30, 2, 8),
    ),
    (
        ("Gia dụng",),
        "Siam Home",
        "ผ้าขาวม้าทอมือ (khăn rằn Thái)",
        [("สี", ["แดง", "น้ำเงิน"])],
        "PKM",
        "60000",
        "149000",
        "8",
        150,
        (0, 0, 20),
    ),
]


def _ean13(item: int) -> str:
    """A valid EAN-13 under Vietnam's GS1 prefix 893 and an invented company number."""
    body = f"8930001{item:05d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _demo_catalogue(warehouses: list[Warehouse], owner_id: int) -> None:
    if Product.objects.exists():
        return
    from inventory.services.catalogue import variant_matrix

    categories: dict[tuple[str, ...], Category] = {}
    item = 0
    for path, brand_name, name, options, prefix, cost, price, vat, grams, stock in DEMO_PRODUCTS:
        parent = None
        for depth in range(1, len(path) + 1):
            key = path[:depth]
            if key not in categories:
                categories[key] = category_save(name=key[-1], parent=parent)
            parent = categories[key]
        brand, _created = Brand.objects.get_or_create(name=brand_name)
        variants = []
        for n, combo in enumerate(variant_matrix(options)):
            item += 1
            sku = f"{prefix}-{n + 1:02d}" if combo else prefix
            variants.append(
                VariantInput(
                    sku=sku,
                    options=tuple(combo),
                    barcode=_ean13(item),
                    cost_price=Decimal(cost),
                    sale_price=Decimal(price),
                    vat_rate=Decimal(vat),
                    weight_grams=grams,
                    low_stock_threshold=5,
                    initial_stock={
                        w.pk: max(0, qty - 3 * (n % 4))
                        for w, qty in zip(warehouses, stock, strict=True)
                    },
                )
            )
        product_create(
            name=name,
            options=options,
            variants=variants,
            category=parent,
            brand_id=brand.pk,
            description="",
            user_id=owner_id,
        )


DEMO_SUPPLIERS = [
    # name, contact, phone, tax code, address, payment terms, product name prefix it supplies
    (
        "Công ty TNHH May Mặc Phương Nam",
        "Chị Thảo",
        "0283 123 4567",
        "0100109106",
        "KCN Tân Bình, TP. Hồ Chí Minh",
        "30 ngày",
        ("Áo", "Quần"),
    ),
    (
        "Công ty CP Gia Dụng Bếp Việt",
        "Anh Khoa",
        "0243 765 4321",
        "0300588569",
        "Long Biên, Hà Nội",
        "Thanh toán khi nhận hàng",
        ("Chảo", "Bình"),
    ),
    (
        "Siam Textile Co., Ltd.",
        "คุณสมศรี",
        "02 123 4567",
        "0107544000108",
        "Bang Rak, Bangkok 10500",
        "Net 15",
        ("ผ้า",),
    ),
]


def _demo_purchasing(warehouses: list[Warehouse], owner_id: int) -> None:
    from inventory.models import Supplier, Variant
    from inventory.services.purchasing import (
        PurchaseLineInput,
        PurchaseOrderInput,
        ReceiptLineInput,
        goods_receipt_post,
        purchase_order_confirm,
        purchase_order_create,
        variant_set_preferred_supplier,
    )
    from inventory.services.suppliers import supplier_save

    if Supplier.objects.exists():
        return
    orders = []
    for name, contact, phone, tax_code, address, terms, prefixes in DEMO_SUPPLIERS:
        supplier = supplier_save(
            data={
                "name": name,
                "contact_name": contact,
                "phone": phone,
                "tax_code": tax_code,
                "address": address,
                "payment_terms": terms,
            }
        )
        variants = [
            v
            for v in Variant.objects.select_related("product").order_by("sku", "pk")
            if v.product.name.startswith(prefixes)
        ]
        variant_set_preferred_supplier(
            variant_ids=[v.pk for v in variants], supplier_id=supplier.pk
        )
        orders.append(
            purchase_order_create(
                data=PurchaseOrderInput(
                    supplier_id=supplier.pk,
                    warehouse_id=warehouses[0].pk,
                    lines=[
                        PurchaseLineInput(variant_id=v.pk, quantity=20, unit_cost=v.cost_price)
                        for v in variants[:4]
                    ],
                ),
                user_id=owner_id,
            )
        )
    # The first order is confirmed and half received; the second confirmed; the third a draft.
    for order in orders[:2]:
        purchase_order_confirm(order_id=order.pk, user_id=owner_id)
    goods_receipt_post(
        order_id=orders[0].pk,
        lines=[
            ReceiptLineInput(order_line_id=line.pk, quantity=10) for line in orders[0].lines.all()
        ],
        user_id=owner_id,
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


def _demo_orders(warehouses: list[Warehouse], users: dict[str, int]) -> None:
    """Customers, orders in every status, follow-ups in the four marker states and two contact
    requests, all through the services (stock and ledger follow), dated over the last 10 days."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from common.markers import tomorrow_start
    from followups.services import (
        Subject,
        contact_request_create,
        followup_finish,
        followup_log_contact,
        followup_schedule,
    )
    from inventory.models import Variant
    from orders.models import Customer
    from orders.services.customers import AddressInput, CustomerInput, customer_create
    from orders.services.orders.create import order_create
    from orders.services.orders.lines import LineInput
    from orders.services.orders.transitions import (
        order_cancel,
        order_complete,
        order_confirm,
        order_ship,
    )

    if Customer.objects.exists():
        return
    customers = [
        customer_create(
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
        for name, phone, street, ward, district, province, country, postcode in DEMO_CUSTOMERS
    ]
    skus = {v.sku.upper(): v.pk for v in Variant.objects.only("pk", "sku")}
    now = timezone.now()
    main = warehouses[0].pk
    sales, warehouse_user = users["sales"], users["warehouse"]
    orders = []
    for index, channel, payment, lines, days, status, fee in DEMO_ORDERS:
        at = now - timedelta(days=days, hours=2 + index % 5)
        order = order_create(
            customer_id=customers[index].pk,
            lines=[LineInput(variant_id=skus[sku], quantity=qty) for sku, qty in lines],
            channel=channel,
            payment_method=payment,
            warehouse_id=main,
            shipping_fee=Decimal(fee),
            user_id=sales if channel in ("phone", "facebook", "chat") else None,
            now=at,
        )
        if status in ("processing", "shipped", "completed"):
            order_confirm(order_id=order.pk, user_id=sales, now=at + timedelta(minutes=20))
        if status in ("shipped", "completed"):
            order_ship(order_id=order.pk, user_id=warehouse_user, now=at + timedelta(hours=5))
        if status == "completed":
            order_complete(
                order_id=order.pk, user_id=users["accountant"], now=at + timedelta(days=2)
            )
        if status == "cancelled":
            order_cancel(
                order_id=order.pk, user_id=sales, reason="Khách đổi ý", now=at + timedelta(hours=1)
            )
        orders.append(order)
    today = timezone.localdate()
    morning = timezone.make_aware(datetime.combine(today, time(10, 0)))
    # The four markers: red (due today, overdue), green (later), grey (finished); the rest blue.
    followup_log_contact(
        subject=Subject("order", orders[9].pk), method="phone",
        note="Khách hỏi thêm màu xanh, hẹn gọi lại xác nhận.", next_contact_at=morning,
        user_id=sales, now=now - timedelta(hours=20),
    )  # fmt: skip
    followup_schedule(
        subject=Subject("order", orders[7].pk),
        next_contact_at=morning - timedelta(days=1),
        user_id=sales,
        note="Xác nhận địa chỉ giao hàng.",
        now=now - timedelta(days=2),
    )
    followup_log_contact(
        subject=Subject("order", orders[4].pk), method="zalo",
        note="Đã gửi mã vận đơn qua Zalo; hỏi lại khi khách nhận hàng.",
        next_contact_at=tomorrow_start(today) + timedelta(days=2, hours=9),
        user_id=sales, now=now - timedelta(days=1),
    )  # fmt: skip
    done = followup_schedule(
        subject=Subject("order", orders[0].pk),
        next_contact_at=morning - timedelta(days=5),
        user_id=sales,
        now=now - timedelta(days=8),
    )
    followup_finish(
        followup_id=done.pk, outcome="sold", note="Khách mua thêm 1 áo.", user_id=sales,
        now=now - timedelta(days=5),
    )  # fmt: skip
    followup_schedule(
        subject=Subject("customer", customers[6].pk),
        next_contact_at=tomorrow_start(today) + timedelta(hours=14),
        user_id=sales,
        note="Gọi giới thiệu bộ sưu tập mới.",
        now=now,
    )
    contact_request_create(
        name="Chị Ngọc", phone="0909 777 888", source="staff", user_id=sales,
        message="Hỏi giá sỉ chảo chống dính, muốn lấy 20 cái.", now=now - timedelta(hours=3),
    )  # fmt: skip
    request, _created = contact_request_create(
        name="Anh Khoa", phone="0912 000 333", source="staff", user_id=sales,
        message="Nhờ tư vấn size quần jean.", now=now - timedelta(days=1),
    )  # fmt: skip
    followup_schedule(
        subject=Subject("contact_request", request.pk),
        next_contact_at=morning + timedelta(hours=6),
        user_id=sales,
        now=now - timedelta(hours=20),
    )


class Command(BaseCommand):
    help = (
        "Load demo staff, warehouses, catalogue, purchasing, customers, orders and follow-ups. "
        "Safe to run again. The staff accounts (owner included) get the password published in "
        "the README, so this runs only with DEBUG on or with --allow-demo-passwords."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-demo-passwords",
            action="store_true",
            help=(
                "Load the demo even with DEBUG off, knowing that anyone who has read the README "
                "can sign in as its owner (a throw-away demo server, never a real shop)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_demo_passwords"]:
            raise CommandError(
                "Refusing to load the demo data with DEBUG off: it creates the accounts owner, "
                "manager, sales, warehouse and accountant with the password published in the "
                "README, so anyone could sign in as the owner. Use `python manage.py createowner` "
                "for a real shop; for a throw-away demo server, run with DEBUG=true or add "
                "--allow-demo-passwords."
            )
        self._load()

    @transaction.atomic
    def _load(self) -> None:
        for role, first, last, language in DEMO_USERS:
            assert role in ROLE_PERMISSIONS
            if not User.objects.filter(username=role).exists():
                user_create(
                    username=role,
                    password=DEMO_PASSWORD,
                    role=role,
                    first_name=first,
                    last_name=last,
                    language=language,
                    email=f"{role}@demo.shop",
                )
        for code, name, kind, address, keeper in DEMO_WAREHOUSES:
            if Warehouse.objects.filter(code=code).exists():
                continue
            warehouse_save(
                data={
                    "code": code,
                    "name": name,
                    "kind": kind,
                    "address": address,
                    "person_in_charge": User.objects.get(username=keeper) if keeper else None,
                    # The sub-warehouse belongs to the main one.
                    "parent": (
                        Warehouse.objects.get(code="HCM01") if kind == Warehouse.Kind.SUB else None
                    ),
                }
            )
        warehouses = [Warehouse.objects.get(code=code) for code, *_rest in DEMO_WAREHOUSES]
        owner_id = User.objects.get(username="owner").pk
        _demo_catalogue(warehouses, owner_id)
        _demo_purchasing(warehouses, owner_id)
        _demo_orders(
            warehouses,
            dict(User.objects.filter(username__in=DEMO_ROLES).values_list("username", "pk")),
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready. Sign in as 'owner' (or manager, sales, warehouse, accountant) "
                f"with password '{DEMO_PASSWORD}'."
            )
        )
