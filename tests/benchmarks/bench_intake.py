r"""Intake benchmark: website orders over HTTP beside the raw INSERT rate of the same rows.

What it does
  1. Uses the data set of bench_orders (load it first with --load-only) in the PostgreSQL
     database named by DATABASE_URL (refuses one whose name lacks "bench": step 5 deletes rows).
  2. Makes --orders two-line website orders (1 and 2 units of two random active variants at
     their sale price, cash on delivery), about --new-share of them from phones no customer has,
     the others from existing customers' primary phones; and a website with a fresh key.
  3. Raw baseline: --clients threads, each with its own psycopg connection, write the rows the
     API writes for each order (customer, phone and address when new; the order; its lines; its
     history row; the request log row) with plain INSERTs and one COMMIT per order.
  4. HTTP: starts gunicorn (crm.wsgi, -w 3 --threads 4 unless told otherwise) on --port with
     the rate limit lifted, posts 24 warm-up orders, then --clients threads post the orders to
     POST /api/v1/orders (requests, one session per thread); every answer must be 201.
  5. Deletes what steps 3 and 4 wrote (orders, lines, events, request rows, new customers).
  6. Prints orders/s and p50 / p95 ms of both, the API rate as a share of the raw rate, the
     CPU time gunicorn's workers spent per API order (user + system, from /proc: steadier than
     wall times on a shared machine), and the load average at start and end.

How to run (from the project root; tests/benchmarks is not collected by pytest)
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench_intake \
    .venv/bin/python tests/benchmarks/bench_orders.py --load-only --orders 200000 --customers 40000
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench_intake \
  REDIS_URL=redis://127.0.0.1:6379/1 \
    .venv/bin/python tests/benchmarks/bench_intake.py [--orders 1200] [--clients 12] \
    [--new-share 0.5] [--workers 3] [--threads 4] [--port 8791] [--project DIR]
--project runs gunicorn from another checkout (e.g. an export of main, to measure "before").
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import django  # noqa: E402

from tests.benchmarks import bench_inventory  # noqa: E402, F401  (sets the environment)

TAG = f"BI{int(time.time())}"
NAME = "Khách web"
ADDRESS = {
    "street": "12 Lê Lợi",
    "ward": "Phường Bến Nghé",
    "district": "Quận 1",
    "province": "TP. Hồ Chí Minh",
    "country": "VN",
}


@dataclass(frozen=True)
class Line:
    variant_id: int
    sku: str
    name: str
    quantity: int
    price: int
    vat_rate: int


@dataclass(frozen=True)
class WebOrder:
    external_id: str
    phone: str  # national format, as a website sends it
    customer_id: int | None  # the customer with this phone; None: a new one
    lines: tuple[Line, ...]

    @property
    def e164(self) -> str:
        return "+84" + self.phone[1:]

    def body(self) -> dict[str, Any]:
        return {
            "id": self.external_id,
            "customer": {"name": NAME, "phone": self.phone},
            "shipping_address": ADDRESS,
            "items": [
                {"sku": line.sku, "quantity": line.quantity, "unit_price": str(line.price)}
                for line in self.lines
            ],
            "payment_method": "cod",
            "shipping_fee": "30000",
        }


@dataclass
class Measure:
    label: str
    samples: list[float] = field(default_factory=list)
    wall: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return len(self.samples) / self.wall if self.wall else 0.0

    def pct(self, q: float) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def make_orders(count: int, *, new_share: float, rng: random.Random) -> list[WebOrder]:
    from inventory.models import Variant
    from orders.models import CustomerPhone
    from tests.benchmarks.bench_orders import MOBILE_PREFIXES

    variants = list(
        Variant.objects.filter(is_active=True, product__is_active=True)
        .select_related("product")
        .order_by("pk")[:5000]
    )
    existing = list(
        CustomerPhone.objects.filter(is_primary=True, e164__startswith="+84")
        .order_by("customer_id")
        .values_list("e164", "customer_id")[:20000]
    )
    taken = set(CustomerPhone.objects.values_list("e164", flat=True))
    orders = []
    for index in range(count):
        picked = rng.sample(variants, 2)
        lines = tuple(
            Line(v.pk, v.sku, v.product.name, qty, int(v.sale_price), int(v.vat_rate))
            for v, qty in zip(picked, (1, 2), strict=True)
        )
        if rng.random() < new_share:
            while True:
                phone = "0" + rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**7):07d}"
                if "+84" + phone[1:] not in taken:
                    taken.add("+84" + phone[1:])
                    break
            orders.append(WebOrder(f"{TAG}-{index:06d}", phone, None, lines))
        else:
            e164, customer_id = rng.choice(existing)
            orders.append(WebOrder(f"{TAG}-{index:06d}", "0" + e164[3:], customer_id, lines))
    return orders


def website_key(warehouse_id: int) -> tuple[int, str]:
    from orders.models import Website
    from orders.services.websites import website_create, website_key_rotate

    website = Website.objects.filter(code="BENCH-INTAKE").first()
    if website is None:
        website, key = website_create(
            name="Bench intake", code="BENCH-INTAKE", warehouse_id=warehouse_id, user_id=None
        )
        return website.pk, key
    return website.pk, website_key_rotate(website_id=website.pk)


# --- Raw INSERT baseline ----------------------------------------------------------------------


def _insert(cursor: Any, table: str, rows: Sequence[dict[str, Any]]) -> list[int]:
    columns = list(rows[0])
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
        + ", ".join([one] * len(rows))
        + " RETURNING id",
        [row[c] for row in rows for c in columns],
    )
    return [r[0] for r in cursor.fetchall()]


def _vat(amount: int, rate: int) -> int:
    return (2 * amount * rate + 100 + rate) // (2 * (100 + rate))


def _customer(cursor: Any, order: WebOrder, now: datetime) -> int:
    from psycopg.types.json import Jsonb

    customer_id = _insert(
        cursor,
        "orders_customer",
        [
            {
                **dict.fromkeys(("company", "tax_code", "notes"), ""),
                "name": NAME,
                "emails": Jsonb([]),
                "orders_count": 1,
                "revenue": 0,
                "search_text": f"khach web {order.phone} {order.e164[1:]}",
                "created_at": now,
                "updated_at": now,
            }
        ],
    )[0]
    phone = {"customer_id": customer_id, "e164": order.e164, "digits": order.phone[1:]}
    _insert(cursor, "orders_customerphone", [{**phone, "is_primary": True, "created_at": now}])
    _insert(cursor, "orders_customeraddress", [_address(customer_id, order.e164, now)])
    return customer_id


def _address(customer_id: int, e164: str, now: datetime) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "recipient_name": NAME,
        "recipient_phone": e164,
        "scheme": "vn_3level",
        "postcode": "",
        **ADDRESS,
        "is_default": True,
        "created_at": now,
    }


def raw_order(cursor: Any, order: WebOrder, *, website_id: int, warehouse_id: int) -> None:
    """The rows of one API order, plain INSERTs, then COMMIT (by the caller's connection)."""
    from psycopg.types.json import Jsonb

    now = datetime.now().astimezone()
    customer_id = order.customer_id or _customer(cursor, order, now)
    subtotal = sum(line.quantity * line.price for line in order.lines)
    vat = sum(_vat(line.quantity * line.price, line.vat_rate) for line in order.lines)
    ship = {f"ship_{k}": v for k, v in _address(customer_id, order.e164, now).items()}
    cursor.execute("SELECT nextval('orders_order_number_seq')")
    number = f"SO{cursor.fetchone()[0]:06d}"
    order_row = {
        "number": number,
        "channel": "website",
        "channel_account": "BENCH-INTAKE",
        "external_number": order.external_id,
        "customer_id": customer_id,
        "ship_name": NAME,
        **{k: ship[k] for k in ship if k[5:] in (*ADDRESS, "scheme", "postcode")},
        "ship_phone": order.e164,
        "status": "new",
        "payment_method": "cod",
        "payment_status": "unpaid",
        "warehouse_id": warehouse_id,
        "currency": "VND",
        "subtotal": subtotal,
        "discount_total": 0,
        "shipping_fee": 30000,
        "vat_total": vat,
        "total": subtotal + 30000,
        "paid_amount": 0,
        "refunded_amount": 0,
        "notes": "",
        "search_text": f"{number.lower()} {order.external_id.lower()} khach web {order.phone}",
        "followup_state": "",
        "created_at": now,
        "updated_at": now,
    }
    order_id = _insert(cursor, "orders_order", [order_row])[0]
    _insert(cursor, "orders_orderline", [_line(order_id, line) for line in order.lines])
    event = {"order_id": order_id, "kind": "created", "from_status": "", "to_status": "new"}
    _insert(cursor, "orders_orderevent", [{**event, "data": Jsonb({}), "created_at": now}])
    body = json.dumps(order.body(), ensure_ascii=False)
    request = {"website_id": website_id, "endpoint": "orders", "external_number": order.external_id}
    _insert(
        cursor,
        "orders_websiterequest",
        [
            {
                **request,
                "payload": Jsonb(order.body()),
                "raw_body": body,
                "outcome": "created",
                "status_code": 201,
                "errors": Jsonb([]),
                "order_id": order_id,
                "received_at": now,
            }
        ],
    )


def _line(order_id: int, line: Line) -> dict[str, Any]:
    amount = line.quantity * line.price
    return {
        "order_id": order_id,
        "variant_id": line.variant_id,
        "sku": line.sku,
        "name": line.name,
        "quantity": line.quantity,
        "unit_price": line.price,
        "discount": 0,
        "vat_rate": line.vat_rate,
        "line_total": amount,
        "vat_amount": _vat(amount, line.vat_rate),
        **dict.fromkeys(("quantity_reserved", "quantity_shipped", "quantity_returned"), 0),
        "unit_cost": 0,
    }


def run_threads(
    label: str, clients: int, count: int, make: Callable[[], Callable[[int], None]]
) -> Measure:
    """`clients` threads, each with what `make` gives it, call it for indexes 0..count-1."""
    measure = Measure(label)
    counter = itertools.count()
    lock = threading.Lock()

    def worker(call: Callable[[int], None]) -> None:
        while (index := next(counter)) < count:
            start = time.perf_counter()
            try:
                call(index)
                problem = None
            except Exception as error:  # reported; the run goes on
                problem = f"{type(error).__name__}: {str(error)[:300]}"
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                if problem is None:
                    measure.samples.append(elapsed)
                else:
                    measure.errors.append(problem)

    threads = [threading.Thread(target=worker, args=(make(),)) for _ in range(clients)]
    begin = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    measure.wall = time.perf_counter() - begin
    return measure


def raw_run(orders: Sequence[WebOrder], *, clients: int, website_id: int, wh: int) -> Measure:
    import psycopg

    dsn = os.environ["DATABASE_URL"]

    def make() -> Callable[[int], None]:
        connection = psycopg.connect(dsn)

        def call(index: int) -> None:
            try:
                with connection.cursor() as cursor:
                    raw_order(cursor, orders[index], website_id=website_id, warehouse_id=wh)
                connection.commit()
            except Exception:
                connection.rollback()
                raise

        return call

    return run_threads("raw INSERT, same rows", clients, len(orders), make)


# --- Over HTTP --------------------------------------------------------------------------------


def start_gunicorn(args: argparse.Namespace, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "API_RATE_LIMIT_PER_MINUTE": "10000000", "PYTHONUNBUFFERED": "1"}
    env["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "crm.wsgi:application",
        *("--workers", str(args.workers), "--threads", str(args.threads)),
        *("--bind", f"127.0.0.1:{args.port}", "--log-level", "warning"),
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=args.project, env=env, stdout=out, stderr=out)
    import requests

    url = f"http://127.0.0.1:{args.port}/api/v1/openapi.json"
    for _ in range(240):
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return process
        except requests.RequestException:
            pass
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {log}")
        time.sleep(0.5)
    process.terminate()
    raise SystemExit(f"gunicorn did not answer; see {log}")


def server_cpu_seconds(master: int) -> float:
    """User + system CPU seconds of gunicorn's workers so far (Linux /proc)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    ticks = 0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def http_run(orders: Sequence[WebOrder], *, clients: int, port: int, key: str) -> Measure:
    import requests

    url = f"http://127.0.0.1:{port}/api/v1/orders"
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    def make() -> Callable[[int], None]:
        session = requests.Session()

        def call(index: int) -> None:
            data = json.dumps(orders[index].body(), ensure_ascii=False).encode()
            answer = session.post(url, data=data, headers=headers, timeout=120)
            if answer.status_code != 201:
                raise RuntimeError(f"HTTP {answer.status_code}: {answer.text[:200]}")

        return call

    return run_threads("website API over HTTP", clients, len(orders), make)


def cleanup(website_id: int) -> None:
    """Delete every order, request and new customer this run wrote (ids start with TAG)."""
    from django.db import connection, transaction

    from orders.services.sales_rollup.customers import customer_sales_refresh

    like = f"{TAG}-%"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, customer_id FROM orders_order WHERE channel = 'website' "
            "AND external_number LIKE %s",
            [like],
        )
        rows = cursor.fetchall()
        orders, customers = [r[0] for r in rows], sorted({r[1] for r in rows})
        cursor.execute("DELETE FROM orders_websiterequest WHERE website_id = %s", [website_id])
        for table in ("orders_orderevent", "orders_orderline"):
            cursor.execute(f"DELETE FROM {table} WHERE order_id = ANY(%s)", [orders])
        cursor.execute("DELETE FROM orders_order WHERE id = ANY(%s)", [orders])
        # The top customers rollup of the customers touched, recomputed without these orders
        # (a customer left without orders loses its rows, so it can be deleted below).
        customer_sales_refresh(customer_ids=customers)
        # The customers these orders made: no order left, and created during this run.
        cursor.execute(
            "SELECT id FROM orders_customer c WHERE id = ANY(%s) AND NOT EXISTS "
            "(SELECT 1 FROM orders_order o WHERE o.customer_id = c.id)",
            [customers],
        )
        new = [r[0] for r in cursor.fetchall()]
        for table in ("orders_customerphone", "orders_customeraddress"):
            cursor.execute(f"DELETE FROM {table} WHERE customer_id = ANY(%s)", [new])
        cursor.execute("DELETE FROM orders_customer WHERE id = ANY(%s)", [new])
        # Counts of the existing customers the run touched, as they were.
        cursor.execute(
            "UPDATE orders_customer c SET orders_count = (SELECT count(*) FROM orders_order o "
            "WHERE o.customer_id = c.id AND o.status <> 'cancelled') WHERE id = ANY(%s)",
            [customers],
        )


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def report(measures: Sequence[Measure], load: tuple[str, str]) -> None:
    print(f"load average at start: {load[0]}   at end: {load[1]}")
    print(f"{'':28} {'orders':>7} {'orders/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}")
    for m in measures:
        row = f"{m.label:28} {len(m.samples):7d} {m.rate:9.1f} {m.pct(0.5):8.1f} {m.pct(0.95):8.1f}"
        print(f"{row} {len(m.errors):7d}")
        if m.errors:
            print("   first error:", m.errors[0])
    raw, api = measures
    if raw.rate:
        print(f"API rate / raw INSERT rate: {100 * api.rate / raw.rate:.0f}%")
    print(f"API p50 (statistics.median): {statistics.median(api.samples or [0]):.1f} ms")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--orders", type=int, default=1200)
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--new-share", type=float, default=0.5)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--project", type=Path, default=ROOT)
    args = parser.parse_args(argv)
    if "bench" not in os.environ.get("DATABASE_URL", "").rsplit("/", 1)[-1]:
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database whose name has 'bench'.")
    django.setup()
    from inventory.models import Warehouse

    warehouse_id = (
        Warehouse.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)[0]
    )
    website_id, key = website_key(warehouse_id)
    rng = random.Random(20261207)
    count = args.orders
    orders = make_orders(2 * count + 24, new_share=args.new_share, rng=rng)
    raw_orders, warm, api_orders = orders[:count], orders[count : count + 24], orders[count + 24 :]
    load_start = _load()
    log = Path(os.environ["VAR_DIR"]) / "bench_intake_gunicorn.log"
    server = start_gunicorn(args, log)
    try:
        http_run(warm, clients=args.clients, port=args.port, key=key)
        raw = raw_run(raw_orders, clients=args.clients, website_id=website_id, wh=warehouse_id)
        cpu = server_cpu_seconds(server.pid)
        api = http_run(api_orders, clients=args.clients, port=args.port, key=key)
        cpu = server_cpu_seconds(server.pid) - cpu
    finally:
        server.terminate()
        server.wait(timeout=30)
        cleanup(website_id)
    report([raw, api], (load_start, _load()))
    print(f"gunicorn workers' CPU per API order: {1000 * cpu / max(len(api.samples), 1):.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
