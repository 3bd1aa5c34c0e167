from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from orders.services.sales_rollup import sales_rollup_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the sales reports' rollup from the orders: everything, or with --days N the "
        "whole months covering the last N shop-local days."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, help="only the months covering the last N days")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        day_from = None
        if days is not None:
            if days < 1:
                raise CommandError("--days must be at least 1")
            day_from = timezone.localdate() - timedelta(days=days - 1)
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
