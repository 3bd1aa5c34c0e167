from __future__ import annotations

from datetime import date

from orders.management.rollup_commands import RollupRebuildCommand
from orders.services.sales_rollup import CustomerRebuildResult, customer_rollup_rebuild


class Command(RollupRebuildCommand):
    help = (
        "Recompute the top customers report's rollup from the orders: everything, or with "
        "--days N the whole months covering the last N shop-local days."
    )
    name = "Customer rollup"

    def rebuild(self, *, day_from: date | None) -> CustomerRebuildResult:
        return customer_rollup_rebuild(day_from=day_from)

    def written(self, result: CustomerRebuildResult) -> str:
        return f"{result.days} day rows, {result.months} month rows, {result.windows} window rows"
