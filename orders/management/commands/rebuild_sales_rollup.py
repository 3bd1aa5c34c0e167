from __future__ import annotations

from datetime import date

from orders.management.rollup_commands import RollupRebuildCommand
from orders.services.sales_rollup import RebuildResult, sales_rollup_rebuild


class Command(RollupRebuildCommand):
    help = (
        "Recompute the sales reports' rollup from the orders: everything, or with --days N the "
        "whole months covering the last N shop-local days."
    )
    name = "Sales rollup"

    def rebuild(self, *, day_from: date | None) -> RebuildResult:
        return sales_rollup_rebuild(day_from=day_from)

    def written(self, result: RebuildResult) -> str:
        return (
            f"{result.days} day rows, {result.months} month rows, "
            f"{result.channel_days} channel rows"
        )
