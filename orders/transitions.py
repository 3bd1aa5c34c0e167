"""The order status machine as plain data (no database, no Django models).

    new --confirm--> processing --ship--> shipped --complete--> completed
    new, processing --cancel--> cancelled
    shipped, completed --return--> returned      (only once every shipped unit came back;
                                                  a partial return keeps the status)

Each action is one service in orders.services.orders.transitions / orders.services.returns that
moves the status with orders.services.orders.transitions.status_move (a conditional UPDATE, WHERE
status = the expected one), touches stock, writes an OrderEvent and schedules side effects after
commit. The pages show exactly the actions that `allowed_actions(status)` returns. Editing (buyer,
address, lines, quantities) is not a status
change: it is allowed in EDITABLE_STATUSES.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

NEW: Final = "new"
PROCESSING: Final = "processing"
SHIPPED: Final = "shipped"
COMPLETED: Final = "completed"
CANCELLED: Final = "cancelled"
RETURNED: Final = "returned"

STATUSES: Final = (NEW, PROCESSING, SHIPPED, COMPLETED, CANCELLED, RETURNED)

CONFIRM: Final = "confirm"
SHIP: Final = "ship"
COMPLETE: Final = "complete"
CANCEL: Final = "cancel"
RETURN: Final = "return"

ACTIONS: Final = (CONFIRM, SHIP, COMPLETE, CANCEL, RETURN)

# status -> {action: target status}. Statuses without actions are final.
TRANSITIONS: Final = MappingProxyType(
    {
        NEW: MappingProxyType({CONFIRM: PROCESSING, CANCEL: CANCELLED}),
        PROCESSING: MappingProxyType({SHIP: SHIPPED, CANCEL: CANCELLED}),
        SHIPPED: MappingProxyType({COMPLETE: COMPLETED, RETURN: RETURNED}),
        COMPLETED: MappingProxyType({RETURN: RETURNED}),
        CANCELLED: MappingProxyType({}),
        RETURNED: MappingProxyType({}),
    }
)

# Buyer, address, lines, quantities, warehouse, discounts may change in these statuses.
EDITABLE_STATUSES: Final = frozenset({NEW, PROCESSING})
# Statuses whose lines hold a reservation (quantity_reserved == quantity on every line).
RESERVED_STATUSES: Final = frozenset({PROCESSING})
FINAL_STATUSES: Final = frozenset(s for s, actions in TRANSITIONS.items() if not actions)
# The sale is over (nothing left to sell or ship): without a follow-up it reads as finished.
CLOSED_STATUSES: Final = frozenset({COMPLETED, CANCELLED, RETURNED})


def allowed_actions(status: str) -> tuple[str, ...]:
    """The actions an order in `status` offers, in the order of ACTIONS."""
    available: Mapping[str, str] = TRANSITIONS.get(status, {})
    return tuple(action for action in ACTIONS if action in available)


def sources_of(action: str) -> frozenset[str]:
    """The statuses from which `action` is allowed."""
    return frozenset(status for status, actions in TRANSITIONS.items() if action in actions)


def target_of(status: str, action: str) -> str:
    """The status `action` leads to from `status`; KeyError when not allowed."""
    return TRANSITIONS[status][action]


def can(status: str, action: str) -> bool:
    return action in TRANSITIONS.get(status, {})
