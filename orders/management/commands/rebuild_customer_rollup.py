from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from orders.management.rollup_days import add_days_argument, first_day
from orders.services.sales_rollup import customer_rollup_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the top customers report's rollup from the orders: everything, or with "
        "--days N the whole months covering the last N shop-local days."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_days_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        day_from = first_day(options["days"])
        started = time.monotonic()
        result = customer_rollup_rebuild(day_from=day_from)
        covered = f"from {result.range.first.isoformat()}" if result.range.first else "all days"
        self.stdout.write(
            self.style.SUCCESS(
                f"Customer rollup rebuilt ({covered}): {result.days} day rows, "
                f"{result.months} month rows in {time.monotonic() - started:.1f} s."
            )
        )
