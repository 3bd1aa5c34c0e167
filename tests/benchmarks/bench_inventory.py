r"""Inventory benchmark: server time of the stock overview and of a reservation at shop scale.

What it does
  1. Migrates the PostgreSQL database named by DATABASE_URL. It refuses SQLite, and a database
     whose name lacks "bench" unless --any-database is given: step 2 empties the inventory tables.
  2. Loads in bulk (COPY through psycopg 3): a category tree, 150 brands, ~27k products with
     their options, --variants variants (Vietnamese and Thai names, SKUs prefixed by kind of
     product, EAN-13 barcodes, search text from inventory.services.catalogue.search_text_for),
     --warehouses warehouses, a stock level per variant and warehouse, and the ledger rows that
     explain each level (an "initial" movement, plus a "reservation" where units are reserved),
     so inventory.selectors.stock.ledger_mismatches() is empty. About 6% of the levels were never
     stocked and 3% are fully reserved (both out of stock), ~10% are under their low-stock
     threshold, the rest are in stock. Then VACUUM ANALYZE. With --keep, data of the requested
     size is reused instead.
  3. Times whole requests through django.test.Client as a signed-in owner, DEBUG off (middleware,
     session, view, queries, template rendering): the stock overview (inventory:stock_overview)
     unfiltered and page 20; by warehouse; by a 3-level category and by the category whose SKUs
     sort last; by brand; by state; searched by words (one early, one late in SKU order), a SKU
     fragment, a barcode and two letters; combinations. Then stock_reserve of one unit on random
     in-stock levels, and stock_release of the same units (stock ends as it began). Each case
     runs 3 warm-up times, then --repeat measured times.
  4. Prints p50 / p95 / max wall milliseconds, the median time spent in cursor.execute, the rows
     on the page, the load time, the ledger check time (the query of `manage.py
     check_stock_ledger`) and the machine's load average (the figures mean little on a busy box).

How to run (from the project root; tests/benchmarks is not collected by pytest)
  psql -h 127.0.0.1 -U postgres -c "create database crm_bench"
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench \
    .venv/bin/python tests/benchmarks/bench_inventory.py [--variants 100000] [--warehouses 5] \
    [--repeat 50] [--keep]

How long it takes on 2 cores: the load of 100k variants x 5 warehouses about a minute (two or
three on a busy machine), the measurements about a minute with --repeat 50; --keep skips the
load on a rerun.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import random
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Production-like settings: DEBUG off (no query log, no template debug data). The project's .env
# is not read, so the database can only come from the real environment.
os.environ["DJANGO_SETTINGS_MODULE"] = "crm.settings"
os.environ.setdefault("CRM_ENV_FILE", os.devnull)
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "benchmark-only-" + secrets.token_urlsafe(32))
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("VAR_DIR", str(Path(tempfile.gettempdir()) / "crm-bench-var"))
# WhiteNoise serves STATIC_ROOT (VAR_DIR/static) and warns when it does not exist.
(Path(os.environ["VAR_DIR"]) / "static").mkdir(parents=True, exist_ok=True)

import django  # noqa: E402

SEED = 20260101
BENCH_USERNAME = "bench-owner"
WARMUP = 3

# --- Catalogue vocabulary ---------------------------------------------------------------------

CATEGORY_TREE: dict[str, Any] = {
    "Thời trang nữ": {
        "Áo nữ": {"Áo thun nữ": {}, "Áo sơ mi nữ": {}, "Áo khoác nữ": {}},
        "Đầm & Váy": {},
        "Quần nữ": {},
    },
    "Thời trang nam": {"Áo nam": {"Áo thun nam": {}, "Áo sơ mi nam": {}}, "Quần nam": {}},
    "Giày dép": {"Giày thể thao": {}, "Dép & Sandal": {}},
    "Túi & Phụ kiện": {"Túi xách": {}, "Mũ nón": {}},
    "Làm đẹp": {"Chăm sóc da": {}, "Trang điểm": {}},
    "Điện thoại & Phụ kiện": {"Ốp lưng": {}, "Cáp & Sạc": {}, "Tai nghe": {}},
    "Nhà cửa & Đời sống": {"Nhà bếp": {}, "Chăn ga gối": {}},
    "Mẹ & Bé": {"Tã bỉm": {}, "Đồ chơi": {}},
    "Thực phẩm": {"Đồ ăn vặt": {}, "Đồ uống": {}},
}
# The top-level categories measured: one with two levels below it, and the one whose SKUs
# (prefixes NON and TX) sort after those of every other top-level category.
BENCH_CATEGORY = "Thời trang nữ"
BENCH_LATE_CATEGORY = "Túi & Phụ kiện"


def _values(spec: str) -> list[tuple[str, str]]:
    """ "Đen=DEN, Trắng=TRG" -> [("Đen", "DEN"), ("Trắng", "TRG")]: option value, SKU code."""
    return [tuple(part.strip().split("=")) for part in spec.split(",")]  # type: ignore[misc]


COLORS = _values(
    "Đen=DEN, Trắng=TRG, Đỏ=DO, Xanh dương=XD, Xanh lá=XLA, Vàng=VG, Hồng=HG, Be=BE, Xám=XAM, "
    "Nâu=NAU, Tím=TIM, Cam=CAM"
)
# Option attributes per kind of product: [(attribute name, [(value, SKU code), ...]), ...].
SCHEMES: dict[str, list[tuple[str, list[tuple[str, str]]]]] = {
    "apparel": [("Màu sắc", COLORS), ("Kích cỡ", _values("S=S, M=M, L=L, XL=XL, XXL=XXL"))],
    "shoes": [("Màu sắc", COLORS), ("Size", [(str(n), str(n)) for n in range(36, 45)])],
    "color": [("Màu sắc", COLORS)],
    "volume": [("Dung tích", _values("30ml=30, 50ml=50, 100ml=100, 200ml=200"))],
    "shade": [
        ("Màu son", _values("01 Đỏ cam=01, 02 Hồng đất=02, 03 Đỏ gạch=03, 04 Cam cháy=04")),
    ],
    "phone": [
        (
            "Dòng máy",
            _values(
                "iPhone 13=IP13, iPhone 14=IP14, iPhone 15=IP15, iPhone 15 Pro=IP15P, "
                "Samsung A54=SSA54, Samsung S24=SSS24, Oppo Reno 10=OPR10, "
                "Xiaomi Redmi Note 13=XMN13"
            ),
        ),
        ("Màu sắc", COLORS[:6]),
    ],
    "capacity": [
        ("Dung tích", _values("500ml=05L, 750ml=075L, 1 lít=1L, 3.5 lít=35L")),
        ("Màu sắc", COLORS[:4]),
    ],
    "bedding": [
        ("Kích thước", _values("1m6 x 2m=1620, 1m8 x 2m=1820, 2m x 2m2=2022")),
        ("Màu sắc", COLORS),
    ],
    "diaper": [
        ("Size", _values("NB=NB, S=S, M=M, L=L, XL=XL, XXL=XXL")),
        ("Quy cách", _values("Gói 30 miếng=G30, Gói 60 miếng=G60")),
    ],
    "weight": [("Khối lượng", _values("100g=100G, 250g=250G, 500g=500G, 1kg=1KG"))],
    "none": [],
}


@dataclass(frozen=True)
class ProductType:
    category: str  # full name, "Thời trang nữ / Áo nữ / Áo thun nữ"
    prefix: str  # SKU prefix
    scheme: str  # key of SCHEMES
    names_vi: tuple[str, ...]
    names_th: tuple[str, ...]


def _product_type(line: str) -> ProductType:
    category, prefix, scheme, names_vi, names_th = (field.strip() for field in line.split("|"))
    return ProductType(
        category,
        prefix,
        scheme,
        *(tuple(n.strip() for n in names.split(";")) for names in (names_vi, names_th)),
    )


def _words(spec: str) -> list[str]:
    return [word.strip() for word in spec.split("|")]


# category full name | SKU prefix | options | Vietnamese names | Thai names
PRODUCT_TYPES = [
    _product_type(line)
    for line in """
Thời trang nữ / Áo nữ / Áo thun nữ | ATN | apparel | Áo thun nữ | เสื้อยืดผู้หญิง
Thời trang nữ / Áo nữ / Áo sơ mi nữ | SMN | apparel | Áo sơ mi nữ; Áo kiểu nữ | เสื้อเชิ้ตผู้หญิง
Thời trang nữ / Áo nữ / Áo khoác nữ | AKN | apparel | Áo khoác gió nữ; Áo cardigan | เสื้อแจ็คเก็ต
Thời trang nữ / Đầm & Váy | DAM | apparel | Đầm maxi; Váy công sở; Đầm suông | ชุดเดรส
Thời trang nữ / Quần nữ | QN | apparel | Quần jean nữ; Quần ống rộng; Quần short nữ | กางเกงยีนส์ผู้หญิง
Thời trang nam / Áo nam / Áo thun nam | ATM | apparel | Áo thun nam; Áo polo nam | เสื้อโปโล
Thời trang nam / Áo nam / Áo sơ mi nam | SMM | apparel | Áo sơ mi nam | เสื้อเชิ้ตผู้ชาย
Thời trang nam / Quần nam | QM | apparel | Quần jean nam; Quần kaki nam; Quần jogger | กางเกงยีนส์ผู้ชาย
Giày dép / Giày thể thao | GTT | shoes | Giày thể thao; Giày sneaker | รองเท้าผ้าใบ
Giày dép / Dép & Sandal | DEP | shoes | Dép quai ngang; Sandal đi biển | รองเท้าแตะ
Túi & Phụ kiện / Túi xách | TX | color | Túi xách tay; Túi đeo chéo; Balo laptop | กระเป๋าสะพาย
Túi & Phụ kiện / Mũ nón | NON | color | Nón lá; Mũ lưỡi trai; Nón bảo hiểm | หมวกแก๊ป
Làm đẹp / Chăm sóc da | CSD | volume | Kem chống nắng; Sữa rửa mặt; Serum dưỡng ẩm | ครีมกันแดด; เซรั่ม
Làm đẹp / Trang điểm | TD | shade | Son kem lì; Phấn nước cushion; Chì kẻ mày | ลิปสติก; คุชชั่น
Điện thoại & Phụ kiện / Ốp lưng | OP | phone | Ốp lưng silicon; Ốp lưng chống sốc | เคสโทรศัพท์
Điện thoại & Phụ kiện / Cáp & Sạc | CAP | color | Cáp sạc nhanh; Củ sạc 20W | สายชาร์จ
Điện thoại & Phụ kiện / Tai nghe | TN | color | Tai nghe bluetooth; Tai nghe có dây | หูฟังบลูทูธ
Nhà cửa & Đời sống / Nhà bếp | NB | capacity | Nồi chiên không dầu; Bình giữ nhiệt | หม้อทอดไร้น้ำมัน
Nhà cửa & Đời sống / Chăn ga gối | CG | bedding | Bộ chăn ga cotton; Gối cao su non | ชุดผ้าปูที่นอน
Mẹ & Bé / Tã bỉm | TA | diaper | Tã dán; Bỉm quần | ผ้าอ้อมเด็ก
Mẹ & Bé / Đồ chơi | DC | none | Đồ chơi xếp hình; Gấu bông | ตุ๊กตา
Thực phẩm / Đồ ăn vặt | AV | weight | Bánh tráng trộn; Khô gà lá chanh; Hạt điều rang | มะม่วงอบแห้ง
Thực phẩm / Đồ uống | DU | weight | Cà phê phin; Trà sữa túi lọc | ชาไทย
""".strip().splitlines()
]

DESCRIPTORS_VI = _words(
    "cổ tròn|form rộng|cao cấp|chính hãng|giá rẻ|hàng mới về|phong cách Hàn Quốc|basic|"
    "cotton 100%|siêu nhẹ|chống nước|bán chạy"
)
DESCRIPTORS_TH = _words("พรีเมียม|ของแท้|ราคาถูก|สไตล์เกาหลี|รุ่นใหม่|ขายดี")
BRAND_WORDS = _words(
    "An Phát|Bảo Ngọc|Minh Long|Phúc An|Tâm Việt|Sài Gòn|Hà Thành|Hoa Sen|Mekong|Lotus|Siam|"
    "Chao Phraya|Lanna|Sukhothai|Đông Á|Thiên Long|Kim Cương|Ngọc Trai|Sao Mai|Hướng Dương|"
    "Trường An|Hồng Hà|Ánh Dương|Bình Minh|Hải Âu"
)
BRAND_SUFFIXES = ("Home", "Style", "Beauty", "Tech", "Kids", "Fashion")  # x 25 words: 150 brands
# The brand measured by the "brand" case: the 10th largest (~1.5% of the products).
BENCH_BRAND_RANK = 10
WAREHOUSES = [
    ("HCM01", "Kho Tân Bình", "main", "18 Cộng Hòa, P.4, Q. Tân Bình, TP. Hồ Chí Minh"),
    ("HN01", "Kho Long Biên", "branch", "25 Nguyễn Văn Cừ, Q. Long Biên, Hà Nội"),
    ("DN01", "Kho Hải Châu", "branch", "102 Nguyễn Văn Linh, Q. Hải Châu, Đà Nẵng"),
    ("CT01", "Kho Ninh Kiều", "sub", "9 Trần Hưng Đạo, Q. Ninh Kiều, Cần Thơ"),
    ("BKK01", "คลังสินค้าบางนา", "branch", "88 ถนนบางนา-ตราด แขวงบางนา กรุงเทพฯ"),
]
VARIANTS_PER_PRODUCT = (1, 1, 2, 3, 4, 4, 5, 6, 6, 8)  # mean 4
THRESHOLDS = (0, 5, 10, 20)  # a variant's low-stock threshold ...
THRESHOLD_WEIGHTS = (15, 50, 25, 10)  # ... and how often each is used, in %


# --- Loading ----------------------------------------------------------------------------------

Row = dict[str, Any]


@dataclass
class Loaded:
    products: int = 0
    options: int = 0
    variants: int = 0
    levels: int = 0
    movements: int = 0


@dataclass(frozen=True)
class StockInput:
    """What the stock rows of one variant need to know about it."""

    variant_id: int
    threshold: int
    cost: Decimal
    product_id: int
    product_name: str


def ean13(number: int, country: str) -> str:
    body = f"{country}{number:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _copy(table: str, rows: Iterable[Row]) -> int:
    """COPY the rows (dicts with the same keys, in column order) into table; returns the count."""
    from django.db import connection

    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    columns = list(first)
    count = 0
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    # Django's cursor wraps psycopg's; .cursor is psycopg's own, which speaks COPY.
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in itertools.chain([first], rows):
            copy.write_row([row[c] for c in columns])
            count += 1
    return count


def _sync_sequence(table: str) -> None:
    """Move the identity sequence past the ids that COPY wrote."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        )


def _category_tree() -> dict[str, int]:
    """Create the category tree through the service; returns full name -> id."""
    from inventory.services.catalogue import category_save

    ids: dict[str, int] = {}

    def walk(children: dict[str, Any], parent: Any) -> None:
        for name, below in children.items():
            node = category_save(name=name, parent=parent)
            ids[node.full_name] = node.pk
            walk(below, node)

    walk(CATEGORY_TREE, None)
    return ids


def _warehouses(count: int) -> list[int]:
    from inventory.services.warehouses import warehouse_save

    ids = []
    for n in range(count):
        code, name, kind, address = (
            WAREHOUSES[n] if n < len(WAREHOUSES) else (f"WH{n + 1:02d}", f"Kho {n + 1}", "sub", "")
        )
        data = {"code": code, "name": name, "kind": kind, "address": address}
        ids.append(warehouse_save(data=data).pk)
    return ids


def _prices(rng: random.Random, currency: str) -> tuple[Decimal, Decimal, Decimal]:
    """(cost, sale price, VAT rate) in the shop currency."""
    if currency == "THB":
        cost = rng.randrange(20, 2000)
        return Decimal(cost), Decimal(round(cost * rng.uniform(1.3, 2.2))), Decimal("7")
    cost = rng.randrange(20, 1500) * 1000
    return Decimal(cost), Decimal(round(cost * rng.uniform(1.3, 2.2), -3)), Decimal("10")


def _catalogue(
    rng: random.Random,
    *,
    variants: int,
    category_ids: dict[str, int],
    brand_ids: list[int],
    now: datetime,
) -> tuple[list[Row], list[Row], list[Row], list[StockInput]]:
    """Products, their options and `variants` variants (~4 per product), as COPY rows."""
    from django.conf import settings

    from inventory.models import Product, Variant
    from inventory.services.catalogue import search_text_for

    brand_weights = [1 / (rank + 1) for rank in range(len(brand_ids))]  # a few big brands
    products: list[Row] = []
    options: list[Row] = []
    rows: list[Row] = []
    stock: list[StockInput] = []
    while len(rows) < variants:
        product_id = len(products) + 1
        ptype = rng.choice(PRODUCT_TYPES)
        thai = rng.random() < 0.2
        base = rng.choice(ptype.names_th if thai else ptype.names_vi)
        descriptor = rng.choice(DESCRIPTORS_TH if thai else DESCRIPTORS_VI)
        name = f"{base} {descriptor} {rng.choice('ABCDEFGHKMNPRSTV')}{rng.randint(100, 999)}"
        created = now - timedelta(days=rng.randint(1, 720), seconds=rng.randint(0, 86399))
        origin = [{"name": "Xuất xứ", "value": "Thái Lan" if thai else "Việt Nam"}]
        products.append(
            {
                "id": product_id,
                "name": name,
                "description": f"{name}. Hàng có sẵn, giao nhanh toàn quốc.",
                "specifications": json.dumps(origin, ensure_ascii=False),
                "video": "",
                "video_url": "",
                "is_active": True,
                "created_at": created,
                "updated_at": created,
                "brand_id": rng.choices(brand_ids, brand_weights)[0]
                if rng.random() < 0.9
                else None,
                "category_id": category_ids[ptype.category],
            }
        )
        axes = SCHEMES[ptype.scheme]
        matrix = list(itertools.product(*(values for _axis, values in axes)))
        wanted = min(rng.choice(VARIANTS_PER_PRODUCT), len(matrix), variants - len(rows))
        chosen = [matrix[i] for i in sorted(rng.sample(range(len(matrix)), wanted))]
        for position, (axis, values) in enumerate(axes, start=1):
            used = {combo[position - 1][0] for combo in chosen}
            options.append(
                {
                    "id": len(options) + 1,
                    "product_id": product_id,
                    "position": position,
                    "name": axis,
                    "values": json.dumps([v for v, _ in values if v in used], ensure_ascii=False),
                }
            )
        cost, sale, vat = _prices(rng, settings.SHOP_CURRENCY)
        product = Product(name=name)
        for combo in chosen:
            variant_id = len(rows) + 1
            values = [value for value, _code in combo] + [""] * (3 - len(combo))
            variant = Variant(
                sku="-".join([f"{ptype.prefix}{product_id:06d}", *(code for _v, code in combo)]),
                barcode=(
                    ""
                    if rng.random() < 0.08
                    else ean13((variant_id * 7919) % 10**9, "885" if thai else "893")
                ),
                option1=values[0],
                option2=values[1],
                option3=values[2],
            )
            threshold = rng.choices(THRESHOLDS, THRESHOLD_WEIGHTS)[0]
            rows.append(
                {
                    "id": variant_id,
                    "product_id": product_id,
                    "sku": variant.sku,
                    "barcode": variant.barcode,
                    "option1": variant.option1,
                    "option2": variant.option2,
                    "option3": variant.option3,
                    "cost_price": cost,
                    "sale_price": sale,
                    "vat_rate": vat,
                    "weight_grams": rng.randint(100, 2000),
                    "length_cm": rng.randint(5, 40),
                    "width_cm": rng.randint(5, 30),
                    "height_cm": rng.randint(2, 20),
                    "low_stock_threshold": threshold,
                    "preferred_supplier_id": None,
                    "is_active": True,
                    "search_text": search_text_for(variant, product),
                    "created_at": created,
                    "updated_at": created,
                }
            )
            stock.append(StockInput(variant_id, threshold, cost, product_id, name[:120]))
    return products, options, rows, stock


def _stock_state(rng: random.Random, threshold: int) -> tuple[int, int, int | None]:
    """(on_hand, reserved, the level's own threshold or None), in a realistic mix of states."""
    override = rng.choice((3, 15)) if rng.random() < 0.05 else None
    low_at = threshold if override is None else override
    draw = rng.random()
    if draw < 0.06:  # never stocked here: out
        return 0, 0, override
    if draw < 0.09:  # everything reserved: out
        units = rng.randint(1, 6)
        return units, units, override
    if draw < 0.20 and low_at > 0:  # low: 1..threshold available
        reserved = rng.choice((0, 0, 0, 1, 2))
        return rng.randint(1, low_at) + reserved, reserved, override
    on_hand = rng.randint(low_at + 1, low_at + 300)
    spare = on_hand - low_at - 1
    reserved = rng.randint(1, min(5, spare)) if spare and rng.random() < 0.2 else 0
    return on_hand, reserved, override


def _levels(
    rng: random.Random,
    stock: list[StockInput],
    warehouse_ids: list[int],
    states: list[tuple[StockInput, int, int, int]],
    now: datetime,
) -> Iterator[Row]:
    """One level per variant and warehouse; appends (variant, warehouse, on_hand, reserved)."""
    for item in stock:
        for warehouse_id in warehouse_ids:
            on_hand, reserved, override = _stock_state(rng, item.threshold)
            states.append((item, warehouse_id, on_hand, reserved))
            yield {
                "id": len(states),
                "variant_id": item.variant_id,
                "warehouse_id": warehouse_id,
                "on_hand": on_hand,
                "reserved": reserved,
                "low_stock_threshold": override,
                "updated_at": now,
            }


def _movements(
    rng: random.Random, states: list[tuple[StockInput, int, int, int]], now: datetime
) -> Iterator[Row]:
    """The ledger behind each level: an initial receipt, then a reservation if any."""
    movement_id = 0
    order_number = 100000
    for item, warehouse_id, on_hand, reserved in states:
        changes = []
        if on_hand:
            source = ("product", str(item.product_id), item.product_name)
            at = now - timedelta(days=rng.randint(1, 365))
            changes.append(("initial", on_hand, 0, 0, item.cost, source, at))
        if reserved:
            order_number += 1
            source = ("order", str(order_number), f"SO-{order_number}")
            at = now - timedelta(minutes=rng.randint(1, 4320))
            changes.append(("reservation", 0, reserved, reserved, None, source, at))
        for kind, on_hand_delta, reserved_delta, reserved_after, cost, source, at in changes:
            movement_id += 1
            yield {
                "id": movement_id,
                "variant_id": item.variant_id,
                "warehouse_id": warehouse_id,
                "kind": kind,
                "on_hand_delta": on_hand_delta,
                "reserved_delta": reserved_delta,
                "on_hand_after": on_hand,
                "reserved_after": reserved_after,
                "unit_cost": cost,
                "reason": "",
                "reason_code": "",
                "reason_args": "{}",  # COPY skips Django's default=dict
                "source_type": source[0],
                "source_id": source[1],
                "source_label": source[2],
                "created_by_id": None,
                "created_at": at,
            }


def load(*, variants: int, warehouses: int) -> Loaded:
    """Empty the inventory tables and load the data set (one transaction), then VACUUM ANALYZE."""
    from django.apps import apps
    from django.db import connection, transaction
    from django.utils import timezone

    from inventory.models import Brand

    rng = random.Random(SEED)
    now = timezone.now()
    tables = [
        model._meta.db_table
        for model in apps.get_app_config("inventory").get_models(include_auto_created=True)
    ]
    loaded = Loaded()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        category_ids = _category_tree()
        brands = Brand.objects.bulk_create(
            Brand(name=f"{word} {suffix}")
            for suffix, word in itertools.product(BRAND_SUFFIXES, BRAND_WORDS)
        )
        warehouse_ids = _warehouses(warehouses)
        products, options, variant_rows, stock = _catalogue(
            rng,
            variants=variants,
            category_ids=category_ids,
            brand_ids=[b.pk for b in brands],
            now=now,
        )
        loaded.products = _copy("inventory_product", products)
        loaded.options = _copy("inventory_productoption", options)
        loaded.variants = _copy("inventory_variant", variant_rows)
        del products, options, variant_rows
        states: list[tuple[StockInput, int, int, int]] = []
        loaded.levels = _copy(
            "inventory_stocklevel", _levels(rng, stock, warehouse_ids, states, now)
        )
        loaded.movements = _copy("inventory_stockmovement", _movements(rng, states, now))
        for table in (
            "inventory_product",
            "inventory_productoption",
            "inventory_variant",
            "inventory_stocklevel",
            "inventory_stockmovement",
        ):
            _sync_sequence(table)
    # Fresh statistics and visibility maps, as autovacuum would leave them on a live database.
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    return loaded


def data_present(*, variants: int, warehouses: int) -> bool:
    from inventory.models import StockLevel, Variant, Warehouse

    return (
        Variant.objects.count() == variants
        and Warehouse.objects.count() == warehouses
        and StockLevel.objects.count() == variants * warehouses
    )


# --- Measuring --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    label: str
    detail: str
    timings: Timings
    rows: int


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


class _DatabaseClock:
    """Sums the time spent in cursor.execute (server work plus transfer) while installed."""

    def __init__(self) -> None:
        self.total = 0.0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.total += time.perf_counter() - start


@dataclass(frozen=True)
class Timings:
    """Milliseconds per measured run: wall clock, inside cursor.execute, Python CPU time."""

    wall: list[float]
    db: list[float]
    cpu: list[float]


def _timed(func: Callable[[], Any], *, repeat: int, warmup: int = WARMUP) -> tuple[Timings, Any]:
    """Run func `warmup` times, then `repeat` measured times; returns the timings and last
    result. The one timing loop of the benchmarks (bench_orders and bench_pdf use it too)."""
    from django.db import connection, reset_queries

    last = None
    timings = Timings([], [], [])
    for run in range(warmup + repeat):
        clock = _DatabaseClock()
        with connection.execute_wrapper(clock):
            start, start_cpu = time.perf_counter(), time.thread_time()
            last = func()
            wall, cpu = time.perf_counter() - start, time.thread_time() - start_cpu
        reset_queries()  # a no-op with DEBUG off; keeps memory flat if DEBUG=true
        if run >= warmup:
            timings.wall.append(wall * 1000)
            timings.db.append(clock.total * 1000)
            timings.cpu.append(cpu * 1000)
    return timings, last


def _table_rows(html: str) -> int:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return body.count("<tr>") - body.count('class="empty"')


def overview_cases() -> list[tuple[str, dict[str, str]]]:
    """(label, query parameters) of the stock overview requests to time."""
    from django.db.models import Count

    from inventory.models import Brand, Category, Variant, Warehouse

    warehouse = Warehouse.objects.order_by("code", "pk")[min(1, Warehouse.objects.count() - 1)]
    tree = Category.objects.get(name=BENCH_CATEGORY, parent=None)
    late = Category.objects.get(name=BENCH_LATE_CATEGORY, parent=None)
    brand = Brand.objects.annotate(n=Count("products")).order_by("-n", "pk")[BENCH_BRAND_RANK - 1]
    with_barcode = Variant.objects.exclude(barcode="").order_by("pk")
    barcode = with_barcode[with_barcode.count() // 2].barcode
    sku = Variant.objects.order_by("pk")[Variant.objects.count() // 2].sku
    fragment = sku.split("-")[0][:-1]  # "ATN01234": a product code without its last digit
    wh = {"warehouse": str(warehouse.pk)}
    return [
        ("default, page 1", {}),
        ("default, page 20", {"page": "20"}),
        (f"warehouse {warehouse.code}", wh),
        (f"category {tree.name} (3 levels)", {"category": str(tree.pk)}),
        (f"category {late.name} (SKUs sort last)", {"category": str(late.pk)}),
        (f"brand {brand.name}", {"brand": str(brand.pk)}),
        ("state=low", {"state": "low"}),
        ("state=out", {"state": "out"}),
        ("state=in, page 20", {"state": "in", "page": "20"}),
        ("search 'áo thun'", {"q": "áo thun"}),
        ("search 'tai nghe' (SKUs sort last)", {"q": "tai nghe"}),
        (f"search SKU fragment '{fragment}'", {"q": fragment}),
        (f"search barcode {barcode}", {"q": barcode}),
        ("search 2 letters 'ao'", {"q": "ao"}),
        (f"warehouse {warehouse.code} + 'ao thun'", {**wh, "q": "ao thun"}),
        (f"category {tree.name} + state=low", {"category": str(tree.pk), "state": "low"}),
    ]


def measure(*, repeat: int) -> list[Result]:
    from django.db.models import F
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from crm.models import User
    from crm.roles import OWNER
    from crm.services import user_create
    from inventory.models import StockLevel
    from inventory.services.stock import Source, stock_release, stock_reserve

    owner = User.objects.filter(username=BENCH_USERNAME).first() or user_create(
        username=BENCH_USERNAME, password=secrets.token_urlsafe(24), role=OWNER
    )
    client = Client()
    client.force_login(owner)
    url = reverse("inventory:stock_overview")
    results = []
    # DEBUG-off settings use the manifest storage, which needs collectstatic first; the plain
    # storage builds the same URLs at the same cost.
    plain_static = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=plain_static):
        for label, params in overview_cases():

            def get(label: str = label, params: dict[str, str] = params) -> Any:
                response = client.get(url, params)
                if response.status_code != 200:
                    raise SystemExit(f"{label}: HTTP {response.status_code}")
                return response

            timings, response = _timed(get, repeat=repeat)
            rows = _table_rows(response.content.decode())
            results.append(Result(label, _describe(params), timings, rows))

    # Distinct random levels with a unit available: each is reserved once, then released once,
    # so the stock ends as it began (the ledger gains a reservation and a release per level).
    levels = list(
        StockLevel.objects.filter(on_hand__gt=F("reserved"))
        .order_by("?")
        .values_list("variant_id", "warehouse_id")[: WARMUP + repeat]
    )
    source = Source("benchmark", "bench_inventory", "Benchmark")
    to_reserve, to_release = iter(levels), iter(levels)

    def reserve() -> None:
        variant_id, warehouse_id = next(to_reserve)
        stock_reserve(
            variant_id=variant_id,
            warehouse_id=warehouse_id,
            quantity=1,
            user_id=owner.pk,
            source=source,
        )

    def release() -> None:
        variant_id, warehouse_id = next(to_release)
        stock_release(
            variant_id=variant_id,
            warehouse_id=warehouse_id,
            quantity=1,
            user_id=owner.pk,
            source=source,
        )

    for label, func in (("stock_reserve 1 unit", reserve), ("stock_release 1 unit", release)):
        timings, _ = _timed(func, repeat=repeat)
        results.append(Result(label, "random in-stock level", timings, 1))
    return results


def _describe(params: dict[str, str]) -> str:
    return "&".join(f"{k}={v}" for k, v in params.items()) or "(none)"


def print_table(results: list[Result]) -> None:
    width = max(len(r.label) for r in results)
    columns = ("p50 ms", "p95 ms", "max ms", "db p50", "cpu p50")
    header = f"{'case':<{width}}" + "".join(f"  {c:>7}" for c in columns) + "  rows"
    print(header)
    print("-" * len(header))
    for r in results:
        t = r.timings
        figures = (
            percentile(t.wall, 50),
            percentile(t.wall, 95),
            max(t.wall),
            percentile(t.db, 50),
            percentile(t.cpu, 50),
        )
        print(f"{r.label:<{width}}" + "".join(f"  {f:7.1f}" for f in figures) + f"  {r.rows:4d}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--variants", type=int, default=100_000)
    parser.add_argument("--warehouses", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=50, help="measured runs per case")
    parser.add_argument(
        "--keep", action="store_true", help="reuse the data when it is already of this size"
    )
    parser.add_argument(
        "--any-database",
        action="store_true",
        help='allow a database whose name does not contain "bench" (its inventory is replaced)',
    )
    args = parser.parse_args(argv)
    if args.variants < 10 or args.warehouses < 1 or args.repeat < 1:
        parser.error("need --variants >= 10, --warehouses >= 1 and --repeat >= 1")

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from inventory.selectors.stock import ledger_mismatches

    if connection.vendor != "postgresql":
        print("bench_inventory runs on PostgreSQL only: set DATABASE_URL=postgres://...")
        return 2
    name = connection.settings_dict["NAME"]
    if "bench" not in name and not args.any_database:
        print(f"refusing to replace the inventory of database {name!r}; use a *bench* database")
        return 2

    print(f"database {name}: migrating")
    call_command("migrate", verbosity=0)
    if args.keep and data_present(variants=args.variants, warehouses=args.warehouses):
        print(f"data of {args.variants} variants x {args.warehouses} warehouses kept")
    else:
        print(f"loading {args.variants} variants x {args.warehouses} warehouses ...", flush=True)
        start = time.perf_counter()
        loaded = load(variants=args.variants, warehouses=args.warehouses)
        print(
            f"loaded {loaded.products} products, {loaded.options} options, {loaded.variants} "
            f"variants, {loaded.levels} stock levels, {loaded.movements} movements "
            f"in {time.perf_counter() - start:.1f} s"
        )

    start = time.perf_counter()
    mismatches = ledger_mismatches()
    print(
        f"ledger check (check_stock_ledger's query): {len(mismatches)} mismatches "
        f"in {time.perf_counter() - start:.1f} s"
    )
    if mismatches:
        return 1

    print(f"measuring: {WARMUP} warm-up + {args.repeat} runs per case", flush=True)
    load_before = os.getloadavg()[0]
    results = measure(repeat=args.repeat)
    print()
    print_table(results)
    print(
        "\nms: wall time of the whole request (or service call). db: the part of it spent in "
        "cursor.execute\n(PostgreSQL's work and the transfer). cpu: CPU time of this Python "
        "thread (view, ORM, templates),\nwhich a busy machine inflates less than wall time. "
        "rows: table rows on the page.\nLoad average (1 min) before/after: "
        f"{load_before:.2f}/{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs."
    )
    print("\nquery strings:")
    for r in results:
        print(f"  {r.label}: {r.detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
