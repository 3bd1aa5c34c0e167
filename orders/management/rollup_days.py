"""The --days option the sales rollup commands share (check_sales_rollup, rebuild_sales_rollup)."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone


def add_days_argument(parser: CommandParser) -> None:
    parser.add_argument("--days", type=int, help="only the months covering the last N days")


def first_day(days: int | None, *, today: date | None = None) -> date | None:
    """The first of the last `days` shop-local days up to `today` (default: the shop's today);
    None: no bound, all days."""
    if days is None:
        return None
    if days < 1:
        raise CommandError("--days must be at least 1")
    return (today or timezone.localdate()) - timedelta(days=days - 1)
