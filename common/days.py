"""Shop-local days as aware instants (the shop's time zone is the current one)."""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo

from django.utils import timezone


def day_start(day: date, *, tz: tzinfo | None = None) -> datetime:
    """The aware instant `day` begins: shop-local midnight (or midnight in `tz`)."""
    return datetime.combine(day, time.min, tzinfo=tz or timezone.get_current_timezone())
