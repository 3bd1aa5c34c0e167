"""SalesTotal, a variant's sales over all months: refilled from SalesMonth by a rebuild, checked
against the sum of SalesMonth (kept by .keep in the same statements as the months)."""

# The SQL below is assembled only from this module's constants; values always go as parameters.
# ruff: noqa: S608

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import connection

from orders.models import SalesMonth, SalesTotal
from orders.services.sales_rollup.sql import postgres

_FIGURES = ("units", "net_revenue", "vat", "cost")
_FROM_MONTHS = (
    "SELECT variant_id, currency, SUM(units) AS units, SUM(net_revenue) AS net_revenue,"
    " SUM(vat) AS vat, SUM(cost) AS cost FROM orders_salesmonth GROUP BY 1, 2"
)


def totals_refill() -> int:
    """Replace every SalesTotal row by the sum of the SalesMonth rows (inside the rebuild's
    transaction, the tables locked); returns the rows written."""
    if not postgres():
        SalesTotal.objects.all().delete()
        sums = _month_sums()
        SalesTotal.objects.bulk_create(
            SalesTotal(
                variant_id=variant_id,
                currency=currency,
                **dict(zip(_FIGURES, figures, strict=True)),
            )
            for (variant_id, currency), figures in sorted(sums.items())
        )
        return len(sums)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM orders_salestotal")
        cursor.execute(
            "INSERT INTO orders_salestotal (variant_id, currency, units, net_revenue, vat, cost)"
            f" {_FROM_MONTHS} ORDER BY 1, 2"
        )
        return int(cursor.rowcount)


def _month_sums() -> dict[tuple[int, str], list[Any]]:
    sums: dict[tuple[int, str], list[Any]] = defaultdict(lambda: [0] + [Decimal(0)] * 3)
    for row in SalesMonth.objects.values("variant_id", "currency", *_FIGURES):
        cell = sums[(row["variant_id"], row["currency"])]
        for i, name in enumerate(_FIGURES):
            cell[i] += row[name]
    return dict(sums)


# (key, stored figures or None: missing, expected figures or None: should not be there)
Difference = tuple[tuple[Any, ...], tuple[Any, ...] | None, tuple[Any, ...] | None]


def totals_mismatches(*, limit: int) -> tuple[int, list[Difference]]:
    """SalesTotal rows that differ from the sum of the SalesMonth rows: (how many, the first
    `limit`)."""
    if not postgres():
        stored = {
            (row["variant_id"], row["currency"]): [row[name] for name in _FIGURES]
            for row in SalesTotal.objects.values("variant_id", "currency", *_FIGURES)
        }
        expected = _month_sums()
        keys = sorted(k for k in set(stored) | set(expected) if stored.get(k) != expected.get(k))
        return len(keys), [
            (
                key,
                tuple(stored[key]) if key in stored else None,
                tuple(expected[key]) if key in expected else None,
            )
            for key in keys[:limit]
        ]
    differ = " OR ".join(f"s.{name} IS DISTINCT FROM f.{name}" for name in _FIGURES)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(s.variant_id, f.variant_id), COALESCE(s.currency, f.currency),"
            " s.id IS NOT NULL, f.variant_id IS NOT NULL,"
            f" {', '.join(f's.{n}' for n in _FIGURES)}, {', '.join(f'f.{n}' for n in _FIGURES)},"
            f" COUNT(*) OVER () FROM orders_salestotal s FULL JOIN ({_FROM_MONTHS}) f"
            " ON s.variant_id = f.variant_id AND s.currency = f.currency"
            f" WHERE s.id IS NULL OR f.variant_id IS NULL OR {differ}"
            " ORDER BY 1, 2 LIMIT %s",
            [limit],
        )
        rows = cursor.fetchall()
    found: list[Difference] = [
        (
            (row[0], row[1]),
            tuple(row[4:8]) if row[2] else None,
            tuple(row[8:12]) if row[3] else None,
        )
        for row in rows
    ]
    return (rows[0][-1] if rows else 0), found
