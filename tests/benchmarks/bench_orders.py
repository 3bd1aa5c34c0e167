r"""Orders benchmark: server time of the order pages and of creating orders at a million orders.

What it does
  1. Migrates the PostgreSQL database named by DATABASE_URL (refuses SQLite, and a database whose
     name lacks "bench" unless --any-database: step 2 empties the inventory and orders tables).
  2. Loads the catalogue of bench_inventory (--variants variants x --warehouses warehouses, with
     their stock and ledger), then in bulk (COPY through psycopg 3): --customers customers with
     Vietnamese names, one or two phones each and a default address; --orders orders spread over
     the last two years (newest last), 1-5 lines each (~3 on average), their search text built by
     the same functions the services use (orders.services.orders.core.order_search_text,
     orders.services.customers.customer_search_text), line and order totals computed like
     orders.services.amounts (no discounts), channels, payment methods, warehouses and statuses
     in realistic shares (old orders mostly completed, recent ones new or processing), one
     history row per step an order went through, a payment row per completed order, and the
     customers' lifetime totals computed from their completed orders. Then VACUUM ANALYZE.
     Processing orders have their lines marked reserved, but the stock levels are not touched
     (the benchmark never ships these orders). With --keep, data of the requested size is reused.
  3. Times whole requests through django.test.Client as a signed-in owner, DEBUG off: the order
     list (orders:order_list) by default, page 20, filtered by status, channel, payment,
     warehouse, a date range and combinations, and searched by phone digits, order number and
     name; the order detail (orders:order_detail) of random orders; creating a manual order
     through the page (POST orders:order_create); creating an order through the website API
     (POST api:order_create with a website key); and, for comparison, the order_create service
     alone. Each case runs 3 warm-up times, then --repeat measured times.
  4. Prints p50 / p95 / max wall milliseconds, the median time in cursor.execute, the median CPU
     time of the Python thread, and the load average.

How to run (from the project root; tests/benchmarks is not collected by pytest)
  psql -h 127.0.0.1 -U postgres -c "create database crm_bench"
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench \
    .venv/bin/python tests/benchmarks/bench_orders.py [--orders 1000000] [--customers 200000] \
    [--variants 20000] [--warehouses 3] [--repeat 30] [--keep]

On 2 cores the full load (1M orders, 3M lines, 200k customers) takes several minutes; --keep
skips it on a rerun.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# bench_inventory sets the production-like environment (DEBUG off, no .env) before Django loads.
import django  # noqa: E402

from tests.benchmarks import bench_inventory as inv  # noqa: E402

SEED = 20261126
ORDER_TABLES = (
    "followups_contactnote",
    "followups_followup",
    "followups_digestrun",
    "followups_calendarfeed",
    "followups_contactrequest",
    "orders_websiterequest",
    "orders_website",
    "orders_returnline",
    "orders_return",
    "orders_payment",
    "orders_orderevent",
    "orders_orderline",
    "orders_order",
    "orders_customeraddress",
    "orders_customerphone",
    "orders_customer_tags",
    "orders_tag",
    "orders_customer",
)

SURNAMES = [
    "Nguyễn",
    "Nguyễn",
    "Nguyễn",
    "Trần",
    "Trần",
    "Lê",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
MIDDLE = [
    "Văn",
    "Thị",
    "Minh",
    "Ngọc",
    "Thanh",
    "Quốc",
    "Hữu",
    "Gia",
    "Thu",
    "Anh",
    "Đức",
    "Bảo",
    "Kim",
    "Xuân",
]
GIVEN = [
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hoa",
    "Hùng",
    "Huy",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Minh",
    "Nam",
    "Ngân",
    "Nhung",
    "Phong",
    "Phúc",
    "Quân",
    "Quỳnh",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thắng",
    "Trang",
    "Trinh",
    "Tú",
    "Tuấn",
    "Uyên",
    "Việt",
    "Vy",
    "Yến",
]
PROVINCES = (
    ("TP. Hồ Chí Minh", "Quận 1", "Phường Bến Nghé"),
    ("TP. Hồ Chí Minh", "Quận 3", "Phường Võ Thị Sáu"),
    ("TP. Hồ Chí Minh", "TP. Thủ Đức", "Phường Linh Trung"),
    ("Hà Nội", "Quận Cầu Giấy", "Phường Dịch Vọng"),
    ("Hà Nội", "Quận Hoàn Kiếm", "Phường Hàng Bạc"),
    ("Đà Nẵng", "Quận Hải Châu", "Phường Thạch Thang"),
    ("Cần Thơ", "Quận Ninh Kiều", "Phường An Hòa"),
    ("Hải Phòng", "Quận Lê Chân", "Phường An Biên"),
)
STREETS = [
    "Lê Lợi",
    "Nguyễn Huệ",
    "Trần Hưng Đạo",
    "Hai Bà Trưng",
    "Lý Thường Kiệt",
    "Điện Biên Phủ",
]
MOBILE_PREFIXES = ("90", "91", "93", "94", "96", "97", "98", "32", "33", "35", "70", "77", "86")
# (channel, weight, payment methods)
CHANNELS = (
    ("shopee", 30, ("marketplace",)),
    ("lazada", 15, ("marketplace",)),
    ("tiktok", 15, ("marketplace",)),
    ("website", 15, ("cod", "bank_transfer", "card")),
    ("phone", 12, ("cod", "bank_transfer")),
    ("facebook", 10, ("cod", "bank_transfer")),
    ("chat", 3, ("cod",)),
)
NOTES = (
    "Khách hẹn gọi lại sau giờ làm",
    "Đã tư vấn size, khách cân nhắc",
    "Khách hỏi thêm màu khác",
    "Gọi không nghe máy",
    "Khách muốn đổi sang size lớn hơn",
)
SHIPPING_FEES = (0, 15000, 22000, 30000, 35000)
BENCH_USERNAME = "bench-owner"
WEBSITE_CODE = "BENCH-SITE"


@dataclass
class LoadedOrders:
    customers: int = 0
    phones: int = 0
    addresses: int = 0
    orders: int = 0
    lines: int = 0
    events: int = 0
    payments: int = 0
    followups: int = 0


@dataclass(frozen=True)
class VariantRow:
    id: int
    sku: str
    name: str
    price: int
    vat_rate: int
    cost: int


@dataclass
class CustomerRow:
    id: int
    name: str
    e164: str
    province: tuple[str, str, str]
    street: str
    completed: int = 0
    revenue: int = 0
    created_at: datetime | None = None


def _phone(rng: random.Random, used: set[str]) -> str:
    while True:
        number = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10_000_000):07d}"
        if number not in used:
            used.add(number)
            return "+84" + number


def _vat(line_total: int, rate: int) -> int:
    """quantize(line_total x rate / (100 + rate)), half up, in whole dong."""
    return (2 * line_total * rate + 100 + rate) // (2 * (100 + rate))


def _variants() -> list[VariantRow]:
    from inventory.models import Variant
    from orders.services.orders.lines import variant_display_name

    rows = []
    for pk, sku, name, o1, o2, o3, price, rate, cost in Variant.objects.values_list(
        "pk",
        "sku",
        "product__name",
        "option1",
        "option2",
        "option3",
        "sale_price",
        "vat_rate",
        "cost_price",
    ).order_by("pk"):
        rows.append(
            VariantRow(
                pk,
                sku,
                variant_display_name(name, [o for o in (o1, o2, o3) if o]),
                int(price),
                int(rate),
                int(cost),
            )
        )
    return rows


def _status_for(rng: random.Random, age_days: float) -> str:
    if age_days < 2:
        return rng.choices(("new", "processing", "shipped", "cancelled"), (45, 35, 15, 5))[0]
    if age_days < 7:
        return rng.choices(
            ("new", "processing", "shipped", "completed", "cancelled"), (5, 10, 35, 42, 8)
        )[0]
    return rng.choices(("completed", "cancelled", "returned", "shipped"), (88, 8, 3, 1))[0]


STEPS = {
    "new": ("new",),
    "processing": ("new", "processing"),
    "shipped": ("new", "processing", "shipped"),
    "completed": ("new", "processing", "shipped", "completed"),
    "cancelled": ("new", "cancelled"),
    "returned": ("new", "processing", "shipped", "completed", "returned"),
}


def load_orders(
    *,
    orders: int,
    customers: int,
    warehouse_ids: Sequence[int],
    user_id: int,
    staff_ids: Sequence[int] = (),
) -> LoadedOrders:
    """Empty the orders tables and load customers and orders (one transaction), then ANALYZE."""
    from django.db import connection, transaction
    from django.utils import timezone

    from orders.services.customers import customer_search_text
    from orders.services.orders.core import order_search_text
    from orders.services.orders.create import ORDER_NUMBER_SEQUENCE

    rng = random.Random(SEED)
    now = timezone.now().replace(microsecond=0)
    start = now - timedelta(days=730)
    variants = _variants()
    loaded = LoadedOrders()
    used_phones: set[str] = set()
    people: list[CustomerRow] = []
    for cid in range(1, customers + 1):
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        people.append(
            CustomerRow(
                cid,
                name,
                _phone(rng, used_phones),
                rng.choice(PROVINCES),
                f"{rng.randint(1, 400)} {rng.choice(STREETS)}",
            )
        )
    second_phone = {c.id: _phone(rng, used_phones) for c in people if rng.random() < 0.1}
    # Order times: increasing with the id, denser recently (shops grow).
    span = (now - start).total_seconds()
    offsets = sorted(span * (rng.random() ** 0.7) for _ in range(orders))

    def customer_rows() -> Iterator[dict[str, Any]]:
        for c in people:
            phones = [c.e164] + ([second_phone[c.id]] if c.id in second_phone else [])
            yield {
                "id": c.id,
                "name": c.name,
                "company": "",
                "tax_code": "",
                "emails": "[]",
                "notes": "",
                "orders_count": 0,
                "revenue": 0,
                "search_text": customer_search_text(
                    name=c.name, company="", tax_code="", emails=[], phones=phones
                ),
                "created_at": c.created_at or start,
                "updated_at": now,
            }

    def phone_rows() -> Iterator[dict[str, Any]]:
        for c in people:
            yield {
                "customer_id": c.id,
                "e164": c.e164,
                "digits": c.e164[3:],
                "is_primary": True,
                "created_at": start,
            }
            if c.id in second_phone:
                yield {
                    "customer_id": c.id,
                    "e164": second_phone[c.id],
                    "digits": second_phone[c.id][3:],
                    "is_primary": False,
                    "created_at": start,
                }

    def address_rows() -> Iterator[dict[str, Any]]:
        for c in people:
            province, district, ward = c.province
            yield {
                "customer_id": c.id,
                "recipient_name": c.name,
                "recipient_phone": c.e164,
                "country": "VN",
                "scheme": "vn_3level",
                "province": province,
                "district": district,
                "ward": ward,
                "postcode": "",
                "street": c.street,
                "is_default": True,
                "created_at": start,
            }

    lines_out: list[dict[str, Any]] = []
    events_out: list[dict[str, Any]] = []
    payments_out: list[dict[str, Any]] = []
    channel_names = [c[0] for c in CHANNELS]
    channel_weights = [c[1] for c in CHANNELS]
    methods = {c[0]: c[2] for c in CHANNELS}
    counters = {"line": 0, "event": 0}
    threads_out: list[dict[str, Any]] = []
    notes_out: list[dict[str, Any]] = []
    staff = staff_ids or [user_id]

    def _followup(
        oid: int, created: datetime, status: str, last: datetime
    ) -> tuple[str, datetime | None]:
        """About 6% of orders get a follow-up thread: recent ones open with the next contact
        spread from two weeks overdue to a month ahead, older ones finished."""
        if rng.random() >= 0.06:
            return "", None
        age_days = (now - created).total_seconds() / 86400
        assignee = rng.choice(staff)
        contacted = min(now, created + timedelta(hours=rng.uniform(1, 48)))
        if age_days < 45:
            state, outcome, finished = "open", "", None
            next_at = (now + timedelta(days=rng.uniform(-14, 30))).replace(
                minute=rng.choice((0, 15, 30, 45)), second=0
            )
        else:
            state, next_at = "finished", None
            outcome = rng.choices(("sold", "not_interested", "other"), (55, 30, 15))[0]
            finished = contacted + timedelta(days=rng.uniform(0, 10))
        thread_id = len(threads_out) + counters.setdefault("thread_base", 0) + 1
        threads_out.append(
            {
                "id": thread_id,
                "order_id": oid,
                "state": state,
                "next_contact_at": next_at,
                "assignee_id": assignee,
                "outcome": outcome,
                "finished_at": finished,
                "created_at": contacted,
                "updated_at": finished or contacted,
            }
        )
        notes_out.append(
            {
                "followup_id": thread_id,
                "kind": "contact",
                "method": rng.choice(("phone", "zalo", "facebook")),
                "note": rng.choice(NOTES),
                "contacted_at": contacted,
                "next_contact_at": next_at,
                "outcome": outcome,
                "assignee_id": assignee,
                "user_id": assignee,
                "created_at": contacted,
            }
        )
        return state, next_at

    def order_rows() -> Iterator[dict[str, Any]]:
        for oid in range(1, orders + 1):
            created = start + timedelta(seconds=offsets[oid - 1])
            age_days = (now - created).total_seconds() / 86400
            # Repeat buyers: a fifth of the customers place most orders.
            if rng.random() < 0.6:
                customer = people[int(len(people) * 0.2 * rng.random())]
            else:
                customer = people[rng.randrange(len(people))]
            if customer.created_at is None or created < customer.created_at:
                customer.created_at = created
            channel = rng.choices(channel_names, channel_weights)[0]
            method = rng.choice(methods[channel])
            status = _status_for(rng, age_days)
            number = f"SO{oid:06d}"
            external = (
                f"{channel[:2].upper()}{2600000000 + oid}"
                if channel
                in (
                    "shopee",
                    "lazada",
                    "tiktok",
                    "website",
                )
                else ""
            )
            subtotal = vat_total = 0
            for _ in range(rng.choice((1, 1, 2, 2, 3, 3, 3, 4, 4, 5, 5, 6))):
                v = variants[int(len(variants) * rng.random() ** 2)]
                qty = rng.choice((1, 1, 1, 2, 2, 3))
                line_total = qty * v.price
                vat = _vat(line_total, v.vat_rate)
                subtotal += line_total
                vat_total += vat
                counters["line"] += 1
                shipped = qty if status in ("shipped", "completed", "returned") else 0
                lines_out.append(
                    {
                        "order_id": oid,
                        "variant_id": v.id,
                        "sku": v.sku,
                        "name": v.name,
                        "quantity": qty,
                        "unit_price": v.price,
                        "discount": 0,
                        "vat_rate": v.vat_rate,
                        "line_total": line_total,
                        "vat_amount": vat,
                        "quantity_reserved": qty if status == "processing" else 0,
                        "quantity_shipped": shipped,
                        "quantity_returned": shipped if status == "returned" else 0,
                        "unit_cost": v.cost if shipped else 0,
                    }
                )
            fee = rng.choice(SHIPPING_FEES)
            total = subtotal + fee
            at = {}
            moment = created
            for step in STEPS[status]:
                at[step] = moment
                moment = moment + timedelta(hours=rng.uniform(0.5, 30))
            ever_completed = "completed" in at
            paid = total if ever_completed or method in ("marketplace", "card") else 0
            refunded = total if status == "returned" else 0
            if ever_completed:
                customer.revenue += total - refunded
                customer.completed += status == "completed"
                payments_out.append(
                    {
                        "order_id": oid,
                        "kind": "cod_collected" if method == "cod" else "payment",
                        "amount": total,
                        "method": method,
                        "reference": "",
                        "paid_at": at["completed"],
                        "created_by_id": user_id,
                        "created_at": at["completed"],
                    }
                )
            previous = ""
            for step, moment in at.items():
                events_out.append(
                    {
                        "order_id": oid,
                        "kind": "created" if step == "new" else "status_changed",
                        "from_status": previous,
                        "to_status": step,
                        "data": json.dumps(
                            {"channel": channel, "total": str(total)} if step == "new" else {}
                        ),
                        "user_id": user_id,
                        "created_at": moment,
                    }
                )
                previous = step
            followup_state, next_contact_at = _followup(oid, created, status, moment)
            payment_status = "refunded" if refunded else ("paid" if paid else "unpaid")
            province, district, ward = customer.province
            yield {
                "id": oid,
                "number": number,
                "channel": channel,
                "channel_account": "BENCH" if external else "",
                "external_number": external,
                "customer_id": customer.id,
                "ship_name": customer.name,
                "ship_phone": customer.e164,
                "ship_country": "VN",
                "ship_scheme": "vn_3level",
                "ship_province": province,
                "ship_district": district,
                "ship_ward": ward,
                "ship_postcode": "",
                "ship_street": customer.street,
                "status": status,
                "payment_method": method,
                "payment_status": payment_status,
                "warehouse_id": warehouse_ids[oid % len(warehouse_ids)],
                "currency": "VND",
                "subtotal": subtotal,
                "discount_total": 0,
                "shipping_fee": fee,
                "vat_total": vat_total,
                "total": total,
                "paid_amount": paid,
                "refunded_amount": refunded,
                "notes": "",
                "search_text": order_search_text(
                    number=number,
                    external_number=external,
                    names=[customer.name],
                    phones=[customer.e164],
                ),
                "created_by_id": user_id if channel in ("phone", "facebook", "chat") else None,
                "created_at": created,
                "updated_at": moment,
                "confirmed_at": at.get("processing"),
                "shipped_at": at.get("shipped"),
                "completed_at": at.get("completed"),
                "cancelled_at": at.get("cancelled"),
                "returned_at": at.get("returned"),
                "followup_state": followup_state,
                "next_contact_at": next_contact_at,
            }

    from tests.benchmarks.bench_inventory import _copy, _sync_sequence

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(ORDER_TABLES)} RESTART IDENTITY CASCADE")
        # Orders first (in batches, with their lines and events), so customers get their
        # earliest order time and lifetime totals before they are written.
        batch = 100_000
        rows = order_rows()
        while True:
            chunk = [row for _, row in zip(range(batch), rows, strict=False)]
            if not chunk:
                break
            loaded.orders += _copy("orders_order", chunk)
            loaded.lines += _copy("orders_orderline", lines_out)
            loaded.events += _copy("orders_orderevent", events_out)
            loaded.payments += _copy("orders_payment", payments_out)
            counters["thread_base"] = counters.get("thread_base", 0) + len(threads_out)
            loaded.followups += _copy("followups_followup", threads_out)
            _copy("followups_contactnote", notes_out)
            threads_out.clear()
            notes_out.clear()
            lines_out.clear()
            events_out.clear()
            payments_out.clear()
            print(f"  {loaded.orders} orders generated", flush=True)
        # Customers come after their orders: Django's foreign keys on PostgreSQL are
        # DEFERRABLE INITIALLY DEFERRED, checked at COMMIT.
        loaded.customers = _copy("orders_customer", customer_rows())
        loaded.phones = _copy("orders_customerphone", phone_rows())
        loaded.addresses = _copy("orders_customeraddress", address_rows())
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE orders_customer c SET orders_count = t.n, revenue = t.revenue FROM ("
                " SELECT customer_id, COUNT(*) FILTER (WHERE status = 'completed') AS n,"
                " COALESCE(SUM(total - refunded_amount) FILTER"
                "   (WHERE completed_at IS NOT NULL), 0) AS revenue"
                " FROM orders_order GROUP BY customer_id) t WHERE t.customer_id = c.id"
            )
            cursor.execute("SELECT setval(%s, %s)", [ORDER_NUMBER_SEQUENCE, orders])
        for table in ORDER_TABLES:
            _sync_sequence(table)
    # The orders were copied in, not shipped through the services: fill the reports' rollups
    # (INSERT ... SELECT from the orders, in bulk).
    from orders.services.sales_rollup import customer_rollup_rebuild, sales_rollup_rebuild

    sales_rollup_rebuild()
    customer_rollup_rebuild()
    with connection.cursor() as cursor:
        for table in ORDER_TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    return loaded


def data_present(*, orders: int, customers: int) -> bool:
    from orders.models import Customer, Order

    # The measured runs add a few hundred orders (manual and API creates): still the same set.
    count = Order.objects.count()
    return orders <= count <= orders + 5_000 and Customer.objects.count() >= customers


# --- Measuring --------------------------------------------------------------------------------


@dataclass
class Context:
    client: Any
    user_id: int
    rng: random.Random
    orders: int
    website_key: str = ""
    variants: list[VariantRow] = field(default_factory=list)
    warehouse_id: int = 0


def _owner() -> Any:
    from crm.models import User
    from crm.roles import OWNER
    from crm.services import user_create

    user = User.objects.filter(username=BENCH_USERNAME).first()
    if user is None:
        user = user_create(role=OWNER, username=BENCH_USERNAME, password="bench-" + "x" * 20)
    return user


def _staff() -> list[int]:
    """Four sales staff who own follow-ups (created once, kept across runs)."""
    from crm.models import User
    from crm.roles import SALES
    from crm.services import user_create

    ids = []
    for n in range(1, 5):
        name = f"bench-sales-{n}"
        user = User.objects.filter(username=name).first() or user_create(
            role=SALES, username=name, password="bench-" + "x" * 20
        )
        ids.append(user.pk)
    return ids


def _website_key(warehouse_id: int, user_id: int) -> str:
    from orders.models import Website
    from orders.services.websites import website_create, website_key_rotate

    website = Website.objects.filter(code=WEBSITE_CODE).first()
    if website is None:
        _site, key = website_create(
            name="Bench site", code=WEBSITE_CODE, warehouse_id=warehouse_id, user_id=user_id
        )
        return key
    return website_key_rotate(website_id=website.pk)


def _get(ctx: Context, url: str, params: dict[str, str]) -> Callable[[], Any]:
    def run() -> Any:
        response = ctx.client.get(url, params)
        assert response.status_code == 200, (url, params, response.status_code)
        return response

    return run


def list_cases(ctx: Context) -> list[tuple[str, dict[str, str]]]:
    from django.utils import timezone

    from orders.models import Customer, CustomerPhone, Order

    today = timezone.localdate()
    week_ago = today - timedelta(days=7)
    month_ago = today - timedelta(days=400)
    phone = (
        CustomerPhone.objects.filter(customer_id=Customer.objects.order_by("pk")[5].pk)
        .values_list("digits", flat=True)
        .first()
    )
    number = Order.objects.order_by("-pk").values_list("number", flat=True)[5000]
    name = Customer.objects.order_by("pk").values_list("name", flat=True)[7]
    deep = max(2, ctx.orders // 50 * 19 // 20)
    shopee_paid = {"channel": "shopee", "payment": "paid"}
    return [
        ("list default", {}),
        ("list page 20", {"page": "20"}),
        ("list status=processing", {"status": "processing"}),
        ("list status=completed", {"status": "completed"}),
        ("list channel=shopee", {"channel": "shopee"}),
        ("list channel=chat + status=new", {"channel": "chat", "status": "new"}),
        ("list payment=unpaid", {"payment": "unpaid"}),
        ("list warehouse", {"warehouse": str(ctx.warehouse_id)}),
        ("list last 7 days", {"date_from": week_ago.isoformat(), "date_to": today.isoformat()}),
        (
            "list one day 400 days ago",
            {"date_from": month_ago.isoformat(), "date_to": month_ago.isoformat()},
        ),
        ("list sort by total", {"sort": "-total"}),
        ("search phone 6 digits", {"q": phone[-6:]}),
        ("search full phone", {"q": "0" + phone}),
        ("search order number", {"q": number}),
        ("search name", {"q": name}),
        ("search name + status=completed", {"q": name, "status": "completed"}),
        # two-letter words, which a trigram index cannot narrow
        ("search name 'Vũ Ngọc Vy'", {"q": "Vũ Ngọc Vy"}),
        ("search name 'Bùi Hữu Hà'", {"q": "Bùi Hữu Hà"}),
        ("search name 'Đỗ Hữu Hạnh'", {"q": "Đỗ Hữu Hạnh"}),
        # deep pages: page 2000 is offset ~100k; the last is ~95% of all orders deep
        ("list page 2000", {"page": "2000"}),
        (f"list page {deep}", {"page": str(deep)}),
        ("list page 1000 status=completed", {"page": "1000", "status": "completed"}),
        ("list page 400 channel=shopee + payment=paid", {"page": "400", **shopee_paid}),
        ("list page 1000 sort by total", {"page": "1000", "sort": "-total"}),
        ("marker=due (most overdue first)", {"marker": "due"}),
        ("marker=scheduled", {"marker": "scheduled"}),
        ("marker=new", {"marker": "new"}),
        ("marker=done", {"marker": "done"}),
        ("marker=due + channel=shopee", {"marker": "due", "channel": "shopee"}),
    ]


def page_cases(ctx: Context, *, repeat: int) -> list[inv.Result]:
    """Follow-up calendar and reports over the whole data set (each skipped when its page
    does not exist in this version)."""
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    today = timezone.localdate()
    from orders.models import CustomerPhone

    digits = CustomerPhone.objects.order_by("pk").values_list("digits", flat=True)[1234]
    year = {"date_from": (today - timedelta(days=364)).isoformat(), "date_to": today.isoformat()}
    cases = [
        ("customers default", "orders:customer_list", {}),
        ("customers phone 5 digits", "orders:customer_list", {"q": digits[-5:]}),
        ("customers name", "orders:customer_list", {"q": "nguyen van hai"}),
        ("customers by revenue", "orders:customer_list", {"sort": "revenue"}),
        ("customers by orders", "orders:customer_list", {"sort": "orders"}),
        ("calendar month (all staff)", "followups:calendar", {"view": "month", "user": "all"}),
        ("calendar week (all staff)", "followups:calendar", {"view": "week", "user": "all"}),
        ("calendar month (one person)", "followups:calendar", {"view": "month"}),
        ("best sellers, last 30 days", "orders:report_best_sellers", {}),
        ("best sellers, 365 days", "orders:report_best_sellers", year),
        ("top customers, last 30 days", "orders:report_top_customers", {}),
        ("top customers, 365 days", "orders:report_top_customers", year),
        ("sales by day, last 30 days", "orders:report_sales", {}),
        ("follow-up outcomes, 30 days", "followups:outcomes", {}),
    ]
    results = []
    for label, name, params in cases:
        try:
            url = reverse(name)
        except NoReverseMatch:
            print(f"  {label}: skipped ({name} does not exist)")
            continue
        timings, _response = inv._timed(_get(ctx, url, params), repeat=repeat)
        results.append(inv.Result(label, inv._describe(params), timings, 0))
        print(f"  {label}: p95 {inv.percentile(timings.wall, 95):.1f} ms", flush=True)
    return results


def manual_order_post(ctx: Context) -> Callable[[], Any]:
    """POST the manual order page as staff would: an existing customer, two lines."""
    from django.urls import reverse

    from orders.models import Customer

    url = reverse("orders:order_create")
    customers = list(Customer.objects.order_by("pk").values_list("pk", flat=True)[:1000])

    def run() -> Any:
        v1, v2 = ctx.rng.sample(ctx.variants, 2)
        data = manual_form_data(
            customer_id=ctx.rng.choice(customers),
            warehouse_id=ctx.warehouse_id,
            lines=[(v1, 1), (v2, 2)],
        )
        response = ctx.client.post(url, data)
        assert response.status_code == 302, response.content[:2000]
        return response

    return run


def manual_form_data(
    *, customer_id: int, warehouse_id: int, lines: Sequence[tuple[VariantRow, int]]
) -> dict[str, Any]:
    """The fields orders:order_create posts (see orders/forms_order.py and its tests)."""
    from orders.models import CustomerAddress

    address = CustomerAddress.objects.filter(customer_id=customer_id, is_default=True).first()
    data: dict[str, Any] = {
        "phone": "",
        "customer": str(customer_id),
        "customer_mode": "existing",
        "address": str(address.pk) if address else "",
        "channel": "phone",
        "payment_method": "cod",
        "warehouse": str(warehouse_id),
        "notes": "",
        "discount_total": "",
        "shipping_fee": "30.000",
        "line_key": [],
        "line_variant": [],
        "line_id": [],
        "line_qty": [],
        "line_price": [],
        "line_discount": [],
    }
    for index, (variant, quantity) in enumerate(lines):
        data["line_key"].append(f"k{index}")
        data["line_variant"].append(str(variant.id))
        data["line_id"].append("")
        data["line_qty"].append(str(quantity))
        data["line_price"].append("")
        data["line_discount"].append("")
    return data


def api_order_post(ctx: Context) -> Callable[[], Any]:
    from django.urls import reverse

    url = reverse("api:order_create")
    counter = {"n": 0}

    def run() -> Any:
        counter["n"] += 1
        v1, v2 = ctx.rng.sample(ctx.variants, 2)
        body = api_payload(
            external_id=f"BENCH-{time.time_ns()}-{counter['n']}",
            phone="0" + ctx.rng.choice(MOBILE_PREFIXES) + f"{ctx.rng.randrange(10**7):07d}",
            lines=[(v1, 1), (v2, 2)],
        )
        response = ctx.client.post(
            url,
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {ctx.website_key}",
        )
        assert response.status_code == 201, response.content[:2000]
        return response

    return run


def api_payload(
    *, external_id: str, phone: str, lines: Sequence[tuple[VariantRow, int]]
) -> dict[str, Any]:
    """A website order as the API takes it (see orders/api/openapi.py EXAMPLES)."""
    return {
        "id": external_id,
        "customer": {"name": "Khách web", "phone": phone},
        "shipping_address": {
            "street": "12 Lê Lợi",
            "ward": "Phường Bến Nghé",
            "district": "Quận 1",
            "province": "TP. Hồ Chí Minh",
            "country": "VN",
        },
        "items": [
            {"sku": variant.sku, "quantity": quantity, "unit_price": str(variant.price)}
            for variant, quantity in lines
        ],
        "payment_method": "cod",
        "shipping_fee": "30000",
    }


def service_create(ctx: Context) -> Callable[[], Any]:
    from orders.models import Customer
    from orders.services.orders.create import order_create
    from orders.services.orders.lines import LineInput

    customers = list(Customer.objects.order_by("pk").values_list("pk", flat=True)[:1000])

    def run() -> Any:
        v1, v2 = ctx.rng.sample(ctx.variants, 2)
        return order_create(
            customer_id=ctx.rng.choice(customers),
            lines=[
                LineInput(variant_id=v1.id, quantity=1),
                LineInput(variant_id=v2.id, quantity=2),
            ],
            channel="phone",
            payment_method="cod",
            warehouse_id=ctx.warehouse_id,
            user_id=ctx.user_id,
        )

    return run


def measure(*, repeat: int, orders: int, lists_only: bool = False) -> list[inv.Result]:
    from django.test import Client
    from django.urls import reverse

    from inventory.models import Warehouse

    user = _owner()
    client = Client()
    client.force_login(user)
    warehouse_id = Warehouse.objects.order_by("code", "pk").values_list("pk", flat=True)[0]
    ctx = Context(
        client=client,
        user_id=user.pk,
        rng=random.Random(SEED + 1),
        orders=orders,
        variants=_variants(),
        warehouse_id=warehouse_id,
    )
    results: list[inv.Result] = []
    list_url = reverse("orders:order_list")
    for label, params in list_cases(ctx):
        timings, response = inv._timed(_get(ctx, list_url, params), repeat=repeat)
        results.append(
            inv.Result(label, inv._describe(params), timings, _rows(response.content.decode()))
        )
        print(f"  {label}: p95 {inv.percentile(timings.wall, 95):.1f} ms", flush=True)
    results.append(_next_link_case(ctx, list_url, repeat=repeat))
    if lists_only:
        return results

    ids = [ctx.rng.randrange(1, orders + 1) for _ in range(inv.WARMUP + repeat)]
    it = iter(ids)

    def detail() -> Any:
        response = client.get(reverse("orders:order_detail", args=[next(it)]))
        assert response.status_code == 200
        return response

    timings, _ = inv._timed(detail, repeat=repeat)
    results.append(inv.Result("order detail (random order)", "", timings, 0))
    results.extend(page_cases(ctx, repeat=repeat))

    timings, _ = inv._timed(service_create(ctx), repeat=repeat)
    results.append(inv.Result("order_create service (2 lines)", "", timings, 0))
    try:
        timings, _ = inv._timed(manual_order_post(ctx), repeat=repeat)
        results.append(inv.Result("manual order POST (2 lines)", "", timings, 0))
    except NotImplementedError as missing:
        print(f"  manual order POST skipped: {missing}")
    try:
        ctx.website_key = _website_key(warehouse_id, user.pk)
        timings, _ = inv._timed(api_order_post(ctx), repeat=repeat)
        results.append(inv.Result("API order create (2 lines)", "", timings, 0))
    except (NotImplementedError, ImportError) as missing:
        print(f"  API create skipped: {missing}")
    return results


def _next_link_case(ctx: Context, list_url: str, *, repeat: int) -> inv.Result:
    """The page the Next link of page 2000 leads to (a cursor where the list has one)."""
    html_text = ctx.client.get(list_url, {"page": "2000"}).content.decode()
    found = re.search(r'href="(\?[^"]*)"[^>]*rel="next"', html_text)
    assert found, "page 2000 has no Next link"
    url = list_url + html.unescape(found.group(1))

    def run() -> Any:
        response = ctx.client.get(url)
        assert response.status_code == 200
        return response

    timings, response = inv._timed(run, repeat=repeat)
    label = "list Next from page 2000"
    print(f"  {label}: p95 {inv.percentile(timings.wall, 95):.1f} ms", flush=True)
    return inv.Result(label, url.split("?", 1)[1], timings, _rows(response.content.decode()))


def _rows(html: str) -> int:
    if "<tbody" not in html:
        return 0
    body = html.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return body.count("<tr") - body.count('class="empty"')


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--variants", type=int, default=20_000)
    parser.add_argument("--warehouses", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=30, help="measured runs per case")
    parser.add_argument("--keep", action="store_true", help="reuse data of this size")
    parser.add_argument("--any-database", action="store_true")
    parser.add_argument("--load-only", action="store_true", help="load the data, measure nothing")
    parser.add_argument("--lists-only", action="store_true", help="measure the order list only")
    args = parser.parse_args(argv)
    if args.orders < 10_000 or args.customers < 100 or args.repeat < 1:
        parser.error("need --orders >= 10000, --customers >= 100 and --repeat >= 1")

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from inventory.models import Warehouse

    if connection.vendor != "postgresql":
        print("bench_orders runs on PostgreSQL only: set DATABASE_URL=postgres://...")
        return 2
    name = connection.settings_dict["NAME"]
    if "bench" not in name and not args.any_database:
        print(f"refusing to replace the data of database {name!r}; use a *bench* database")
        return 2
    print(f"database {name}: migrating", flush=True)
    call_command("migrate", verbosity=0)
    user = _owner()
    kept = (
        args.keep
        and inv.data_present(variants=args.variants, warehouses=args.warehouses)
        and data_present(orders=args.orders, customers=args.customers)
    )
    if kept:
        print(f"data of {args.orders} orders / {args.customers} customers kept")
    else:
        start = time.perf_counter()
        print(f"loading {args.variants} variants x {args.warehouses} warehouses ...", flush=True)
        inv.load(variants=args.variants, warehouses=args.warehouses)
        print(f"  catalogue in {time.perf_counter() - start:.1f} s", flush=True)
        start = time.perf_counter()
        print(f"loading {args.orders} orders, {args.customers} customers ...", flush=True)
        warehouse_ids = list(Warehouse.objects.order_by("pk").values_list("pk", flat=True))
        loaded = load_orders(
            orders=args.orders,
            customers=args.customers,
            warehouse_ids=warehouse_ids,
            user_id=user.pk,
            staff_ids=[user.pk, *_staff()],
        )
        print(
            f"loaded {loaded.customers} customers ({loaded.phones} phones, {loaded.addresses} "
            f"addresses), {loaded.orders} orders, {loaded.lines} lines, {loaded.events} events, "
            f"{loaded.payments} payments, {loaded.followups} follow-ups "
            f"in {time.perf_counter() - start:.1f} s"
        )
    if args.load_only:
        return 0
    print(f"measuring: {inv.WARMUP} warm-up + {args.repeat} runs per case", flush=True)
    load_before = os.getloadavg()[0]
    # DEBUG-off settings use the manifest storage, which needs collectstatic first; the plain
    # storage builds the same URLs at the same cost.
    from django.test import override_settings

    plain_static = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=plain_static):
        results = measure(repeat=args.repeat, orders=args.orders, lists_only=args.lists_only)
    print()
    inv.print_table(results)
    print(
        "\nms: wall time of the whole request (or service call). db: the part spent in "
        "cursor.execute. cpu: CPU time of this Python thread.\nLoad average (1 min) "
        f"before/after: {load_before:.2f}/{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs."
    )
    print("\nquery strings:")
    for r in results:
        print(f"  {r.label}: {r.detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
