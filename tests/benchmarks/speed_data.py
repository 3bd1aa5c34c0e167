"""Data the rows of bench_speed.py need beyond bench_orders' loader: open follow-ups in the
current month, a 25-line purchase order, the open orders of the picking lists, the searched names.

Imported by bench_speed.py after django.setup().
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

NAMES = ("Đỗ Hữu Hạnh", "Bùi Hữu Hà", "Vũ Ngọc Vy")
PO_NOTE = "bench_speed: 25 lines"


def month_bounds(today: date) -> tuple[datetime, datetime]:
    from django.utils import timezone

    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(first, datetime.min.time(), tzinfo=zone),
        datetime.combine(following, datetime.min.time(), tzinfo=zone),
    )


def seed_followups(target: int, staff: Sequence[int]) -> tuple[int, int]:
    """Open follow-ups with their next contact in the current month, up to `target`: plain
    INSERTs on the newest orders without one (with the order's marker copied and a contact
    note, as the loader does). Returns (count before, count after)."""
    from django.db import connection, transaction
    from django.utils import timezone

    start, end = month_bounds(timezone.localdate())
    count_sql = (
        "SELECT COUNT(*) FROM followups_followup WHERE state = 'open' "
        "AND next_contact_at >= %s AND next_contact_at < %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(count_sql, [start, end])
        before = cursor.fetchone()[0]
        missing = target - before
        if missing > 0:
            with transaction.atomic():
                cursor.execute(
                    SEED_SQL,
                    {
                        "n": missing,
                        "start": start,
                        "days": (end - start).days,
                        "staff": list(staff),
                    },
                )
        cursor.execute(count_sql, [start, end])
        return before, cursor.fetchone()[0]


SEED_SQL = """
WITH pick AS (
    SELECT o.id FROM orders_order o
    WHERE NOT EXISTS (SELECT 1 FROM followups_followup f WHERE f.order_id = o.id)
    ORDER BY o.id DESC LIMIT %(n)s
), made AS (
    INSERT INTO followups_followup
        (order_id, state, next_contact_at, assignee_id, outcome, created_at, updated_at)
    SELECT id, 'open',
        %(start)s::timestamptz + make_interval(days => floor(random() * %(days)s)::int,
            hours => 8 + floor(random() * 10)::int, mins => 15 * floor(random() * 4)::int),
        (%(staff)s::int[])[1 + floor(random() * cardinality(%(staff)s::int[]))::int],
        '', now(), now()
    FROM pick
    RETURNING id, order_id, next_contact_at, assignee_id
), marked AS (
    UPDATE orders_order o SET followup_state = 'open', next_contact_at = made.next_contact_at
    FROM made WHERE o.id = made.order_id
)
INSERT INTO followups_contactnote (followup_id, kind, method, note, contacted_at,
    next_contact_at, outcome, assignee_id, user_id, created_at)
SELECT id, 'contact', 'phone', 'Khách hẹn gọi lại', now(), next_contact_at, '',
    assignee_id, assignee_id, now()
FROM made
"""


def purchase_order(user_id: int, warehouse_id: int) -> int:
    """The 25-line purchase order of the PO PDF row (made once through the service)."""
    from inventory.models import PurchaseOrder, Supplier, Variant
    from inventory.services.purchasing.orders import (
        PurchaseLineInput,
        PurchaseOrderInput,
        purchase_order_create,
    )
    from inventory.services.suppliers import supplier_save

    found = PurchaseOrder.objects.filter(notes=PO_NOTE).values_list("pk", flat=True).first()
    if found:
        return int(found)
    supplier = Supplier.objects.filter(name="Công ty TNHH Bench Tốc Độ").first()
    supplier = supplier or supplier_save(
        data={"name": "Công ty TNHH Bench Tốc Độ", "address": "12 Nguyễn Trãi, Quận 1"}
    )
    variants = Variant.objects.order_by("pk").values_list("pk", "cost_price")[:25]
    lines = [
        PurchaseLineInput(variant_id=pk, quantity=10 + n, unit_cost=cost or Decimal(10000))
        for n, (pk, cost) in enumerate(variants)
    ]
    data = PurchaseOrderInput(
        supplier_id=supplier.pk, warehouse_id=warehouse_id, lines=lines, notes=PO_NOTE
    )
    return purchase_order_create(data=data, user_id=user_id).pk


def open_order_ids(limit: int, loaded: int) -> list[int]:
    """The newest open (new or processing) orders of the loaded set (not the API's)."""
    from orders.models import Order

    return list(
        Order.objects.filter(status__in=("new", "processing"), pk__lte=loaded)
        .order_by("-pk")
        .values_list("pk", flat=True)[:limit]
    )


def names_present() -> dict[str, int]:
    from orders.models import Customer

    return {name: Customer.objects.filter(name=name).count() for name in NAMES}
