"""The follow-up summary an order carries for its list (written by followups.services only)."""

from __future__ import annotations

from datetime import datetime

from common import markers
from orders.models import Order


def order_followup_summary_set(
    *, order_id: int, state: str, next_contact_at: datetime | None
) -> None:
    """Copy the follow-up thread's state and next contact time onto the order (same
    transaction as the thread's change)."""
    if state not in (markers.STATE_NONE, markers.STATE_OPEN, markers.STATE_FINISHED):
        raise ValueError(f"unknown follow-up state {state!r}")
    Order.objects.filter(pk=order_id).update(followup_state=state, next_contact_at=next_contact_at)
