from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from inventory.selectors.stock import ledger_mismatches


class Command(BaseCommand):
    help = "Check that every stock level equals the sum of its ledger movements."

    def handle(self, *args: Any, **options: Any) -> None:
        mismatches = ledger_mismatches()
        for m in mismatches:
            self.stderr.write(
                f"variant {m.variant_id} warehouse {m.warehouse_id}: "
                f"on_hand {m.on_hand} vs ledger {m.on_hand_from_ledger}, "
                f"reserved {m.reserved} vs ledger {m.reserved_from_ledger}"
            )
        if mismatches:
            raise CommandError(f"{len(mismatches)} stock level(s) disagree with the ledger")
        self.stdout.write(self.style.SUCCESS("Stock ledger consistent."))
