from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from orders.services.sales_rollup import sales_rollup_mismatches


class Command(BaseCommand):
    help = (
        "Check that the sales reports' rollup equals a fresh aggregate of the orders (all days, "
        "or with --days N the whole months covering the last N days); exits non-zero on a "
        "difference (repair with rebuild_sales_rollup)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, help="only the months covering the last N days")
        parser.add_argument("--show", type=int, default=20, help="differences listed per table")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        day_from = None
        if days is not None:
            if days < 1:
                raise CommandError("--days must be at least 1")
            day_from = timezone.localdate() - timedelta(days=days - 1)
        total, shown = sales_rollup_mismatches(day_from=day_from, limit=options["show"])
        for m in shown:
            self.stderr.write(
                f"{m.table} {m.key}: stored {m.stored or 'missing'}, "
                f"expected {m.expected or 'no row'}"
            )
        if total:
            raise CommandError(
                f"{total} sales rollup row(s) disagree with the orders; "
                "run manage.py rebuild_sales_rollup"
            )
        self.stdout.write(self.style.SUCCESS("Sales rollup consistent with the orders."))
