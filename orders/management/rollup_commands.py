"""What the rollup commands share: check_sales_rollup / check_customer_rollup compare a rollup
with the orders and exit non-zero on a difference; rebuild_sales_rollup /
rebuild_customer_rollup recompute it. Each command names its rollup and its functions."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orders.management.rollup_days import add_days_argument, first_day
from orders.services.sales_rollup import RollupMismatch


class RollupCheckCommand(BaseCommand):
    """Lists the first differences per table; fails with `failure` (the count formatted in)."""

    failure = ""
    success = ""

    def mismatches(self, *, day_from: date | None, limit: int) -> tuple[int, list[RollupMismatch]]:
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        add_days_argument(parser)
        parser.add_argument("--show", type=int, default=20, help="differences listed per table")

    def handle(self, *args: Any, **options: Any) -> None:
        total, shown = self.mismatches(day_from=first_day(options["days"]), limit=options["show"])
        for m in shown:
            self.stderr.write(
                f"{m.table} {m.key}: stored {m.stored or 'missing'}, "
                f"expected {m.expected or 'no row'}"
            )
        if total:
            raise CommandError(self.failure.format(total=total))
        self.stdout.write(self.style.SUCCESS(self.success))


class RollupRebuildCommand(BaseCommand):
    """Rebuilds, then says "<name> rebuilt (<range>): <rows written> in <seconds> s."."""

    name = ""

    def rebuild(self, *, day_from: date | None) -> Any:
        raise NotImplementedError

    def written(self, result: Any) -> str:
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        add_days_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        result = self.rebuild(day_from=first_day(options["days"]))
        covered = f"from {result.range.first.isoformat()}" if result.range.first else "all days"
        self.stdout.write(
            self.style.SUCCESS(
                f"{self.name} rebuilt ({covered}): {self.written(result)} in "
                f"{time.monotonic() - started:.1f} s."
            )
        )
