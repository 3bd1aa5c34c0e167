r"""Marketplace sync benchmark: marketplace orders in (webhooks, pull) and stock out, end to end.

Platform-pluggable: `--platforms shopee[,lazada,tiktok]` (default shopee) runs steps 2-4 and 6
for each platform's sandbox in turn (bench_platforms.py says what each needs; a platform is
added there). With one platform the rows are labelled as they always were; with several each
row starts with the platform's name.

What it does (PostgreSQL + Redis; tests/benchmarks is not collected by pytest)
  1. Migrates and EMPTIES the database named by DATABASE_URL (refuses SQLite and a name without
     "bench"), makes a warehouse and --variants variants with stock, and starts three processes:
     each platform's sandbox (Shopee: `python -m channels_sync.sandbox.shopee --seed ...`, one
     item per variant, same SKUs), our app under gunicorn (2 workers) and a Celery worker
     (concurrency 2). Each shop is connected through the real flow (Shopee: connect_finish
     with a code from /_sandbox/authorize), its listings pulled and linked by SKU.
  2. Pull-only run (no webhooks): --pull-orders (default --orders/5) orders placed on the
     sandbox, then orders_pull timed, with the SQL statements it sent per order.
  3. Webhook run: --orders orders placed in batches of 100 (control API place_order), the sandbox
     pushing each to our gunicorn /webhooks/shopee; the worker fetches and applies them. Measured
     until every order is in our database: orders per second (first placed -> last applied) and
     the delay from placing an order to its ChannelOrder row (p50 / p95). Then one orders_pull
     as the safety net; orders on the sandbox still missing are "lost" (exit code 1).
  4. Stock run: 200 stock changes on our side (stock_adjust, 10 bursts of 10 then 100 single
     changes) and the delay until the sandbox shows the new quantity (polled /_sandbox/items).
  5. Burst (--burst, default 2,000): the website API (POST /api/v1/orders, 4 orders a second
     over HTTP to the same gunicorn) measured quiet for 20 s, then while --burst marketplace
     orders placed at once are applied: its latency p50 / p95 / max beside the burst's rate.
  6. API calls per run (/_sandbox/calls) against the minimum the batch limits allow: details
     ceil(orders/50), list pages ceil(orders/100) per 15-day window, stock one call per item per
     push. Prints one table and the load average at start and end.

How to run (from the project root)
  createdb -h 127.0.0.1 -U postgres crm_benchbig
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_benchbig REDIS_URL=redis://127.0.0.1:6379/11 \
    .venv/bin/python tests/benchmarks/bench_channels.py [--orders 10000] [--quick] \
    [--platforms shopee]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import requests
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ["DJANGO_SETTINGS_MODULE"] = "crm.settings"
os.environ.setdefault("CRM_ENV_FILE", os.devnull)
os.environ["DEBUG"] = "false"
os.environ.setdefault("SECRET_KEY", "benchmark-only-" + secrets.token_urlsafe(32))
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("CRM_ENCRYPTION_KEYS", Fernet.generate_key().decode())
os.environ.setdefault("VAR_DIR", str(Path(tempfile.gettempdir()) / "crm-bench-var"))
(Path(os.environ["VAR_DIR"]) / "static").mkdir(parents=True, exist_ok=True)

import django  # noqa: E402

from tests.benchmarks.bench_platforms import BenchPlatform, platforms_from  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: Sequence[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


@dataclass
class Bench:
    platform: BenchPlatform
    sandbox_url: str
    web_url: str
    label: str = ""  # "" with one platform, else "<platform>: " before every row
    account_id: int = 0
    warehouse_id: int = 0
    items: dict[str, int] = field(default_factory=dict)  # sku -> sandbox item id
    rows: list[tuple[str, str]] = field(default_factory=list)
    lost: int = 0

    def ctl(self, name: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        url = f"{self.sandbox_url}/_sandbox/{name}"
        if data is None:
            answer = requests.get(url, timeout=60)
        else:
            answer = requests.post(url, json=data, timeout=120)
        body = answer.json()
        if not body.get("ok"):
            raise RuntimeError(f"sandbox {name}: {body}")
        return dict(body)

    def calls(self) -> dict[str, int]:
        return self.platform.fold(dict(self.ctl("calls")["counts"]))

    def add(self, label: str, value: str) -> None:
        label = self.label + label
        self.rows.append((label, value))
        print(f"  {label:<58} {value}", flush=True)


# --- setup -----------------------------------------------------------------------------------


def prepare_database(variants: int) -> tuple[int, list[tuple[int, str]]]:
    from django.core.management import call_command

    from inventory.models import Variant, Warehouse
    from inventory.services.stock import stock_receive
    from tests.inventory.factories import VariantFactory, WarehouseFactory

    call_command("migrate", interactive=False, verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    warehouse = cast(Warehouse, WarehouseFactory(code="BENCH", name="Bench"))
    made = []
    for n in range(variants):
        variant = cast(Variant, VariantFactory(sku=f"BENCH-{n:04d}"))
        stock_receive(variant_id=variant.pk, warehouse_id=warehouse.pk, quantity=100_000)
        made.append((variant.pk, variant.sku))
    return warehouse.pk, made


def start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    out = log.open("wb")
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_http(url: str, timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def start_processes(
    platforms: Sequence[BenchPlatform], skus: list[str], logs: Path
) -> tuple[list[subprocess.Popen[bytes]], list[str], str]:
    """Each platform's sandbox, gunicorn and the worker; (processes, sandbox URLs, web URL)."""
    web_port = free_port()
    web_url = f"http://127.0.0.1:{web_port}"
    env = {**os.environ, "PUBLIC_BASE_URL": web_url, "SITE_URL": web_url}
    env["PYTHONUNBUFFERED"] = "1"
    bin_dir = Path(sys.executable).parent
    procs, sandbox_urls = [], []
    for platform in platforms:
        port = free_port()
        seed_file = logs / f"seed-{platform.name}.json"
        seed_file.write_text(json.dumps(platform.seed(skus)))
        log = logs / ("sandbox.log" if len(platforms) == 1 else f"sandbox-{platform.name}.log")
        procs.append(start(platform.command(port, seed_file), env, log))
        sandbox_urls.append(f"http://127.0.0.1:{port}")
    procs += [
        start(
            [
                str(bin_dir / "gunicorn"),
                "crm.wsgi:application",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{web_port}",
                "--log-level",
                "warning",
            ],
            env,
            logs / "gunicorn.log",
        ),
        start(
            [
                str(bin_dir / "celery"),
                "-A",
                "crm",
                "worker",
                "-Q",
                "celery,marketplace",  # the default queue and channels_sync.tasks.QUEUE
                "--concurrency",
                "2",
                "--loglevel",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
            ],
            env,
            logs / "worker.log",
        ),
    ]
    for platform, sandbox_url in zip(platforms, sandbox_urls, strict=True):
        wait_http(f"{sandbox_url}{platform.ready_path}")
    wait_http(f"{web_url}/healthz")
    return procs, sandbox_urls, web_url


def connect(bench: Bench, warehouse_id: int) -> None:
    from channels_sync.models import ChannelAccount, Listing
    from channels_sync.services.listings import listings_pull

    account_id = bench.platform.connect(bench.ctl, bench.sandbox_url)
    ChannelAccount.objects.filter(pk=account_id).update(warehouse_id=warehouse_id)
    listings_pull(account_id=account_id)
    bench.account_id, bench.warehouse_id = account_id, warehouse_id
    linked = Listing.objects.filter(account_id=account_id, variant__isnull=False).count()
    bench.items = bench.platform.items(bench.ctl)
    code = ChannelAccount.objects.get(pk=account_id).code
    print(f"  connected shop {code}: {linked} listings linked", flush=True)


# --- orders ----------------------------------------------------------------------------------


def place(bench: Bench, count: int, rng: random.Random) -> dict[str, float]:
    """Place `count` orders in batches of 100; order id -> the time its batch was sent."""
    ids = list(bench.items.values())
    placed: dict[str, float] = {}
    for start_at in range(0, count, 100):
        sent = time.time()
        made = bench.platform.place(bench.ctl, ids, min(100, count - start_at), rng)
        placed.update(dict.fromkeys(made, sent))
    return placed


def applied_times(account_id: int, order_sns: Sequence[str]) -> dict[str, datetime]:
    from channels_sync.models import ChannelOrder

    rows = ChannelOrder.objects.filter(account_id=account_id, external_id__in=list(order_sns))
    return dict(rows.values_list("external_id", "created_at"))


def wait_applied(account_id: int, placed: dict[str, float], stall: float) -> dict[str, datetime]:
    from channels_sync.models import ChannelOrder

    wanted, last, seen_at = len(placed), -1, time.monotonic()
    while True:
        have = ChannelOrder.objects.filter(account_id=account_id, external_id__in=list(placed))
        done = have.count()
        if done >= wanted:
            break
        if done != last:
            last, seen_at = done, time.monotonic()
        elif time.monotonic() - seen_at > stall:
            print(f"  no progress for {stall:.0f} s at {done}/{wanted}", flush=True)
            break
        time.sleep(0.5)
    return applied_times(account_id, list(placed))


def ratio(made: int, minimum: int) -> str:
    return f"{made} / min {minimum} = {made / minimum:.2f}x" if minimum else f"{made} / min 0"


class StatementCount:
    """connection.execute_wrapper counting every SQL statement this process sends."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def pull_run(bench: Bench, count: int, rng: random.Random) -> None:
    from django.db import connection

    from channels_sync.services.pull import orders_pull

    platform = bench.platform
    platform.set_callback(bench.ctl, None)
    placed = place(bench, count, rng)
    bench.ctl("reset_calls", {})
    statements = StatementCount()
    began = time.perf_counter()
    with connection.execute_wrapper(statements):
        orders_pull(account_id=bench.account_id)
    took = time.perf_counter() - began
    calls = bench.calls()
    got = len(applied_times(bench.account_id, list(placed)))
    bench.add(
        f"pull only: orders_pull of {count} orders", f"{took:.1f} s, {got / took:.1f} orders/s"
    )
    bench.add(
        "pull only: SQL statements per order (all of orders_pull)",
        f"{statements.count / max(got, 1):.1f}",
    )
    bench.add("pull only: orders in our database", f"{got} / {count}")
    bench.add(
        "pull only: get_order_detail calls",
        ratio(calls.get(platform.detail_path, 0), platform.pull_detail_minimum(count)),
    )
    bench.add(
        "pull only: get_order_list calls",
        ratio(calls.get(platform.list_path, 0), math.ceil(count / platform.list_page)),
    )
    bench.lost += count - got


def webhook_run(bench: Bench, count: int, rng: random.Random) -> None:
    platform = bench.platform
    platform.set_callback(bench.ctl, f"{bench.web_url}{platform.webhook_path}")
    bench.ctl("reset_calls", {})
    first = time.time()
    placed = place(bench, count, rng)
    placing = time.time() - first
    applied = wait_applied(bench.account_id, placed, stall=120)
    calls = bench.calls()
    delays = [applied[sn].timestamp() - at for sn, at in placed.items() if sn in applied]
    last = max((a.timestamp() for a in applied.values()), default=first)
    bench.add(f"webhooks: {count} orders placed in", f"{placing:.1f} s ({count / placing:.0f}/s)")
    bench.add("webhooks: orders applied per second", f"{len(applied) / (last - first):.1f}")
    bench.add(
        "webhooks: placed -> in our DB p50 / p95 / max",
        f"{percentile(delays, 50):.2f} / {percentile(delays, 95):.2f} / "
        f"{max(delays, default=0):.2f} s",
    )
    bench.add("webhooks: orders in our DB before the pull", f"{len(applied)} / {count}")
    deliveries = platform.deliveries(bench.ctl)
    failed = sum(1 for d in deliveries if not d["ok"])
    bench.add("webhooks: pushes delivered / failed", f"{len(deliveries) - failed} / {failed}")
    bench.add(
        "webhooks: get_order_detail calls",
        ratio(calls.get(platform.detail_path, 0), math.ceil(count / platform.detail_batch)),
    )
    bench.add(
        "webhooks: update_stock calls (stock moved by the orders)",
        str(calls.get(platform.stock_path, 0)),
    )
    latency_probe(bench, rng)
    safety_net(bench)


def latency_probe(bench: Bench, rng: random.Random) -> None:
    """Orders one at a time, 5 a second: the delay without a backlog."""
    placed: dict[str, float] = {}
    for _ in range(100):
        placed.update(place(bench, 1, rng))
        time.sleep(0.2)
    applied = wait_applied(bench.account_id, placed, stall=60)
    delays = [applied[sn].timestamp() - at for sn, at in placed.items() if sn in applied]
    bench.add(
        "webhooks, 5 orders/s: placed -> in our DB p50 / p95",
        f"{percentile(delays, 50):.2f} / {percentile(delays, 95):.2f} s",
    )


def safety_net(bench: Bench) -> None:
    from channels_sync.models import ChannelOrder
    from channels_sync.services.pull import orders_pull

    began = time.perf_counter()
    orders_pull(account_id=bench.account_id)
    took = time.perf_counter() - began
    on_sandbox = bench.platform.order_ids(bench.ctl)
    ours = set(
        ChannelOrder.objects.filter(account_id=bench.account_id).values_list(
            "external_id", flat=True
        )
    )
    missing = len(on_sandbox - ours)
    bench.add("safety-net orders_pull afterwards", f"{took:.1f} s")
    bench.add("orders on the sandbox missing from our DB (lost)", str(missing))
    bench.lost = missing


# --- the website API while a burst is applied --------------------------------------------------


def website_key(warehouse_id: int) -> str:
    from orders.services.websites import website_create

    _site, key = website_create(
        name="Bench website", code="benchweb", warehouse_id=warehouse_id, user_id=None
    )
    return key


def api_probe(
    bench: Bench,
    key: str,
    skus: list[str],
    stop: threading.Event,
    seconds: float,
    errors: list[str],
) -> list[float]:
    """Website orders (POST /api/v1/orders, one line of a random SKU), 4 a second, until
    `stop` is set or `seconds` passed; each one's latency in ms."""
    session = requests.Session()
    rng = random.Random(7)
    took: list[float] = []
    end = time.monotonic() + seconds
    n = 0
    while not stop.is_set() and time.monotonic() < end:
        n += 1
        body = {
            "id": f"WEB-{time.time_ns()}-{n}",
            "customer": {
                "name": "Khách web",
                "phone": rng.choice(("090", "091", "093", "097", "098"))
                + f"{rng.randrange(10**7):07d}",
            },
            "shipping_address": {
                "street": "12 Lê Lợi",
                "ward": "Phường Bến Nghé",
                "district": "Quận 1",
                "province": "TP. Hồ Chí Minh",
                "country": "VN",
            },
            "items": [{"sku": rng.choice(skus), "quantity": 1, "unit_price": "150000"}],
            "payment_method": "cod",
            "shipping_fee": "30000",
        }
        began = time.perf_counter()
        response = session.post(
            f"{bench.web_url}/api/v1/orders",
            json=body,
            headers={"Authorization": f"Bearer {key}"},
            timeout=60,
        )
        took.append((time.perf_counter() - began) * 1000)
        if response.status_code != 201:
            errors.append(f"{response.status_code}: {response.text[:300]}")
        time.sleep(0.25)
    return took


def burst_run(bench: Bench, count: int, skus: list[str], rng: random.Random) -> None:
    """Website API latency quiet (20 s), then while `count` marketplace orders placed at
    once (webhooks on) are applied."""
    if count <= 0:
        return
    key = website_key(bench.warehouse_id)
    errors: list[str] = []
    quiet = api_probe(bench, key, skus, threading.Event(), 20, errors)
    bench.platform.set_callback(bench.ctl, f"{bench.web_url}{bench.platform.webhook_path}")
    stop = threading.Event()
    during: list[float] = []
    probe = threading.Thread(
        target=lambda: during.extend(api_probe(bench, key, skus, stop, 3600, errors)),
        daemon=True,
    )
    probe.start()
    first = time.time()
    placed = place(bench, count, rng)
    applied = wait_applied(bench.account_id, placed, stall=120)
    stop.set()
    probe.join()
    last = max((a.timestamp() for a in applied.values()), default=first)
    bench.add(
        f"burst of {count}: marketplace orders applied per second",
        f"{len(applied) / max(last - first, 0.001):.1f} ({len(applied)} / {count})",
    )
    for label, values in (("quiet", quiet), (f"during the burst of {count}", during)):
        bench.add(
            f"website API order create, {label}: p50 / p95 / max ({len(values)} orders)",
            f"{percentile(values, 50):.0f} / {percentile(values, 95):.0f} / "
            f"{max(values, default=0):.0f} ms",
        )
    bench.add("website API answers other than 201", f"{len(errors)} {errors[:1]}")
    bench.lost += count - len(applied)


# --- stock -----------------------------------------------------------------------------------


def settle_stock(bench: Bench, variants: list[tuple[int, str]], timeout: float = 60) -> int:
    """Wait until the sandbox shows our quantity for every variant; how many still differ."""
    from channels_sync.models import ChannelAccount
    from channels_sync.services.stock import available_for_listing

    account = ChannelAccount.objects.get(pk=bench.account_id)
    want = available_for_listing(account=account, variant_ids=[v for v, _ in variants])
    end, differ = time.monotonic() + timeout, len(variants)
    while time.monotonic() < end:
        shown = sandbox_stock(bench)
        differ = sum(1 for v, sku in variants if shown.get(bench.items[sku]) != want[v])
        if not differ:
            break
        time.sleep(0.5)
    return differ


def sandbox_stock(bench: Bench) -> dict[int, int]:
    return bench.platform.stock(bench.ctl)


def stock_run(bench: Bench, variants: list[tuple[int, str]], rng: random.Random) -> None:
    from channels_sync.models import ChannelAccount
    from channels_sync.services.stock import available_for_listing
    from inventory.services.stock import stock_adjust

    differ = settle_stock(bench, variants)
    bench.add("stock: items whose sandbox stock differs from ours", str(differ))
    account = ChannelAccount.objects.get(pk=bench.account_id)
    chosen = rng.sample(variants, k=min(200, len(variants)))
    bursts = [chosen[i : i + 10] for i in range(0, 100, 10)] + [[v] for v in chosen[100:]]
    bench.ctl("reset_calls", {})
    pending: dict[int, tuple[int, float]] = {}  # item id -> (wanted, changed at)
    delays: list[float] = []

    def poll() -> None:
        shown = sandbox_stock(bench)
        now = time.time()
        for item, (wanted, at) in list(pending.items()):
            if shown.get(item) == wanted:
                delays.append(now - at)
                del pending[item]

    for group in bursts:
        for variant_id, sku in group:
            stock_adjust(
                variant_id=variant_id,
                warehouse_id=bench.warehouse_id,
                delta=rng.choice((-3, -1, 2, 5)),
                reason="benchmark",
            )
            wanted = available_for_listing(account=account, variant_ids=[variant_id])[variant_id]
            pending[bench.items[sku]] = (wanted, time.time())
        pause = time.monotonic() + (2.0 if len(group) > 1 else 0.3)
        while time.monotonic() < pause:
            poll()
            time.sleep(0.05)
    end = time.monotonic() + 60
    while pending and time.monotonic() < end:
        poll()
        time.sleep(0.05)
    calls = bench.calls()
    bench.add(
        f"stock: change -> sandbox p50 / p95 / max ({len(delays)} changes)",
        f"{percentile(delays, 50):.2f} / {percentile(delays, 95):.2f} / "
        f"{max(delays, default=0):.2f} s",
    )
    bench.add("stock: changes never shown on the sandbox", str(len(pending)))
    bench.add(
        "stock: update_stock calls", ratio(calls.get(bench.platform.stock_path, 0), len(chosen))
    )


def all_shops_stock_run(
    benches: Sequence[Bench], variants: list[tuple[int, str]], rng: random.Random, changes: int
) -> None:
    """With several shops: `changes` single stock changes on our side (one every 0.3 s) and the
    delay until the LAST of the shops shows the new level (every shop sells every variant)."""
    from channels_sync.models import ChannelAccount
    from channels_sync.services.stock import available_for_listing
    from inventory.services.stock import stock_adjust

    for bench in benches:
        settle_stock(bench, variants)
    accounts = [ChannelAccount.objects.get(pk=b.account_id) for b in benches]
    pending: dict[int, tuple[list[tuple[Bench, int, int]], float]] = {}  # variant -> shops left
    last: list[float] = []
    per_shop: dict[str, list[float]] = {b.platform.name: [] for b in benches}

    def poll() -> None:
        now = time.time()
        shown = {b.platform.name: sandbox_stock(b) for b in benches} if pending else {}
        for variant_id, (left, at) in list(pending.items()):
            still = []
            for bench, item, wanted in left:
                if shown[bench.platform.name].get(item) == wanted:
                    per_shop[bench.platform.name].append(now - at)
                else:
                    still.append((bench, item, wanted))
            if still:
                pending[variant_id] = (still, at)
            else:
                last.append(now - at)
                del pending[variant_id]

    for variant_id, sku in rng.sample(variants, k=min(changes, len(variants))):
        stock_adjust(
            variant_id=variant_id,
            warehouse_id=benches[0].warehouse_id,
            delta=rng.choice((-3, -1, 2, 5)),
            reason="benchmark",
        )
        at = time.time()
        left = [
            (
                bench,
                bench.items[sku],
                available_for_listing(account=a, variant_ids=[variant_id])[variant_id],
            )
            for bench, a in zip(benches, accounts, strict=True)
        ]
        pending[variant_id] = (left, at)
        pause = time.monotonic() + 0.3
        while time.monotonic() < pause:
            poll()
            time.sleep(0.05)
    end = time.monotonic() + 60
    while pending and time.monotonic() < end:
        poll()
        time.sleep(0.05)
    head = benches[0]
    names = " + ".join(b.platform.name for b in benches)
    head.rows.append(
        (
            f"all shops ({names}): stock change -> LAST shop p50 / p95 / max ({len(last)} changes)",
            f"{percentile(last, 50):.2f} / {percentile(last, 95):.2f} / "
            f"{max(last, default=0):.2f} s (goal p95 <= 5 s)",
        )
    )
    for name, delays in per_shop.items():
        head.rows.append((f"all shops: change -> {name} p95", f"{percentile(delays, 95):.2f} s"))
    head.rows.append(("all shops: changes never shown on every shop", str(len(pending))))
    for label, value in head.rows[-2 - len(per_shop) :]:
        print(f"  {label:<58} {value}", flush=True)


# --- main ------------------------------------------------------------------------------------


def check_database(allowed: str = "") -> None:
    """PostgreSQL only, and a database named "...bench..." or the one named by
    --empty-database (a helper's own database)."""
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    if connection.vendor != "postgresql" or ("bench" not in name and name != allowed):
        raise SystemExit(f"refusing to empty {connection.vendor} database {name!r}")


def run(args: argparse.Namespace, logs: Path) -> int:
    from django.conf import settings

    if not settings.REDIS_URL:
        raise SystemExit("set REDIS_URL (the worker needs a real broker)")
    check_database(args.empty_database)
    rng = random.Random(20261207)
    platforms = platforms_from(args.platforms)
    warehouse_id, variants = prepare_database(args.variants)
    skus = [sku for _, sku in variants]
    procs, sandbox_urls, web_url = start_processes(platforms, skus, logs)
    several = len(platforms) > 1
    benches = [
        Bench(platform=p, sandbox_url=url, web_url=web_url, label=f"{p.name}: " if several else "")
        for p, url in zip(platforms, sandbox_urls, strict=True)
    ]
    try:
        for bench in benches:  # every shop connected first: each stock change goes to all
            connect(bench, warehouse_id)
        for n, bench in enumerate(benches):
            pull_run(bench, args.pull_orders or max(100, args.orders // 5), rng)
            webhook_run(bench, args.orders, rng)
            if n == 0:  # the website API's latency during one burst (the first platform's)
                burst_run(bench, args.burst, skus, rng)
            stock_run(bench, variants, rng)
        if several:
            all_shops_stock_run(benches, variants, rng, args.all_shop_changes)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    print_table(benches)
    return 1 if any(bench.lost for bench in benches) else 0


def print_table(benches: Sequence[Bench]) -> None:
    rows = [row for bench in benches for row in bench.rows]
    width = max(len(label) for label, _ in rows)
    print("\n" + "-" * (width + 30))
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    print("-" * (width + 30), flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--variants", type=int, default=200)
    parser.add_argument("--pull-orders", type=int, help="orders of the pull-only run (orders/5)")
    parser.add_argument("--quick", action="store_true", help="1,000 orders (a smoke run)")
    parser.add_argument(
        "--burst", type=int, default=2000, help="orders of the burst the website API waits in"
    )
    parser.add_argument(
        "--empty-database", default="", help="this database may be emptied though not *bench*"
    )
    parser.add_argument(
        "--all-shop-changes",
        type=int,
        default=100,
        help="with several platforms: stock changes timed to the last shop",
    )
    parser.add_argument(
        "--platforms",
        default="shopee",
        help="comma-separated platforms whose sandboxes are driven (bench_platforms.PLATFORMS)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.orders = 1000
    django.setup()
    logs = Path(tempfile.mkdtemp(prefix="bench-channels-"))
    load_start = os.getloadavg()
    print(f"Logs of the sandbox, gunicorn and the worker: {logs}", flush=True)
    code = run(args, logs)
    load_end = os.getloadavg()
    print(
        f"Load average (1 min) at start {load_start[0]:.2f}, at end {load_end[0]:.2f} "
        f"on {os.cpu_count()} CPUs; {'LOST ORDERS' if code else 'nothing lost'}.",
        flush=True,
    )
    return code


if __name__ == "__main__":
    sys.exit(main())
