from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orders.management.rollup_days import add_days_argument, first_day
from orders.services.sales_rollup import customer_rollup_mismatches


class Command(BaseCommand):
    help = (
        "Check that the top customers report's rollup equals a fresh aggregate of the orders "
        "(all days, or with --days N the whole months covering the last N days); exits "
        "non-zero on a difference (repair with rebuild_customer_rollup)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_days_argument(parser)
        parser.add_argument("--show", type=int, default=20, help="differences listed per table")

    def handle(self, *args: Any, **options: Any) -> None:
        day_from = first_day(options["days"])
        total, shown = customer_rollup_mismatches(day_from=day_from, limit=options["show"])
        for m in shown:
            self.stderr.write(
                f"{m.table} {m.key}: stored {m.stored or 'missing'}, "
                f"expected {m.expected or 'no row'}"
            )
        if total:
            raise CommandError(
                f"{total} customer rollup row(s) disagree with the orders; "
                "run manage.py rebuild_customer_rollup"
            )
        self.stdout.write(self.style.SUCCESS("Customer rollup consistent with the orders."))
