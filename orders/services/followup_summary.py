"""The follow-up summary an order carries for its list.

The order stores the summary state of common.markers (summary_state): its follow-up thread's
state, except that a completed, cancelled or returned order with no follow-up recorded is
finished (grey), so the list's marker filters stay ranges on the (followup_state, ...) indexes.
followups.services copies each thread change here; the order services call
order_followup_summary_close when an order closes.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Case, Value, When

from common import markers
from orders import transitions as t
from orders.models import Order

CLOSED_STATUSES = t.CLOSED_STATUSES


def order_followup_summary_set(
    *, order_id: int, state: str, next_contact_at: datetime | None
) -> None:
    """Copy the follow-up thread's state and next contact time onto the order (same
    transaction as the thread's change), as the summary state for the order's status."""
    if state not in (markers.STATE_NONE, markers.STATE_OPEN, markers.STATE_FINISHED):
        raise ValueError(f"unknown follow-up state {state!r}")
    closed_state = markers.summary_state(state=state, closed=True)
    Order.objects.filter(pk=order_id).update(
        followup_state=Case(
            When(status__in=sorted(CLOSED_STATUSES), then=Value(closed_state)),
            default=Value(state),
        ),
        next_contact_at=next_contact_at,
    )


def order_followup_summary_close(*, order_id: int) -> None:
    """The order just closed (completed, cancelled, returned): without a follow-up recorded
    it now reads as finished. An open or finished follow-up is left as it is."""
    Order.objects.filter(
        pk=order_id, status__in=sorted(CLOSED_STATUSES), followup_state=markers.STATE_NONE
    ).update(followup_state=markers.summary_state(state=markers.STATE_NONE, closed=True))
