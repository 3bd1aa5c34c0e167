"""The platform's status followed by our order, one orders service per step.

From where our order is to where channels_sync.status_map says it should be, every transition
in between runs in order (new -> processing -> shipped -> completed), so the ledger reads as
if staff had clicked each one: confirm reserves, ship deducts the reserved units, cancel
releases what is reserved. Our order never moves backwards, and a final status (cancelled,
returned) stays.

Oversold: the platform sold it and was paid, but confirming (reserving) is refused because
our stock is short. The order stays new with ChannelOrder.oversold set (the red list); each
later update tries to confirm again before the next step (shipping needs the reservation) and
records in the history when it still cannot. Cancelling clears the flag (nothing is owed).
Flags from the platform (cancel requested, return requested) are recorded on the ChannelOrder
and noted in the order's history once, when they appear; returns themselves are received by
staff through the return flow (no stock moves here).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from channels_sync.models import ChannelOrder
from channels_sync.services.apply_lines import ApplyProblem
from channels_sync.status_map import Target
from orders import transitions as t
from orders.errors import OrderError, OrderStockShort
from orders.models import Order, OrderStatus
from orders.services.orders.edit import order_note_add
from orders.services.orders.transitions import (
    order_cancel,
    order_complete,
    order_confirm,
    order_ship,
)

# The forward path; the action that leaves each status on the way.
FORWARD = (t.NEW, t.PROCESSING, t.SHIPPED, t.COMPLETED)
STEP = {t.NEW: t.CONFIRM, t.PROCESSING: t.SHIP, t.SHIPPED: t.COMPLETE}


@dataclass
class Followed:
    changed: bool = False
    oversold: bool = False
    steps: list[str] = field(default_factory=list)


def status_follow(
    *,
    channel_order: ChannelOrder,
    target: Target,
    platform_status: str,
    cancel_reason: str,
    now: datetime,
) -> Followed:
    """Move channel_order.order towards `target`; update the ChannelOrder's flags in memory
    (the caller saves it). OrderError other than short stock -> ApplyProblem order_refused."""
    order = channel_order.order
    result = Followed()
    platform = channel_order.account.get_platform_display()
    new_status = platform_status != channel_order.platform_status
    try:
        if target.status == t.CANCELLED:
            _cancel(channel_order, order, cancel_reason, platform, new_status, result, now)
        elif order.status in FORWARD and target.status in FORWARD:
            _forward(channel_order, order, target, platform_status, result, now)
        elif target.status in FORWARD and target.status != t.NEW and new_status:
            _note(
                order,
                _("%(platform)s reports this order as %(status)s, but here it is %(ours)s.")
                % {
                    "platform": platform,
                    "status": platform_status,
                    "ours": OrderStatus(order.status).label,
                },
                now,
            )
            result.changed = True
    except OrderError as error:
        raise ApplyProblem(
            "order_refused",
            f"order {order.number}: {error} (platform status {platform_status})",
            message=str(error),
        ) from error
    if order.status != t.NEW and channel_order.oversold:  # reserved (or closed) meanwhile
        channel_order.oversold = False
        result.changed = True
    _flags(channel_order, target, platform, result, now)
    return result


def _cancel(
    channel_order: ChannelOrder,
    order: Order,
    reason: str,
    platform: str,
    new_status: bool,
    result: Followed,
    now: datetime,
) -> None:
    if order.status in (t.NEW, t.PROCESSING):
        order_cancel(
            order_id=order.pk,
            user_id=None,
            reason=reason or _("Cancelled on %(platform)s") % {"platform": platform},
            now=now,
        )
        order.status = t.CANCELLED
        result.steps.append(t.CANCEL)
        result.changed = True
        channel_order.oversold = False
        channel_order.cancel_requested = False
    elif order.status in (t.SHIPPED, t.COMPLETED) and new_status:
        _note(
            order,
            _(
                "Cancelled on %(platform)s after it was shipped: when the parcel comes back, "
                "receive it through a return."
            )
            % {"platform": platform},
            now,
        )
        result.changed = True


def _forward(
    channel_order: ChannelOrder,
    order: Order,
    target: Target,
    platform_status: str,
    result: Followed,
    now: datetime,
) -> None:
    goal = FORWARD.index(target.status)
    while FORWARD.index(order.status) < goal:
        action = STEP[order.status]
        if action == t.CONFIRM:
            if not _confirm(channel_order, order, platform_status, result, now):
                return  # oversold: flagged and noted; the next update tries again
            continue
        if action == t.SHIP:
            order_ship(order_id=order.pk, user_id=None, now=now)
            order.status = t.SHIPPED
        elif action == t.COMPLETE:
            order_complete(order_id=order.pk, user_id=None, now=now)
            order.status = t.COMPLETED
        result.steps.append(action)
        result.changed = True


def _confirm(
    channel_order: ChannelOrder,
    order: Order,
    platform_status: str,
    result: Followed,
    now: datetime,
) -> bool:
    """Reserve the order (new -> processing); on short stock flag it oversold and say so in
    the history (once per platform status), and return False."""
    platform = channel_order.account.get_platform_display()
    try:
        order_confirm(order_id=order.pk, user_id=None, now=now)
    except OrderStockShort as short:
        result.oversold = True
        if not channel_order.oversold or platform_status != channel_order.platform_status:
            _note(
                order,
                _(
                    "%(platform)s reports this order as %(status)s, but our stock cannot cover "
                    "it: %(details)s"
                )
                % {"platform": platform, "status": platform_status, "details": str(short)},
                now,
            )
            result.changed = True
        channel_order.oversold = True
        return False
    order.status = t.PROCESSING
    result.steps.append(t.CONFIRM)
    result.changed = True
    channel_order.oversold = False
    return True


def _flags(
    channel_order: ChannelOrder, target: Target, platform: str, result: Followed, now: datetime
) -> None:
    order = channel_order.order
    closed = order.status in (t.CANCELLED, t.RETURNED)
    wants_cancel = target.cancel_requested and not closed
    if wants_cancel and not channel_order.cancel_requested:
        text = _("The buyer asked %(platform)s to cancel this order.") % {"platform": platform}
        _note(order, text, now)
        result.changed = True
    if wants_cancel != channel_order.cancel_requested:
        channel_order.cancel_requested = wants_cancel
        result.changed = True
    if target.return_requested and not channel_order.return_requested:
        _note(
            order,
            _(
                "The buyer opened a return on %(platform)s: when the parcel arrives, receive it "
                "through a return."
            )
            % {"platform": platform},
            now,
        )
        channel_order.return_requested = True
        result.changed = True


def _note(order: Order, text: str, now: datetime) -> None:
    order_note_add(order_id=order.pk, text=text, user_id=None, now=now)
