r"""PDF benchmark: the picking list of 1 / 100 / 385 orders and a purchase order of 25 lines.

What it does
  1. Migrates the PostgreSQL database named by DATABASE_URL (refuses SQLite, and a database whose
     name lacks "bench" unless --any-database: step 2 empties the inventory and orders tables).
  2. Loads the catalogue of bench_inventory (--variants x --warehouses) and the customers and
     orders of bench_orders (--orders, --customers; 1-5 lines an order), then tops the orders
     waiting to be picked (new or processing) up to 385 with new orders made by the
     order_create service (random customers, 1-5 random variants, a random warehouse), and
     makes one draft purchase order of 25 lines through the purchasing service. With --keep,
     data of the requested size is reused.
  3. Times whole requests through django.test.Client as a signed-in owner, DEBUG off, in
     Vietnamese: the picking list PDF (POST orders:order_bulk_picking_list) of the newest waiting
     order, of the 100 newest and of the 385 newest; the purchase order PDF (GET
     inventory:purchase_order_pdf). Above orders.services.bulk_jobs.PDF_NOW orders the list is
     a background job: Celery runs eagerly here (in this process, inside the POST), and the
     time runs from the POST to the file behind the job page's download link. Each case runs
     once to warm up, then --repeat times (fewer for the big lists: see REPEATS), through the
     benchmarks' one timing loop (bench_inventory._timed).
  4. Prints p50 / p95 / max wall milliseconds, the median CPU time of this thread (WeasyPrint
     runs in it) and of SQL, the pages of the file (pdfinfo) and the load average before and
     after.

How to run (from the project root; tests/benchmarks is not collected by pytest)
  createdb -h 127.0.0.1 -U postgres crm_bench_pdf
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench_pdf \
    .venv/bin/python tests/benchmarks/bench_pdf.py [--repeat 20] [--keep]

The load (2,000 variants, 10,000 orders) takes about a minute; the measurements a few minutes
(the 385-order list is the longest).
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import re
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# bench_inventory sets the production-like environment (DEBUG off, no .env) before Django loads.
import django  # noqa: E402

from tests.benchmarks import bench_inventory as inv  # noqa: E402
from tests.benchmarks import bench_orders as bo  # noqa: E402

# The big picking lists are background jobs: run them in this process, inside the request.
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

SEED = 20261207
PICKING_SIZES = (1, 100, 385)
PO_LINES = 25
SUPPLIER_NAME = "Công ty TNHH Dệt May Hòa Bình (bench)"
LANGUAGE = "vi"
# Measured runs per case as a share of --repeat: the big lists take seconds each.
REPEATS = {1: 1.0, 100: 0.25, 385: 0.15}


def pdf_pages(pdf: bytes) -> int:
    """Pages of a PDF, as pdfinfo (poppler-utils) counts them."""
    out = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout
    for line in out.decode().splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise ValueError("pdfinfo printed no page count")


def _pickable_ids() -> list[int]:
    from orders.models import Order
    from orders.selectors.picking_list import PICKABLE_STATUSES

    return list(
        Order.objects.filter(status__in=PICKABLE_STATUSES)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)[: max(PICKING_SIZES)]
    )


def top_up_orders(*, user_id: int) -> int:
    """New orders (order_create) until max(PICKING_SIZES) orders wait to be picked."""
    from inventory.models import Variant, Warehouse
    from orders.models import Customer
    from orders.services.orders.create import order_create
    from orders.services.orders.lines import LineInput

    missing = max(PICKING_SIZES) - len(_pickable_ids())
    if missing <= 0:
        return 0
    rng = random.Random(SEED)
    customers = list(Customer.objects.order_by("pk").values_list("pk", flat=True)[:2000])
    variants = list(Variant.objects.order_by("pk").values_list("pk", flat=True)[:5000])
    warehouses = list(Warehouse.objects.order_by("pk").values_list("pk", flat=True))
    channels = ("phone", "facebook", "chat", "website")
    for _ in range(missing):
        order_create(
            customer_id=rng.choice(customers),
            lines=[
                LineInput(variant_id=variant_id, quantity=rng.randint(1, 3))
                for variant_id in rng.sample(variants, rng.randint(1, 5))
            ],
            channel=rng.choice(channels),
            payment_method="cod",
            warehouse_id=rng.choice(warehouses),
            user_id=user_id,
        )
    return missing


def purchase_order(*, user_id: int) -> int:
    """The draft purchase order of PO_LINES lines to print (made once)."""
    from inventory.models import PurchaseOrder, Supplier, Variant, Warehouse
    from inventory.services.purchasing import (
        PurchaseLineInput,
        PurchaseOrderInput,
        purchase_order_create,
    )
    from inventory.services.suppliers import supplier_save

    supplier = Supplier.objects.filter(name=SUPPLIER_NAME).first() or supplier_save(
        data={
            "name": SUPPLIER_NAME,
            "contact_name": "Nguyễn Thị Hoa",
            "phone": "0912345678",
            "address": "12 Nguyễn Trãi, Quận 1, TP. Hồ Chí Minh",
            "payment_terms": "30 ngày",
        }
    )
    existing = PurchaseOrder.objects.filter(supplier=supplier).order_by("pk").first()
    if existing is not None:
        return existing.pk
    rng = random.Random(SEED)
    variants = list(Variant.objects.order_by("pk").values_list("pk", flat=True)[:5000])
    order = purchase_order_create(
        data=PurchaseOrderInput(
            supplier_id=supplier.pk,
            warehouse_id=Warehouse.objects.order_by("pk").values_list("pk", flat=True)[0],
            notes="Giao hàng trong giờ hành chính, gọi trước 30 phút.",
            lines=[
                PurchaseLineInput(
                    variant_id=variant_id,
                    quantity=rng.randint(5, 200),
                    unit_cost=Decimal(rng.randint(20, 900) * 1000),
                    vat_rate=None,
                )
                for variant_id in rng.sample(variants, PO_LINES)
            ],
        ),
        user_id=user_id,
    )
    return order.pk


DOWNLOAD_LINK = re.compile(r'href="([^"]*/download/)"')


def pdf_of(client: Any, response: Any, *, label: str) -> bytes:
    """The PDF a request answered: the answer itself, or, when the work went to a background
    job (an eager one here: done when the POST returns), the file behind the download link of
    the job's page."""
    if response.status_code == 302:
        page = client.get(response["Location"])
        link = DOWNLOAD_LINK.search(page.content.decode()) if page.status_code == 200 else None
        if link is None:
            raise SystemExit(f"{label}: no download link on {response['Location']}")
        response = client.get(link.group(1))
    if response.status_code != 200 or response["Content-Type"] != "application/pdf":
        raise SystemExit(f"{label}: HTTP {response.status_code} {response['Content-Type']}")
    if response.streaming:
        return b"".join(response.streaming_content)
    return bytes(response.content)


def _case(label: str, request: Callable[[], Any], *, client: Any, repeat: int) -> inv.Result:
    """`request` timed to its PDF: one warm-up (fonts, stylesheets, templates), then `repeat`
    runs; the result's rows are the pages of the last file."""
    timings, pdf = inv._timed(
        lambda: pdf_of(client, request(), label=label), repeat=repeat, warmup=1
    )
    return inv.Result(label, "", timings, pdf_pages(pdf))


def measure(*, repeat: int, user: Any, sizes: Sequence[int] = PICKING_SIZES) -> list[inv.Result]:
    from django.test import Client
    from django.urls import reverse

    client = Client(HTTP_ACCEPT_LANGUAGE=LANGUAGE)
    client.force_login(user)
    client.cookies["django_language"] = LANGUAGE
    ids = _pickable_ids()
    po_id = purchase_order(user_id=user.pk)
    url = reverse("orders:order_bulk_picking_list")
    results = []
    for size in sizes:
        chosen = ids[:size]

        def post(chosen: list[int] = chosen) -> Any:
            return client.post(url, {"order": chosen})

        runs = max(1, round(repeat * REPEATS.get(size, 1.0)))
        result = _case(f"picking list, {size} orders", post, client=client, repeat=runs)
        results.append(result)
        print_table([result], header=len(results) == 1)
    po_url = reverse("inventory:purchase_order_pdf", args=[po_id])
    result = _case(
        f"purchase order, {PO_LINES} lines",
        lambda: client.get(po_url),
        client=client,
        repeat=repeat,
    )
    results.append(result)
    print_table([result], header=False)
    return results


def print_table(results: list[inv.Result], *, header: bool = True) -> None:
    """One line per case (printed as each case ends: the big lists take minutes on a busy box)."""
    width = 30
    columns = ("runs", "p50 ms", "p95 ms", "max ms", "cpu p50", "sql p50", "pages")
    if header:
        title = f"{'case':<{width}}" + "".join(f"  {c:>7}" for c in columns)
        print(title)
        print("-" * len(title))
    for r in results:
        t = r.timings
        figures = (
            inv.percentile(t.wall, 50),
            inv.percentile(t.wall, 95),
            max(t.wall),
            inv.percentile(t.cpu, 50),
            inv.percentile(t.db, 50),
        )
        print(
            f"{r.label:<{width}}  {len(t.wall):7d}"
            + "".join(f"  {f:7.0f}" for f in figures)
            + f"  {r.rows:7d}",
            flush=True,
        )


def load(*, args: argparse.Namespace, user: Any) -> None:
    from inventory.models import Warehouse

    kept = (
        args.keep
        and inv.data_present(variants=args.variants, warehouses=args.warehouses)
        and bo.data_present(orders=args.orders, customers=args.customers)
    )
    if kept:
        print(f"data of {args.orders} orders / {args.customers} customers kept")
    else:
        start = time.perf_counter()
        print(f"loading {args.variants} variants x {args.warehouses} warehouses ...", flush=True)
        inv.load(variants=args.variants, warehouses=args.warehouses)
        print(f"loading {args.orders} orders, {args.customers} customers ...", flush=True)
        bo.load_orders(
            orders=args.orders,
            customers=args.customers,
            warehouse_ids=list(Warehouse.objects.order_by("pk").values_list("pk", flat=True)),
            user_id=user.pk,
        )
        print(f"  loaded in {time.perf_counter() - start:.1f} s", flush=True)
    added = top_up_orders(user_id=user.pk)
    if added:
        print(f"{added} new orders made so that {max(PICKING_SIZES)} wait to be picked")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=2_000)
    parser.add_argument("--variants", type=int, default=2_000)
    parser.add_argument("--warehouses", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=20, help="measured runs of small cases")
    parser.add_argument("--keep", action="store_true", help="reuse data of this size")
    parser.add_argument("--any-database", action="store_true")
    parser.add_argument(
        "--sizes", default="1,100,385", help="picking lists to time, in orders (at most 385)"
    )
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    if not all(1 <= size <= max(PICKING_SIZES) for size in sizes):
        parser.error(f"--sizes: between 1 and {max(PICKING_SIZES)} orders each")
    if args.orders < 1000 or args.customers < 100 or args.variants < 100 or args.repeat < 1:
        parser.error("need --orders >= 1000, --customers >= 100, --variants >= 100, --repeat >= 1")

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import override_settings

    if connection.vendor != "postgresql":
        print("bench_pdf runs on PostgreSQL only: set DATABASE_URL=postgres://...")
        return 2
    name = connection.settings_dict["NAME"]
    if "bench" not in name and not args.any_database:
        print(f"refusing to replace the data of database {name!r}; use a *bench* database")
        return 2
    print(f"database {name}: migrating", flush=True)
    call_command("migrate", verbosity=0)
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)  # a line per eager job
    user = bo._owner()
    load(args=args, user=user)
    load_before = os.getloadavg()
    print(f"measuring: 1 warm-up + up to {args.repeat} runs per case\n", flush=True)
    # DEBUG-off settings use the manifest storage, which needs collectstatic first.
    plain_static = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=plain_static):
        measure(repeat=args.repeat, user=user, sizes=sizes)
    load_after = os.getloadavg()
    print(
        "\nms: wall time of the whole request (a job: to its file); cpu: CPU time of this thread "
        "(WeasyPrint runs in it); sql: time in cursor.execute.\nLoad average (1/5/15 min) before: "
        + "/".join(f"{v:.2f}" for v in load_before)
        + ", after: "
        + "/".join(f"{v:.2f}" for v in load_after)
        + f" on {os.cpu_count()} CPUs."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
