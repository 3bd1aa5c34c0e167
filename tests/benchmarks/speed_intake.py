"""The intake rows of bench_speed.py: website orders posted to the API over HTTP, the same rows
written with plain INSERTs (the baseline), and the queries one order costs.

Imported by bench_speed.py after it has set the environment and called django.setup().
"""

from __future__ import annotations

import itertools
import json
import random
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests

from tests.benchmarks.speed_support import Call, Measure

# --- Raw INSERT baseline ---------------------------------------------------------------------


@dataclass(frozen=True)
class IntakeOrder:
    """One website order as both the API and the raw baseline get it."""

    external_id: str
    phone: str  # national format, as a website sends it
    customer_id: int | None  # the existing customer with that phone; None: a new one
    lines: tuple[tuple[int, str, str, int, int, int], ...]  # variant id, sku, name, qty, price, vat


def _zero(data_type: str) -> Any:
    if data_type in ("jsonb", "json"):
        return "{}"
    if data_type == "ARRAY":
        return "{}"
    if data_type == "boolean":
        return False
    if data_type.startswith("timestamp") or data_type == "date":
        return datetime.now().astimezone()
    if data_type in ("integer", "bigint", "smallint", "numeric", "double precision", "real"):
        return 0
    return ""


class RawWriter:
    """Plain INSERT statements, no Django: the columns the loader fills, plus a zero value for
    any other NOT NULL column without a database default (columns added later)."""

    def __init__(self, dsn: str) -> None:
        import psycopg

        self.connection = psycopg.connect(dsn)
        self.extra: dict[str, dict[str, Any]] = {}

    def _extra(self, table: str, given: Sequence[str]) -> dict[str, Any]:
        if table not in self.extra:
            rows = self.connection.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE "
                "table_name = %s AND is_nullable = 'NO' AND column_default IS NULL "
                "AND is_identity = 'NO' AND column_name <> 'id'",
                [table],
            ).fetchall()
            self.extra[table] = {name: _zero(kind) for name, kind in rows if name not in given}
            self.connection.commit()
        return self.extra[table]

    def insert(self, table: str, rows: Sequence[dict[str, Any]]) -> list[int]:
        """INSERT the rows (same keys) in one statement; returns their ids."""
        full = [{**self._extra(table, list(rows[0])), **row} for row in rows]
        columns = list(full[0])
        one = "(" + ", ".join(["%s"] * len(columns)) + ")"
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
            + ", ".join([one] * len(full))
            + " RETURNING id"
        )
        values = [row[c] for row in full for c in columns]
        return [r[0] for r in self.connection.execute(sql, values).fetchall()]

    def close(self) -> None:
        self.connection.close()


def raw_order(writer: RawWriter, order: IntakeOrder, *, number: str, warehouse_id: int) -> None:
    """One order in one transaction: the customer (with phone and address) when new, the order,
    its lines; then COMMIT. The ids go to writer.made for the clean-up."""
    now = datetime.now().astimezone()
    e164 = "+84" + order.phone[1:]
    customer_id = order.customer_id
    made: dict[str, list[int]] = writer.__dict__.setdefault("made", {})
    if customer_id is None:
        customer_id = writer.insert(
            "orders_customer",
            [
                {
                    "name": "Khách web",
                    "company": "",
                    "tax_code": "",
                    "emails": "[]",
                    "notes": "",
                    "orders_count": 0,
                    "revenue": 0,
                    "search_text": f"khach web {order.phone}",
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )[0]
        made.setdefault("customer", []).append(customer_id)
        phone = {"customer_id": customer_id, "e164": e164, "digits": e164[3:]}
        writer.insert("orders_customerphone", [{**phone, "is_primary": True, "created_at": now}])
        writer.insert("orders_customeraddress", [_address(customer_id, e164, now)])
    subtotal = sum(qty * price for _v, _s, _n, qty, price, _r in order.lines)
    vat_total = sum(_vat(qty * price, rate) for _v, _s, _n, qty, price, rate in order.lines)
    order_id = writer.insert(
        "orders_order",
        [_order_row(order, number, customer_id, e164, warehouse_id, subtotal, vat_total, now)],
    )[0]
    made.setdefault("order", []).append(order_id)
    writer.insert("orders_orderline", [_line_row(order_id, line) for line in order.lines])
    writer.connection.commit()


def _vat(line_total: int, rate: int) -> int:
    return (2 * line_total * rate + 100 + rate) // (2 * (100 + rate))


def _address(customer_id: int, e164: str, now: datetime) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "recipient_name": "Khách web",
        "recipient_phone": e164,
        "country": "VN",
        "scheme": "vn_3level",
        "province": "TP. Hồ Chí Minh",
        "district": "Quận 1",
        "ward": "Phường Bến Nghé",
        "postcode": "",
        "street": "12 Lê Lợi",
        "is_default": True,
        "created_at": now,
    }


def _order_row(
    order: IntakeOrder,
    number: str,
    customer_id: int,
    e164: str,
    warehouse_id: int,
    subtotal: int,
    vat_total: int,
    now: datetime,
) -> dict[str, Any]:
    address = _address(customer_id, e164, now)
    return {
        "number": number,
        "channel": "website",
        "channel_account": "",
        "external_number": order.external_id,
        "customer_id": customer_id,
        "ship_name": "Khách web",
        "ship_phone": e164,
        **{f"ship_{key}": address[key] for key in ("country", "scheme", "province")},
        **{f"ship_{key}": address[key] for key in ("district", "ward", "postcode", "street")},
        "status": "new",
        "payment_method": "cod",
        "payment_status": "unpaid",
        "warehouse_id": warehouse_id,
        "currency": "VND",
        "subtotal": subtotal,
        "discount_total": 0,
        "shipping_fee": 30000,
        "vat_total": vat_total,
        "total": subtotal + 30000,
        "paid_amount": 0,
        "refunded_amount": 0,
        "notes": "",
        "search_text": f"{number.lower()} {order.external_id.lower()} khach web {order.phone}",
        "created_at": now,
        "updated_at": now,
        "followup_state": "",
    }


def _line_row(order_id: int, line: tuple[int, str, str, int, int, int]) -> dict[str, Any]:
    variant_id, sku, name, quantity, price, rate = line
    return {
        "order_id": order_id,
        "variant_id": variant_id,
        "sku": sku,
        "name": name,
        "quantity": quantity,
        "unit_price": price,
        "discount": 0,
        "vat_rate": rate,
        "line_total": quantity * price,
        "vat_amount": _vat(quantity * price, rate),
        "quantity_reserved": 0,
        "quantity_shipped": 0,
        "quantity_returned": 0,
        "unit_cost": 0,
    }


def raw_run(
    orders: Sequence[IntakeOrder], *, dsn: str, clients: int, warehouse_id: int, tag: str
) -> Measure:
    """The raw baseline: `clients` threads, each with its own psycopg connection, write the
    orders one transaction each; then the rows are deleted again (they are not real orders)."""
    measure = Measure("raw INSERT (same rows)", clients)
    writers = [RawWriter(dsn) for _ in range(clients)]
    counter = itertools.count()
    lock = threading.Lock()

    def worker(writer: RawWriter) -> None:
        while (index := next(counter)) < len(orders):
            start = time.perf_counter()
            try:
                number = f"RB{tag}{index:06d}"
                raw_order(writer, orders[index], number=number, warehouse_id=warehouse_id)
                problem = None
            except Exception as error:
                writer.connection.rollback()
                problem = f"{type(error).__name__}: {error}"
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                if problem is None:
                    measure.samples.append(elapsed)
                else:
                    measure.errors += 1
                    measure.first_error = measure.first_error or problem[:300]

    threads = [threading.Thread(target=worker, args=(w,)) for w in writers]
    begin = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    measure.wall = time.perf_counter() - begin
    _raw_cleanup(writers)
    return measure


def _raw_cleanup(writers: Sequence[RawWriter]) -> None:
    orders = [pk for w in writers for pk in w.__dict__.get("made", {}).get("order", [])]
    customers = [pk for w in writers for pk in w.__dict__.get("made", {}).get("customer", [])]
    connection = writers[0].connection
    connection.execute("DELETE FROM orders_orderline WHERE order_id = ANY(%s)", [orders])
    connection.execute("DELETE FROM orders_order WHERE id = ANY(%s)", [orders])
    for table in ("orders_customerphone", "orders_customeraddress"):
        connection.execute(f"DELETE FROM {table} WHERE customer_id = ANY(%s)", [customers])
    connection.execute("DELETE FROM orders_customer WHERE id = ANY(%s)", [customers])
    connection.commit()
    for writer in writers:
        writer.close()


def api_call(base: str, key: str, orders: Sequence[IntakeOrder]) -> Call:
    """POST orders[index] to the website API (index < 0: a warm-up order of its own)."""
    url = f"{base}/api/v1/orders"

    def call(session: requests.Session, index: int) -> str | None:
        order = orders[index] if index >= 0 else warm_order(orders[0], index)
        answer = session.post(
            url,
            data=json.dumps(api_body(order)),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
            timeout=120,
        )
        if answer.status_code != 201:
            return f"HTTP {answer.status_code}: {answer.text[:200]!r}"
        return None

    return call


def warm_order(like: IntakeOrder, index: int) -> IntakeOrder:
    return IntakeOrder(f"{like.external_id}-W{-index}", like.phone, like.customer_id, like.lines)


def api_body(order: IntakeOrder) -> dict[str, Any]:
    """The website API's order body (orders/api/openapi.py), as bench_orders.api_payload."""
    return {
        "id": order.external_id,
        "customer": {"name": "Khách web", "phone": order.phone},
        "shipping_address": {
            "street": "12 Lê Lợi",
            "ward": "Phường Bến Nghé",
            "district": "Quận 1",
            "province": "TP. Hồ Chí Minh",
            "country": "VN",
        },
        "items": [
            {"sku": sku, "quantity": qty, "unit_price": str(price)}
            for _v, sku, _n, qty, price, _r in order.lines
        ],
        "payment_method": "cod",
        "shipping_fee": "30000",
    }


def fresh_phone(rng: random.Random, prefixes: Sequence[str], used: set[str]) -> str:
    while True:
        phone = "0" + rng.choice(prefixes) + f"{rng.randrange(10**7):07d}"
        if phone not in used:
            used.add(phone)
            return phone


def intake_orders(
    count: int, *, rng: random.Random, variants: Sequence[Any], new_share: float, tag: str
) -> list[IntakeOrder]:
    """`count` two-line website orders (1 and 2 units of two random variants, like
    bench_orders' API case); about `new_share` of them from phones no customer has, the rest
    from existing customers' primary phones."""
    from orders.models import CustomerPhone
    from tests.benchmarks.bench_orders import MOBILE_PREFIXES

    existing = list(
        CustomerPhone.objects.filter(is_primary=True, e164__startswith="+84")
        .order_by("?")
        .values_list("e164", "customer_id")[: count + 10]
    )
    used: set[str] = set()
    fresh = [fresh_phone(rng, MOBILE_PREFIXES, used) for _ in range(count)]
    taken = set(
        CustomerPhone.objects.filter(e164__in=["+84" + p[1:] for p in fresh]).values_list(
            "e164", flat=True
        )
    )
    fresh = [p for p in fresh if "+84" + p[1:] not in taken]
    orders = []
    for index in range(count):
        lines = tuple(
            (v.id, v.sku, v.name, qty, v.price, v.vat_rate)
            for v, qty in zip(rng.sample(variants, 2), (1, 2), strict=True)
        )
        if rng.random() < new_share and fresh:
            phone, customer_id = fresh.pop(), None
        else:
            e164, customer_id = existing[index % len(existing)]
            phone = "0" + e164[3:]
        orders.append(IntakeOrder(f"SPEED-{tag}-{index:06d}", phone, customer_id, lines))
    return orders


CONTROL = {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}


def queries_per_order(key: str, sample: IntakeOrder, fresh: Sequence[str]) -> tuple[str, str]:
    """SQL statements of one API order create for a new and for an existing customer, counted
    in this process (django.test.Client + CaptureQueriesContext: every statement Django sends,
    savepoints included), each after one warm-up order of its own kind."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client()
    url = reverse("api:order_create")
    counts = []
    detail = []
    for kind, phones in (("new", fresh[:2]), ("existing", [sample.phone] * 2)):
        for attempt, phone in zip(("warm", "count"), phones, strict=True):
            order = IntakeOrder(f"{sample.external_id}-Q{kind}{attempt}", phone, None, sample.lines)
            with CaptureQueriesContext(connection) as captured:
                answer = client.post(
                    url,
                    json.dumps(api_body(order)),
                    content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {key}",
                )
            if answer.status_code != 201:
                raise RuntimeError(f"API answered {answer.status_code}: {answer.content[:200]!r}")
        statements = [q["sql"] for q in captured.captured_queries]
        verbs = [sql.split(None, 1)[0].upper() for sql in statements]
        counts.append(
            (
                len(statements),
                sum(verb not in {"BEGIN", "COMMIT"} for verb in verbs),
                sum(verb not in CONTROL for verb in verbs),
            )
        )
        detail.append(f"-- {kind} customer:")
        detail.extend(sql[:160] for sql in statements)
    new, old = counts
    note = (
        f"{new[0]} / {old[0]} statements ({new[1]} / {old[1]} without BEGIN and COMMIT, "
        f"{new[2]} / {old[2]} without savepoints too)"
    )
    return note, "\n".join(detail)
