"""The three rollup tables as data: their key and figure columns and the date column that
bounds a range. The keeping in Python, the rebuild and the check all read them from here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from orders.models import SalesDay, SalesDayChannel, SalesMonth


@dataclass(frozen=True)
class Table:
    name: str  # as in RollupMismatch.table
    model: Any  # SalesDay, SalesMonth or SalesDayChannel
    keys: tuple[str, ...]
    figures: tuple[str, ...]
    period: str  # the date field of the key

    @property
    def db_table(self) -> str:
        return str(self.model._meta.db_table)


DAYS = Table(
    "day",
    SalesDay,
    ("day", "variant_id", "channel", "warehouse_id", "currency"),
    ("units", "net_revenue", "vat", "cost"),
    "day",
)
MONTHS = Table("month", SalesMonth, ("month", "variant_id", "currency"), DAYS.figures, "month")
CHANNELS = Table(
    "channel",
    SalesDayChannel,
    ("day", "channel", "warehouse_id", "currency"),
    ("orders", "net_revenue", "shipping_fee"),
    "day",
)
TABLES = (DAYS, MONTHS, CHANNELS)
