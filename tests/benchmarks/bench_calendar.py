r"""Calendar benchmark: the follow-up calendar as whole requests, with a busy month.

What it does
  1. Uses the PostgreSQL database named by DATABASE_URL (refuses SQLite, and a database whose
     name lacks "bench" unless --any-database). Without the orders data set of bench_orders of
     the requested size (--orders, --customers), it loads it first (bench_orders --load-only).
  2. Seeds follow-ups into the current shop-local month until the month holds --in-month of
     them (a rerun adds only what is missing): threads on orders (85%) and customers (15%)
     that had none, spread over the bench owner, the four bench sales staff and a few left
     unassigned, on random days of the month between 08:00 and 18:45 (quarter hours); about a
     third of those on past days are finished (grey), the rest open (red or green). Each thread
     gets its first contact note, and its order the copy of the thread's state, like
     followups.services writes them.
  3. Times whole requests through django.test.Client as the signed-in bench owner, DEBUG off
     (middleware, session, view, queries, template rendering): the month of everyone, the
     month of one sales member, the week and the busiest day of everyone. Each case runs 3
     warm-up times, then --repeat measured times.
  4. Prints p50 / p95 / max wall milliseconds, the median time in cursor.execute, the median
     CPU time of the Python thread, the queries per request, the entries drawn, and the load
     average at start and end. --profile prints where the month of everyone spends its time.

How to run (from the project root; tests/benchmarks is not collected by pytest)
  createdb -h 127.0.0.1 -U postgres crm_bench_calendar
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench_calendar \
    .venv/bin/python tests/benchmarks/bench_calendar.py [--orders 200000] [--customers 40000] \
    [--in-month 5000] [--repeat 30] [--profile]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# bench_inventory sets the production-like environment (DEBUG off, no .env) before Django loads.
import django  # noqa: E402

from tests.benchmarks import bench_inventory as inv  # noqa: E402
from tests.benchmarks import bench_orders as bo  # noqa: E402

SEED = 20261207
CUSTOMER_SHARE = 0.15  # of the seeded threads; the rest are on orders
UNASSIGNED_SHARE = 0.03


def month_bounds(today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1)


def in_month_count(first: date, after: date) -> int:
    """Follow-ups the month's calendar draws: open ones by next contact, finished by finish."""
    from django.db.models import Q

    from common.days import day_start
    from followups.models import FollowUp

    lower, upper = day_start(first), day_start(after)
    return FollowUp.objects.filter(
        Q(state="open", next_contact_at__gte=lower, next_contact_at__lt=upper)
        | Q(finished_at__gte=lower, finished_at__lt=upper)
    ).count()


def _free_subjects(table: str, column: str, count: int) -> list[int]:
    """`count` random ids of `table` that have no follow-up thread yet."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.id FROM {table} s WHERE NOT EXISTS (SELECT 1 FROM followups_followup f"
            f" WHERE f.{column} = s.id) ORDER BY random() LIMIT %s",
            [count],
        )
        return [row[0] for row in cursor.fetchall()]


def _when(rng: random.Random, first: date, after: date) -> datetime:
    from django.utils import timezone

    day = first + timedelta(days=rng.randrange((after - first).days))
    at = time(rng.randrange(8, 19), rng.choice((0, 15, 30, 45)))
    return timezone.make_aware(datetime.combine(day, at))


def _note(thread: Any, contacted: datetime, assignee: int | None) -> Any:
    from followups.models import ContactNote

    return ContactNote(
        followup=thread,
        kind="contact",
        method="phone",
        note="Đã gọi, hẹn gọi lại.",
        contacted_at=contacted,
        next_contact_at=thread.next_contact_at,
        assignee_id=assignee,
        user_id=assignee,
        created_at=contacted,
    )


def seed_month(*, target: int, staff: list[int]) -> int:
    """Add follow-ups to this month until it holds `target`; returns how many were added."""
    from django.db import connection, transaction
    from django.utils import timezone

    from followups.models import ContactNote, FollowUp

    first, after = month_bounds(timezone.localdate())
    missing = target - in_month_count(first, after)
    if missing <= 0:
        return 0
    rng = random.Random(SEED + missing)
    customers = _free_subjects("orders_customer", "customer_id", int(missing * CUSTOMER_SHARE))
    orders = _free_subjects("orders_order", "order_id", missing - len(customers))
    now = timezone.now()
    threads, notes = [], []
    for kind, pk in [("customer_id", c) for c in customers] + [("order_id", o) for o in orders]:
        at = _when(rng, first, after)
        assignee = None if rng.random() < UNASSIGNED_SHARE else rng.choice(staff)
        finished = at < now and rng.random() < 0.35
        contacted = min(at, now) - timedelta(days=rng.uniform(1, 20))
        thread = FollowUp(
            **{kind: pk},
            state="finished" if finished else "open",
            next_contact_at=None if finished else at,
            finished_at=at if finished else None,
            outcome=rng.choice(("sold", "not_interested", "other")) if finished else "",
            assignee_id=assignee,
            created_at=contacted,
            updated_at=at if finished else contacted,
        )
        threads.append(thread)
        notes.append((thread, contacted, assignee))
    with transaction.atomic():
        FollowUp.objects.bulk_create(threads, batch_size=2000)
        ContactNote.objects.bulk_create([_note(*note) for note in notes], batch_size=2000)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE orders_order o SET followup_state = f.state,"
                " next_contact_at = f.next_contact_at FROM followups_followup f"
                " WHERE f.order_id = o.id AND o.id = ANY(%s)",
                [orders],
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) followups_followup")
    return len(threads)


def _get(client: Any, url: str, params: dict[str, str]) -> Callable[[], Any]:
    def run() -> Any:
        response = client.get(url, params)
        assert response.status_code == 200, (url, params, response.status_code)
        return response

    return run


def _queries(func: Callable[[], Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        func()
    return len(captured.captured_queries)


def _entries(html: str) -> str:
    drawn = html.count('data-testid="calendar-entry"')
    more = html.count('data-testid="day-more"')
    return f"{drawn} entries, {more} '+N more'"


def cases(today: date, sales_id: int) -> list[tuple[str, dict[str, str]]]:
    from django.db.models import Count
    from django.db.models.functions import TruncDate

    from followups.models import FollowUp

    first, after = month_bounds(today)
    busiest = (
        FollowUp.objects.filter(
            state="open", next_contact_at__date__gte=first, next_contact_at__date__lt=after
        )
        .annotate(day=TruncDate("next_contact_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("-n", "day")
        .values_list("day", flat=True)
        .first()
    ) or today
    iso = today.isoformat()
    return [
        ("month, everyone", {"view": "month", "date": iso, "user": "all"}),
        ("month, one sales member", {"view": "month", "date": iso, "user": str(sales_id)}),
        ("week, everyone", {"view": "week", "date": iso, "user": "all"}),
        ("busiest day, everyone", {"view": "day", "date": busiest.isoformat(), "user": "all"}),
    ]


def measure(*, repeat: int, profile: bool) -> list[inv.Result]:
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    client = Client()
    client.force_login(bo._owner())
    url = reverse("followups:calendar")
    results = []
    for label, params in cases(timezone.localdate(), bo._staff()[0]):
        run = _get(client, url, params)
        timings, response = inv._timed(run, repeat=repeat)
        detail = f"{inv._describe(params)}; {_queries(run)} queries"
        results.append(inv.Result(label, detail, timings, 0))
        print(f"  {label}: {_entries(response.content.decode())}; {detail}", flush=True)
        if profile and label.startswith("month, everyone"):
            _profile(run)
    return results


def _profile(run: Callable[[], Any]) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(run)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--customers", type=int, default=40_000)
    parser.add_argument("--in-month", type=int, default=5_000, help="follow-ups in the month")
    parser.add_argument("--repeat", type=int, default=30, help="measured runs per case")
    parser.add_argument("--any-database", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile the month of everyone")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    django.setup()
    from django.db import connection
    from django.utils import timezone

    if connection.vendor != "postgresql":
        print("bench_calendar runs on PostgreSQL only: set DATABASE_URL=postgres://...")
        return 2
    name = connection.settings_dict["NAME"]
    if "bench" not in name and not args.any_database:
        print(f"refusing to add benchmark data to database {name!r}; use a *bench* database")
        return 2
    if not bo.data_present(orders=args.orders, customers=args.customers):
        sizes = ["--orders", str(args.orders), "--customers", str(args.customers)]
        if bo.main([*sizes, "--load-only", "--keep"]) != 0:
            return 2
    added = seed_month(target=args.in_month, staff=[bo._owner().pk, *bo._staff()])
    first, after = month_bounds(timezone.localdate())
    print(f"{in_month_count(first, after)} follow-ups in {first:%Y-%m} ({added} added)")
    # DEBUG-off settings use the manifest storage, which needs collectstatic first; the plain
    # storage builds the same URLs at the same cost (as bench_orders does).
    from django.test import override_settings

    plain_static = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=plain_static):
        results = measure(repeat=args.repeat, profile=args.profile)
    print()
    inv.print_table(results)
    print(
        f"\n{args.repeat} measured runs per case. Load average (1 min) before/after: "
        f"{load_before:.2f}/{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
