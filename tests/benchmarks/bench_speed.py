r"""Speed benchmark of issue 17: every row of its table in one run, measured from outside.

What it does
  1. Uses the data set of bench_orders.py in the PostgreSQL database named by DATABASE_URL
     (1,000,000 orders / 200,000 customers by default; loaded with bench_orders' loader when it
     is not there yet, reused otherwise), adds what the rows need and the loader does not make:
     open follow-ups in the current month up to --followups (plain INSERTs on orders without a
     follow-up, newest first, spread over the owner and bench-sales-1..4), and a purchase order
     with 25 lines (through the purchasing service, made once).
  2. Runs collectstatic and starts gunicorn with crm/gunicorn.conf.py (-w 3 --threads 4 by
     default) on a free local port, and one Celery worker (the big PDFs are background jobs):
     DEBUG off, production settings except HTTPS (no TLS here: secure cookies, SSL redirect
     and HSTS are off) and the API rate limit (raised, else it caps the intake row). Signs in
     as the owner through /login/ (session cookie + CSRF).
  3. Measures, over HTTP with `requests`:
     - website API order create: --intake-orders two-line orders (about half from new phones,
       half from existing customers) posted by --clients threads (12), orders/s and p50; the
       same rows (customer with phone and address when new, order, lines) written with plain
       INSERTs by 12 psycopg connections, one COMMIT per order, right before and right after;
       the API rate as a share of the mean raw rate (goal: >= 25%). The raw rows are deleted
       afterwards; the API orders stay (status new), so each run adds --intake-orders orders.
     - SQL statements per API order for a new and for an existing customer: counted in this
       process with django.test.Client + CaptureQueriesContext (savepoints included).
     - best sellers and top customers over 365 and 30 days, the calendar month for all staff,
       the order list at ?page=2000 and ?page=19000, the order list searched for three names,
       the picking list PDF of 1 / 100 / 385 open orders (pages counted with pdfinfo; a
       background job is followed to its download link), the purchase order PDF of 25 lines.
       Latency rows run with --page-clients clients (1: the request alone, as the issue's
       latency goals mean it; raise it to see them under load).
  4. Prints per row n, clients, p50 / p95 / max ms, requests/s, the issue's goal and PASS/MISS,
     and the load average (os.getloadavg) at start and end. A row that fails prints its error
     and the run goes on. Pages are found by URL name (reverse) and their documented parameters.

How to run (from the project root; tests/benchmarks is not collected by pytest)
  createdb -h 127.0.0.1 -U postgres crm_bench1m
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench1m \
  REDIS_URL=redis://127.0.0.1:6379/8 .venv/bin/python tests/benchmarks/bench_speed.py \
    [--orders 1000000 --customers 200000] [--repeat 30] [--clients 12] [--only ROW ...]

How long it takes on 2 shared cores: the load of 1M orders 10-20 minutes (once), the
measurements about 5 to 10 minutes (mostly the 385-order PDF, the deep list page and the
365-day reports before the speed work).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("VAR_DIR", str(Path(tempfile.gettempdir()) / "crm-bench-speed-var"))
# The API's rate limit counts in Redis across processes: the statements-per-order row, counted
# in this process right after the intake row, must not be refused by it either.
os.environ["API_RATE_LIMIT_PER_MINUTE"] = "100000000"

# bench_inventory (through bench_orders) sets the production-like environment before Django loads.
import django  # noqa: E402

from tests.benchmarks import bench_orders as orders_bench  # noqa: E402
from tests.benchmarks import speed_data as data  # noqa: E402
from tests.benchmarks import speed_intake as intake  # noqa: E402
from tests.benchmarks import speed_support as http  # noqa: E402

SEED = 20261207


@dataclass(frozen=True)
class Goal:
    """The issue's goal for a row: `metric` (p50, p95 or share) at most/least `limit`."""

    metric: str
    limit: float
    text: str
    before: str  # the "Now" column

    def met(self, measure: http.Measure) -> bool | None:
        if self.metric == "share":
            return measure.value >= self.limit if measure.value == measure.value else None
        if self.metric == "none" or not measure.samples:
            return None
        value = measure.p(50) if self.metric == "p50" else measure.p(95)
        return value <= self.limit


@dataclass
class Run:
    """What the rows share: the server, the signed-in session, the data they use."""

    base: str
    session: Any
    repeat: int
    page_clients: int
    warm: int  # warm-up requests of a PDF row: enough to reach every gunicorn worker
    results: list[tuple[http.Measure, Goal]]
    ids: list[int]
    po_id: int


# --- Rows ------------------------------------------------------------------------------------


def record(run: Run, measure: http.Measure, goal: Goal) -> None:
    run.results.append((measure, goal))
    print("  " + line_of(measure, goal), flush=True)


def failed(label: str, error: BaseException) -> http.Measure:
    measure = http.Measure(label, 0, errors=1)
    measure.first_error = f"{type(error).__name__}: {error}"[:300]
    return measure


def page(run: Run, label: str, goal: Goal, name: str, params: dict[str, str]) -> None:
    """One GET row: the page by URL name with its documented query parameters."""
    from django.urls import reverse

    try:
        url = run.base + reverse(name)

        def call(session: Any, _index: int) -> str | None:
            return http.expect_html(session.get(url, params=params, timeout=600))

        measure = http.drive(
            label, call, run.session, clients=run.page_clients, total=run.repeat, warmup=3
        )
    except Exception as error:
        measure = failed(label, error)
    record(run, measure, goal)


def report_rows(run: Run) -> None:
    from django.utils import timezone

    today = timezone.localdate()
    for days, goal_ms, before in ((365, 150, ("452", "797")), (30, 100, ("243", "162"))):
        span = {"date_from": (today - timedelta(days=days - 1)).isoformat()}
        span["date_to"] = today.isoformat()
        for (label, name), now in zip(
            (
                ("best sellers", "orders:report_best_sellers"),
                ("top customers", "orders:report_top_customers"),
            ),
            before,
            strict=True,
        ):
            goal = Goal("p95", goal_ms, f"p95 <= {goal_ms} ms", f"p95 {now} ms")
            page(run, f"{label} {days} d", goal, name, span)


def calendar_row(run: Run) -> None:
    goal = Goal("p95", 100, "p95 <= 100 ms", "p95 212 ms")
    params = {"view": "month", "user": "all"}
    page(run, "calendar month, all staff", goal, "followups:calendar", params)


def list_rows(run: Run) -> None:
    for number, before in (("2000", "p95 491 ms"), ("19000", "SQL 1.76 s")):
        goal = Goal("p95", 100, "p95 <= 100 ms", before)
        page(run, f"order list ?page={number}", goal, "orders:order_list", {"page": number})
    for name, before in zip(data.NAMES, ("69", "112", "298"), strict=True):
        goal = Goal("p95", 60, "p95 <= 60 ms", f"p95 {before} ms")
        page(run, f"order list q={name}", goal, "orders:order_list", {"q": name})


def picking_rows(run: Run, repeats: Sequence[int]) -> None:
    """The picking list PDF (bulk action of the order list) of 1, 100 and 385 open orders."""
    from django.urls import reverse

    url = run.base + reverse("orders:order_bulk_picking_list")
    cases = ((1, 100, "p50 170 ms"), (100, 2000, "p50 5.2 s"), (385, 8000, "p50 25-28 s"))
    for (count, goal_ms, before), repeat in zip(cases, repeats, strict=True):
        label = f"picking list PDF, {count} order{'s' if count > 1 else ''}"
        goal = Goal("p50", goal_ms, f"p50 <= {goal_ms / 1000:g} s", before)
        pages: list[int] = []
        call = _picking_call(url, run.ids[:count], pages)
        try:
            if len(run.ids) < count:
                raise RuntimeError(f"only {len(run.ids)} open orders")
            warm = run.warm if count < 100 else 0
            measure = http.drive(label, call, run.session, clients=1, total=repeat, warmup=warm)
            measure.note = f"{pages[-1] if pages else '?'} page(s)"
        except Exception as error:
            measure = failed(label, error)
        record(run, measure, goal)


def _picking_call(url: str, chosen: Sequence[int], pages: list[int]) -> http.Call:
    def call(session: Any, _index: int) -> str | None:
        answer = session.post(
            url,
            data={"order": [str(pk) for pk in chosen]},
            headers={"X-CSRFToken": session.cookies.get("csrftoken", "")},
            timeout=900,
        )
        pages.append(http.pdf_pages(http.pdf_of(session, answer)))
        return None

    return call


def po_row(run: Run) -> None:
    from django.urls import reverse

    label = "purchase order PDF, 25 lines"
    goal = Goal("p95", 300, "p95 <= 300 ms", "p95 684 ms")
    try:
        url = run.base + reverse("inventory:purchase_order_pdf", args=[run.po_id])

        def call(session: Any, _index: int) -> str | None:
            answer = session.get(url, timeout=300)
            http.pdf_of(session, answer)
            return None

        measure = http.drive(
            label, call, run.session, clients=run.page_clients, total=run.repeat, warmup=run.warm
        )
    except Exception as error:
        measure = failed(label, error)
    record(run, measure, goal)


def intake_rows(run: Run, args: argparse.Namespace, key: str, warehouse_id: int) -> None:
    """Raw INSERTs, the website API, raw INSERTs again (the same kind of rows, fresh phones
    each time), then the statements of one API order counted in this process."""
    variants = orders_bench._variants()
    rng = random.Random(SEED + time.time_ns())
    tag = _base36(int(time.time()) % 36**5)
    count, clients, dsn = args.intake_orders, args.clients, os.environ["DATABASE_URL"]
    made = intake.intake_orders(
        3 * count, rng=rng, variants=variants, new_share=args.new_share, tag=tag
    )
    new = sum(order.customer_id is None for order in made[count : 2 * count])
    raw_run = intake.raw_run
    before = raw_run(made[:count], dsn=dsn, clients=clients, warehouse_id=warehouse_id, tag=tag)
    api = http.drive(
        "website API order create",
        intake.api_call(run.base, key, made[count : 2 * count]),
        http.requests.Session(),  # no session cookie: websites send only their key
        clients=clients,
        total=count,
        warmup=3,
    )
    after = raw_run(
        made[2 * count :], dsn=dsn, clients=clients, warehouse_id=warehouse_id, tag=tag + "B"
    )
    raws = [before, after]
    raw_rate = (raws[0].rate + raws[1].rate) / 2
    api.value = api.rate / raw_rate
    api.note = f"{api.value:.0%} of raw; {new} of {count} new customers"
    for raw, when in zip(raws, ("before", "after"), strict=True):
        raw.label, raw.note = f"raw INSERT, same rows ({when})", "1 COMMIT per order"
        record(run, raw, Goal("none", 0, "-", "raw 353/s" if when == "before" else ""))
    record(run, api, Goal("share", 0.25, ">= 25% of raw", "67/s p50 167 ms = 19%"))
    queries_row(run, key, made, rng, show=args.show_queries)


def queries_row(run: Run, key: str, made: Sequence[Any], rng: random.Random, show: bool) -> None:
    label = "queries per API order (new / existing)"
    try:
        sample = next(order for order in made if order.customer_id is not None)
        fresh = intake.intake_orders(
            2,
            rng=rng,
            variants=orders_bench._variants()[:50],
            new_share=1.0,
            tag="Q" + sample.external_id,
        )
        note, detail = intake.queries_per_order(key, sample, [o.phone for o in fresh])
        measure = http.Measure(label, 1, note=note + " (in-process count)")
        if show:
            print(detail)
    except Exception as error:
        measure = failed(label, error)
    record(run, measure, Goal("none", 0, "fewest; say why", "38 / 27"))


def _base36(number: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


# --- Output ----------------------------------------------------------------------------------

HEADER = (
    f"{'row':<40} {'n':>4} {'cl':>3} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9} {'req/s':>7}  "
    f"{'goal':<16} {'':<4}  issue's now / notes"
)


def line_of(measure: http.Measure, goal: Goal) -> str:
    verdict = {True: "PASS", False: "MISS", None: "-"}[goal.met(measure)]
    if measure.errors and not measure.samples and not measure.note:
        verdict = "ERR"
    top = max(measure.samples, default=float("nan"))
    figures = f"{measure.p(50):>9.1f} {measure.p(95):>9.1f} {top:>9.1f}"
    text = (
        f"{measure.label[:40]:<40} {len(measure.samples):>4} {measure.clients:>3} {figures} "
        f"{measure.rate:>7.1f}  {goal.text:<16} {verdict:<4}  "
        + "; ".join(part for part in (goal.before, measure.note) if part)
    ).replace(" nan", "   -")
    if measure.errors:
        text += f"\n      {measure.errors} error(s), first: {measure.first_error}"
    return text


# --- Main ------------------------------------------------------------------------------------

ROWS = ("intake", "reports", "calendar", "list", "picking", "po")


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--orders", type=int, default=1_000_000, help="size of the data set")
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=30, help="measured requests per page row")
    parser.add_argument("--clients", type=int, default=12, help="client threads of the intake")
    parser.add_argument("--page-clients", type=int, default=1, help="client threads per page row")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--intake-orders", type=int, default=480)
    parser.add_argument("--new-share", type=float, default=0.5, help="share of new customers")
    parser.add_argument("--followups", type=int, default=5000, help="open in the month, at least")
    parser.add_argument(
        "--pdf-repeat",
        type=int,
        nargs=3,
        default=[20, 3, 2],
        metavar="N",
        help="measured picking lists of 1 / 100 / 385 orders",
    )
    parser.add_argument("--only", nargs="+", choices=ROWS, default=list(ROWS))
    parser.add_argument("--show-queries", action="store_true", help="print the SQL per order")
    parser.add_argument("--any-database", action="store_true")
    return parser.parse_args(argv)


def prepare(args: argparse.Namespace) -> tuple[int, int, str, list[int], int] | None:
    """The data set and what the rows need: (owner id, warehouse id, website key, open order
    ids, purchase order id); None when the database is not one to use."""
    from django.core.management import call_command
    from django.db import connection

    from inventory.models import Warehouse

    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or ("bench" not in name and not args.any_database):
        print("bench_speed needs a PostgreSQL database whose name contains 'bench'")
        return None
    call_command("migrate", verbosity=0)
    if not orders_bench.data_present(orders=args.orders, customers=args.customers):
        print(f"database {name}: loading the data set with bench_orders ...", flush=True)
        size = ["--orders", str(args.orders), "--customers", str(args.customers)]
        orders_bench.main(["--load-only", *size, *(["--any-database"] * args.any_database)])
    owner = orders_bench._owner()
    staff = [owner.pk, *orders_bench._staff()]
    before, after = data.seed_followups(args.followups, staff)
    print(f"database {name}: {after} open follow-ups in this month ({after - before} added)")
    warehouse_id = Warehouse.objects.order_by("code", "pk").values_list("pk", flat=True)[0]
    key = orders_bench._website_key(warehouse_id, owner.pk)
    ids = data.open_order_ids(385, args.orders)
    print(f"  {len(ids)} open orders for the picking lists; customers named {data.names_present()}")
    return owner.pk, warehouse_id, key, ids, data.purchase_order(owner.pk, warehouse_id)


def measure_all(args: argparse.Namespace, run: Run, key: str, warehouse_id: int) -> None:
    steps: dict[str, Callable[[], None]] = {
        "intake": lambda: intake_rows(run, args, key, warehouse_id),
        "reports": lambda: report_rows(run),
        "calendar": lambda: calendar_row(run),
        "list": lambda: list_rows(run),
        "picking": lambda: picking_rows(run, args.pdf_repeat),
        "po": lambda: po_row(run),
    }
    for step in ROWS:
        if step in args.only:
            try:
                steps[step]()
            except Exception as error:
                record(run, failed(step, error), Goal("none", 0, "-", ""))


def main(argv: Sequence[str] | None = None) -> int:
    args = arguments(argv)
    load_start = os.getloadavg()
    django.setup()
    prepared = prepare(args)
    if prepared is None:
        return 2
    _owner_id, warehouse_id, key, ids, po_id = prepared
    logs = Path(tempfile.mkdtemp(prefix="bench-speed-"))
    env = http.server_env()
    print(
        f"collectstatic, then gunicorn -w {args.workers} --threads {args.threads} "
        f"(logs in {logs}) ...",
        flush=True,
    )
    http.collect_static(env, logs / "gunicorn.log")
    process, base = http.start_gunicorn(
        env, logs / "gunicorn.log", workers=args.workers, threads=args.threads
    )
    worker = http.start_worker(env, logs / "worker.log")
    run = Run(base, None, args.repeat, args.page_clients, 2 * args.workers, [], ids, po_id)
    load_measured = os.getloadavg()
    try:
        run.session = http.sign_in(base, orders_bench.BENCH_USERNAME)
        print(HEADER, flush=True)
        measure_all(args, run, key, warehouse_id)
    finally:
        http.stop(process)
        http.stop(worker)
    load_end = os.getloadavg()
    print("\n" + HEADER)
    for measure, goal in run.results:
        print(line_of(measure, goal))
    print(
        f"\nLoad average (1/5/15 min) at start {_load(load_start)}, when measuring began "
        f"{_load(load_measured)}, at end {_load(load_end)}; {os.cpu_count()} CPUs.\n"
        "ms: wall time of the whole HTTP request seen by the client; cl: client threads; "
        "req/s: successful requests over the row's wall time."
    )
    return 0


def _load(values: tuple[float, float, float]) -> str:
    return "/".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    sys.exit(main())
