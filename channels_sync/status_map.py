"""How a platform's order status moves our order: plain data, read by the order apply engine
(channels_sync.services) and shown on the Marketplaces help page.

Each platform status maps to a Target: the status our order should reach (by the normal
transitions: confirm reserves, ship deducts, cancel releases, returns go through the return
flow) and flags. Unknown statuses quarantine the payload (reason "unknown_status") instead of
guessing. Shopee's table follows ../shared/api/marketplaces.md §1.5 (a recommendation there).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from orders import transitions as t


@dataclass(frozen=True)
class Target:
    status: str  # one of orders.transitions.STATUSES
    awaiting_payment: bool = False  # not paid yet on the platform: nothing reserved
    cancel_requested: bool = False  # buyer asked to cancel; the platform decides
    return_requested: bool = False  # a return is open on the platform


SHOPEE: Final = MappingProxyType(
    {
        "UNPAID": Target(t.NEW, awaiting_payment=True),
        "PENDING": Target(t.NEW, awaiting_payment=True),
        "INVOICE_PENDING": Target(t.NEW, awaiting_payment=True),
        "READY_TO_SHIP": Target(t.PROCESSING),
        "PROCESSED": Target(t.PROCESSING),
        "RETRY_SHIP": Target(t.PROCESSING),
        "IN_CANCEL": Target(t.PROCESSING, cancel_requested=True),
        "SHIPPED": Target(t.SHIPPED),
        "TO_CONFIRM_RECEIVE": Target(t.SHIPPED),
        "COMPLETED": Target(t.COMPLETED),
        "CANCELLED": Target(t.CANCELLED),
        "TO_RETURN": Target(t.SHIPPED, return_requested=True),
    }
)

# Lazada: status is per order line; channels_sync.adapters.lazada_parse.order_status reduces
# the lines to one of these (marketplaces.md §2.5, a recommendation there). The exception
# statuses (returned, failed delivery, lost, ...) need staff: shipped + return requested.
_LAZADA_EXCEPTION = Target(t.SHIPPED, return_requested=True)
LAZADA: Final = MappingProxyType(
    {
        "unpaid": Target(t.NEW, awaiting_payment=True),
        "pending": Target(t.PROCESSING),
        "topack": Target(t.PROCESSING),
        "repacked": Target(t.PROCESSING),
        "packed": Target(t.PROCESSING),
        "ready_to_ship": Target(t.PROCESSING),
        "toship": Target(t.PROCESSING),
        "shipped": Target(t.SHIPPED),
        "shipping": Target(t.SHIPPED),
        "delivered": Target(t.COMPLETED),
        "canceled": Target(t.CANCELLED),
        **dict.fromkeys(
            (
                "returned",
                "failed",
                "failed_delivery",
                "shipped_back",
                "shipped_back_success",
                "shipped_back_failed",
                "lost",
                "lost_by_3pl",
                "damaged_by_3pl",
                "package_scrapped",
            ),
            _LAZADA_EXCEPTION,
        ),
    }
)

STATUS_MAPS: Final = MappingProxyType({"shopee": SHOPEE, "lazada": LAZADA})


def target_for(platform: str, status: str) -> Target | None:
    """Where `status` on `platform` takes our order; None for a status we do not know."""
    return STATUS_MAPS.get(platform, MappingProxyType({})).get(status)
