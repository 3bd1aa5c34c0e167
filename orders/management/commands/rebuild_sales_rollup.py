from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from orders.management.rollup_days import add_days_argument, first_day
from orders.services.sales_rollup import sales_rollup_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the sales reports' rollup from the orders: everything, or with --days N the "
        "whole months covering the last N shop-local days."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_days_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        day_from = first_day(options["days"])
        started = time.monotonic()
        result = sales_rollup_rebuild(day_from=day_from)
        covered = f"from {result.range.first.isoformat()}" if result.range.first else "all days"
        self.stdout.write(
            self.style.SUCCESS(
                f"Sales rollup rebuilt ({covered}): {result.days} day rows, {result.months} "
                f"month rows, {result.channel_days} channel rows in "
                f"{time.monotonic() - started:.1f} s."
            )
        )
