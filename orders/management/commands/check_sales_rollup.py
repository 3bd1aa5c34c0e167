from __future__ import annotations

from datetime import date

from orders.management.rollup_commands import RollupCheckCommand
from orders.services.sales_rollup import RollupMismatch, sales_rollup_mismatches


class Command(RollupCheckCommand):
    help = (
        "Check that the sales reports' rollup equals a fresh aggregate of the orders (all days, "
        "or with --days N the whole months covering the last N days); exits non-zero on a "
        "difference (repair with rebuild_sales_rollup)."
    )
    failure = (
        "{total} sales rollup row(s) disagree with the orders; run manage.py rebuild_sales_rollup"
    )
    success = "Sales rollup consistent with the orders."

    def mismatches(self, *, day_from: date | None, limit: int) -> tuple[int, list[RollupMismatch]]:
        return sales_rollup_mismatches(day_from=day_from, limit=limit)
