"""The demo catalogue (categories, brands, products, variants with opening stock) and the
suppliers with their purchase orders."""

from __future__ import annotations

from decimal import Decimal

from inventory.models import Brand, Category, Product, Supplier, Variant, Warehouse
from inventory.services.catalogue import (
    VariantInput,
    category_save,
    product_create,
    variant_matrix,
)
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


def demo_catalogue(warehouses: list[Warehouse], owner_id: int) -> None:
    if Product.objects.exists():
        return
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


def demo_purchasing(warehouses: list[Warehouse], owner_id: int) -> None:
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
