r"""E-invoice benchmark: the Vietnamese preview PDF's render time (p50/p95, goal <= 300 ms) and
--invoices invoices issued from orders over HTTP against the local S-Invoice and MISA sandboxes
through our services (draft, issue with the idempotency key, the provider's PDF and XML).

What it does
  1. Migrates the PostgreSQL database named by DATABASE_URL (refuses SQLite, and a database
     whose name lacks "bench" unless --any-database). Nothing is emptied: each run adds its own
     warehouse, customers, orders and provider accounts (marked with the run's code).
  2. Starts both sandboxes on 127.0.0.1 (threads of this process, real HTTP) and connects an
     account to each; makes shipped orders of three lines at 10, 5 and 8 % with an order
     discount and shipping (the hand-worked order of tests/invoicing).
  3. Times preview_pdf (WeasyPrint) --repeat times on one order (after one warm-up render),
     then, per provider, invoice_draft + invoice_issue for --invoices orders one after the
     other (the files are fetched inside invoice_issue).
  4. Prints p50/p95/max of the preview, total seconds and ms per invoice per provider, and the
     load average at start and end.

How to run (from the project root; tests/benchmarks is not collected by pytest)
  createdb -h 127.0.0.1 -U postgres crm_bench_invoicing
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench_invoicing \
    .venv/bin/python tests/benchmarks/bench_invoicing.py [--invoices 100] [--repeat 40]
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# bench_inventory sets the production-like environment (DEBUG off, no .env) before Django loads.
import django  # noqa: E402
from cryptography.fernet import Fernet  # noqa: E402

from tests.benchmarks import bench_inventory as _env  # noqa: E402, F401

os.environ.setdefault("CRM_ENCRYPTION_KEYS", Fernet.generate_key().decode())
D = Decimal


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def _orders(run: str, count: int) -> list[Any]:
    """`count` shipped orders: 2 x 165,000 at 10 %, 3 x 105,000 at 5 % less 15,000, 4 x 27,000
    at 8 %, order discount 73,800, shipping 22,000 (invoice total 686,200)."""
    from inventory.services.stock import stock_receive
    from orders.models import Order
    from orders.services.orders.create import order_create
    from orders.services.orders.lines import LineInput
    from orders.services.orders.transitions import order_confirm, order_ship
    from tests.inventory.factories import VariantFactory, WarehouseFactory
    from tests.orders.factories import make_customer

    warehouse = WarehouseFactory(code=f"I{run}", name=f"Kho hóa đơn {run}")
    variants = []
    for name, price, vat in (
        ("Áo thun", "165000", "10"),
        ("Gạo", "105000", "5"),
        ("Sữa", "27000", "8"),
    ):
        variant = VariantFactory(
            product__name=f"{name} {run}", sale_price=D(price), vat_rate=D(vat)
        )
        stock_receive(variant_id=variant.pk, warehouse_id=warehouse.pk, quantity=10 * count + 10)
        variants.append(variant)
    orders = []
    for n in range(count):
        customer = make_customer(
            f"Khách {run} {n}", company="Công ty TNHH Minh An", tax_code="0100233488"
        )
        order = order_create(
            customer_id=customer.pk,
            warehouse_id=warehouse.pk,
            lines=[
                LineInput(variant_id=variants[0].pk, quantity=2),
                LineInput(variant_id=variants[1].pk, quantity=3, discount=D(15000)),
                LineInput(variant_id=variants[2].pk, quantity=4),
            ],
            channel=Order.Channel.PHONE,
            payment_method="bank_transfer",
            user_id=None,
            discount_total=D(73800),
            shipping_fee=D(22000),
        )
        order_confirm(order_id=order.pk, user_id=None)
        order_ship(order_id=order.pk, user_id=None)
        orders.append(Order.objects.select_related("customer").get(pk=order.pk))
    return orders


def _accounts(run: str, sinvoice: Any, misa: Any) -> list[Any]:
    from invoicing.models import Provider, ProviderAccount
    from invoicing.sandbox import misa as misa_module
    from invoicing.sandbox import sinvoice as sinvoice_module

    year = time.strftime("%y", time.gmtime(time.time() + 7 * 3600))
    template = misa.templates[0]
    return [
        ProviderAccount.objects.create(
            provider=Provider.SINVOICE,
            name=f"S-Invoice bench {run}",
            base_url=sinvoice.api_base,
            username=sinvoice_module.USERNAME,
            password=sinvoice_module.PASSWORD,
            seller_tax_code=sinvoice_module.TAX_CODE,
            template="1/001",
            series=f"C{year}TAA",
        ),
        ProviderAccount.objects.create(
            provider=Provider.MISA,
            name=f"MISA bench {run}",
            base_url=misa.api_base,
            app_id=misa_module.APP_ID,
            username=misa_module.USERNAME,
            password=misa_module.PASSWORD,
            seller_tax_code=misa_module.TAX_CODE,
            template=template.template_id,
            series=template.symbol[1:],
        ),
    ]


def _preview(order: Any, account: Any, repeat: int) -> list[float]:
    from invoicing.services.issuing import preview_request
    from invoicing.services.preview import preview_pdf

    request = preview_request(order=order, account=account)
    assert preview_pdf(request).startswith(b"%PDF")  # warm-up (fonts, templates)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        preview_pdf(request)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _issue_all(account: Any, orders: list[Any]) -> tuple[float, int]:
    from invoicing.models import EInvoice, InvoiceState
    from invoicing.services.issuing import invoice_draft, invoice_issue

    started = time.perf_counter()
    for order in orders:
        invoice_issue(invoice_id=invoice_draft(order=order, account=account).pk)
    seconds = time.perf_counter() - started
    done = EInvoice.objects.filter(
        account=account, state=InvoiceState.ISSUED, order__in=orders
    ).exclude(pdf="")
    return seconds, done.count()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--invoices", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--any-database", action="store_true")
    args = parser.parse_args()
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    database = settings.DATABASES["default"]
    if "postgresql" not in database["ENGINE"]:
        sys.exit("PostgreSQL only: set DATABASE_URL.")
    if "bench" not in database["NAME"] and not args.any_database:
        sys.exit(f"Refusing {database['NAME']!r}: its name lacks 'bench' (--any-database).")
    call_command("migrate", verbosity=0)
    from inventory.models import ShopProfile
    from invoicing.sandbox.misa import MisaSandbox
    from invoicing.sandbox.sinvoice import SInvoiceSandbox

    settings.EINVOICE_TIMEOUT = (2.0, 10.0)
    ShopProfile.objects.update_or_create(
        pk=1, defaults={"name": "Công ty TNHH Cửa hàng Demo", "address": "12 Hàng Bạc, Hà Nội"}
    )
    load_start = os.getloadavg()
    run = secrets.token_hex(3).upper()
    print(
        f"E-invoice benchmark, run {run}, {args.invoices} invoices per provider, "
        f"{os.cpu_count()} CPUs"
    )
    with SInvoiceSandbox.running() as sinvoice, MisaSandbox.running() as misa:
        accounts = _accounts(run, sinvoice, misa)
        orders = _orders(run, args.invoices * len(accounts))
        times = _preview(orders[0], accounts[0], args.repeat)
        print(
            f"  preview PDF ({args.repeat} renders): p50 {statistics.median(times):6.1f} ms, "
            f"p95 {_percentile(times, 0.95):6.1f} ms, max {max(times):6.1f} ms (goal <= 300 ms)"
        )
        for n, account in enumerate(accounts):
            chunk = orders[n * args.invoices : (n + 1) * args.invoices]
            seconds, done = _issue_all(account, chunk)
            print(
                f"  {account.get_provider_display():<18} {len(chunk)} invoices issued "
                f"{seconds:7.2f} s ({seconds * 1000 / max(len(chunk), 1):6.1f} ms each), "
                f"{done} issued with their PDF"
            )
    load_end = os.getloadavg()
    print(f"Load average (1/5/15 min): start {load_start}, end {load_end}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
