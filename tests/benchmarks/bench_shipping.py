r"""Shipping benchmark: 100 parcels created over HTTP against the local GHN and Viettel Post
sandboxes through our services, the same through the bulk background job, and the bulk label
PDF of 100 parcels.

What it does
  1. Migrates the PostgreSQL database named by DATABASE_URL (refuses SQLite, and a database
     whose name lacks "bench" unless --any-database). Nothing is emptied: each run adds its own
     warehouse, carrier accounts, customers and orders (marked with the run's code).
  2. Starts the GHN and Viettel Post sandboxes on 127.0.0.1 (threads of this process, real
     HTTP), connects one account of each, and makes --parcels processing COD orders per case.
  3. Times, per carrier: shipment_create for --parcels orders one after the other (the
     service code quoted once); the bulk job (shipments_bulk_start, run eagerly in this
     process as a worker runs it: a live quote and a create per order); shipment_labels of
     the --parcels parcels (one PDF; the carrier's label calls and our merge), --repeat times.
  4. Prints wall seconds, per-parcel milliseconds and the load average at start and end.

How to run (from the project root; tests/benchmarks is not collected by pytest)
  createdb -h 127.0.0.1 -U postgres crm_bench_shipping
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench_shipping \
    REDIS_URL=redis://127.0.0.1:6379/5 \
    .venv/bin/python tests/benchmarks/bench_shipping.py [--parcels 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from collections.abc import Callable
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

SENDER = {
    "sender_name": "Shop CRM bench",
    "sender_phone": "0909123456",
    "sender_street": "12 Nguyễn Huệ",
    "sender_province": "TP. Hồ Chí Minh",
    "sender_district": "Quận 1",
    "sender_ward": "Phường Bến Nghé",
}


def _timed(label: str, count: int, work: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    print(f"  {label:<44} {seconds:7.2f} s  ({seconds * 1000 / max(count, 1):6.1f} ms each)")
    return result


def _orders(run: str, warehouse: Any, variant: Any, count: int) -> list[int]:
    """`count` confirmed COD orders of 2 x 150,000 + 30,000 shipping to Đà Nẵng."""
    from orders.services.customers import AddressInput
    from orders.services.orders.transitions import order_confirm
    from tests.orders.factories import make_customer, make_order

    address = AddressInput(
        recipient_name="Trần Thị Bình",
        recipient_phone="0905 123 456",
        street="45 Lê Duẩn",
        ward="Phường Thạch Thang",
        district="Quận Hải Châu",
        province="TP. Đà Nẵng",
        country="VN",
    )
    ids = []
    for n in range(count):
        customer = make_customer(f"Khách {run} {n}", phones=("0905 123 456",), addresses=(address,))
        order = make_order(customer, warehouse, [(variant, 2)], shipping_fee=Decimal(30000))
        order_confirm(order_id=order.pk, user_id=None)
        ids.append(order.pk)
    return ids


def _accounts(run: str, warehouse: Any, ghn: Any, vtp: Any) -> list[Any]:
    from shipping.sandbox.viettel_post import PASSWORD, USERNAME
    from shipping.services.accounts import (
        AccountInput,
        carrier_account_connect,
        carrier_account_save,
    )

    ghn_account = carrier_account_save(
        data=AccountInput(
            carrier="ghn",
            name=f"GHN bench {run}",
            warehouse_id=warehouse.pk,
            base_url=ghn.base_url,
            print_base_url=ghn.root_url,
            token=ghn.token,
            shop_id=str(ghn.shop_id),
            **SENDER,
        )
    )
    vtp_account = carrier_account_save(
        data=AccountInput(
            carrier="viettel_post",
            name=f"Viettel Post bench {run}",
            warehouse_id=warehouse.pk,
            base_url=vtp.api_base,
            print_base_url=vtp.base_url,
            username=USERNAME,
            password=PASSWORD,
            **SENDER,
        )
    )
    return [ghn_account, carrier_account_connect(account_id=vtp_account.pk)]


def _create_one_by_one(account: Any, order_ids: list[int]) -> list[int]:
    from orders.models import Order
    from shipping.services.parcels import ParcelSpec, parcel_defaults
    from shipping.services.shipments import ServiceChoice, shipment_create, shipment_quote

    first = Order.objects.get(pk=order_ids[0])
    base = parcel_defaults(order=first, account=account)
    spec = ParcelSpec(service_code="", **base.__dict__)
    option = shipment_quote(order_id=first.pk, account_id=account.pk, spec=spec)[0]
    service = ServiceChoice(code=option.code, name=option.name, level=option.level)
    spec = ParcelSpec(**{**spec.__dict__, "service_code": option.code})
    return [
        shipment_create(
            order_id=pk, account_id=account.pk, spec=spec, service=service, user_id=None
        ).pk
        for pk in order_ids
    ]


def _bulk_job(account: Any, order_ids: list[int], owner_id: int) -> Any:
    from django.db import transaction

    from common.models import BackgroundJob
    from crm.celery import app
    from shipping.services.bulk import shipments_bulk_start

    app.conf.task_always_eager = True  # the job's task runs here, after the commit
    with transaction.atomic():
        job = shipments_bulk_start(
            owner_id=owner_id, order_ids=order_ids, account_id=account.pk, level="economy"
        )
    return BackgroundJob.objects.get(pk=job.pk)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parcels", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--any-database", action="store_true")
    args = parser.parse_args()
    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    database = settings.DATABASES["default"]
    if "postgresql" not in database["ENGINE"]:
        sys.exit("PostgreSQL only: set DATABASE_URL.")
    if "bench" not in database["NAME"] and not args.any_database:
        sys.exit(f"Refusing {database['NAME']!r}: its name lacks 'bench' (--any-database).")
    call_command("migrate", verbosity=0)
    from shipping.models import Shipment
    from shipping.sandbox.ghn import GhnSandbox
    from shipping.sandbox.viettel_post import ViettelPostSandbox
    from shipping.services.shipments import shipment_labels
    from tests.inventory.factories import WarehouseFactory
    from tests.orders.factories import stocked_variant

    load_start = os.getloadavg()
    run = secrets.token_hex(3).upper()
    count = args.parcels
    owner, _ = get_user_model().objects.get_or_create(username="bench-shipping")
    print(f"Shipping benchmark, run {run}, {count} parcels per case, {os.cpu_count()} CPUs")
    with GhnSandbox() as ghn, ViettelPostSandbox.running() as vtp:
        warehouse = WarehouseFactory(code=f"B{run}", name=f"Kho bench {run}", phone="0909123456")
        variant = stocked_variant(warehouse, 8 * count + 10, sku=f"BENCH-{run}")
        for account in _accounts(run, warehouse, ghn, vtp):
            print(f"{account.get_carrier_display()}:")
            ids = _orders(run, warehouse, variant, count)
            made = _timed(
                f"create {count} parcels (shipment_create)",
                count,
                lambda a=account, o=ids: _create_one_by_one(a, o),
            )
            assert Shipment.objects.filter(pk__in=made).exclude(tracking_number="").count() == count
            ids = _orders(run, warehouse, variant, count)
            job = _timed(
                f"bulk job of {count} orders (quote + create)",
                count,
                lambda a=account, o=ids: _bulk_job(a, o, owner.pk),
            )
            print(f"    job {job.status}: {job.message}")
            for attempt in range(1, args.repeat + 1):
                document = _timed(
                    f"label PDF of {count} parcels, run {attempt}",
                    count,
                    lambda m=made: shipment_labels(shipment_ids=m),
                )
            print(f"    last PDF {len(document.content) // 1024} KiB")
    load_end = os.getloadavg()
    print(f"Load average (1/5/15 min): start {load_start}, end {load_end}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
