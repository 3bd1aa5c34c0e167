"""The "Promotions & holds" list of a shop's page: upcoming and active holds (soonest start
first), then the most recent ended ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from channels_sync.models import HoldStatus, StockHold

ENDED_SHOWN = 20


@dataclass(frozen=True)
class HoldRow:
    hold: StockHold
    state: str  # "upcoming", "active" or "ended" at `now` (the times decide, not the sweep)


def _state(hold: StockHold, now: datetime) -> str:
    if hold.status == HoldStatus.ENDED or (hold.ends_at is not None and hold.ends_at <= now):
        return "ended"
    return "upcoming" if hold.starts_at > now else "active"


def holds_for_shop(*, account_id: int, now: datetime) -> list[HoldRow]:
    base = StockHold.objects.filter(account_id=account_id).select_related(
        "variant", "variant__product"
    )
    current = base.filter(~Q(status=HoldStatus.ENDED)).order_by("starts_at", "pk")
    ended = base.filter(status=HoldStatus.ENDED).order_by("-ended_at", "-pk")[:ENDED_SHOWN]
    rows = [HoldRow(h, _state(h, now)) for h in current]
    order = {"active": 0, "upcoming": 1, "ended": 2}
    rows.sort(key=lambda r: order[r.state])  # stable: soonest start first within a state
    return rows + [HoldRow(h, "ended") for h in ended]
