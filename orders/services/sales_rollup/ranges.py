"""The period a rebuild or a check covers: whole shop-local months."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q

from common.days import day_start
from orders.services.sales_rollup.sql import zone_name


@dataclass(frozen=True)
class RollupRange:
    """Whole shop-local months: [first, last] as days; None: unbounded on that side."""

    first: date | None
    last: date | None

    @property
    def everything(self) -> bool:
        return self.first is None and self.last is None

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """created_at bounds [start, end) of the range, in the shop's time zone."""
        zone = ZoneInfo(zone_name())
        start = end = None
        if self.first is not None:
            start = day_start(self.first, tz=zone)
        if self.last is not None:
            end = day_start(self.last + timedelta(days=1), tz=zone)
        return start, end

    def params(self) -> dict[str, Any]:
        start, end = self.bounds()
        return {
            "tz": zone_name(),
            "start": start,
            "end": end,
            "first": self.first,
            "last": self.last,
        }

    def created_sql(self) -> str:
        """ " AND ..." bounding o.created_at (params: start, end)."""
        sql = " AND o.created_at >= %(start)s" if self.first is not None else ""
        return sql + (" AND o.created_at < %(end)s" if self.last is not None else "")

    def days_sql(self, column: str) -> str:
        """A condition on a date column (params: first, last)."""
        parts = ["TRUE"]
        if self.first is not None:
            parts.append(f"{column} >= %(first)s")
        if self.last is not None:
            parts.append(f"{column} <= %(last)s")
        return " AND ".join(parts)

    def day_q(self, field: str = "day") -> Q:
        condition = Q()
        if self.first is not None:
            condition &= Q(**{f"{field}__gte": self.first})
        if self.last is not None:
            condition &= Q(**{f"{field}__lte": self.last})
        return condition


def rollup_range(*, day_from: date | None = None, day_to: date | None = None) -> RollupRange:
    """The whole months that cover [day_from, day_to] (SalesMonth rows are whole months)."""
    first = day_from.replace(day=1) if day_from is not None else None
    last = None
    if day_to is not None:
        next_month = (day_to.replace(day=28) + timedelta(days=4)).replace(day=1)
        last = next_month - timedelta(days=1)
    return RollupRange(first, last)
