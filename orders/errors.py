"""Domain errors of the orders app; `str(error)` is a message for the user, in their language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _


class OrderError(Exception):
    """A rule about customers, orders, payments or returns was broken."""


class CustomerError(OrderError):
    """Invalid customer data (name, phone, address, tax code...)."""


class InvalidPhoneNumber(CustomerError):
    pass


class InvalidTaxCode(CustomerError):
    pass


class OrderStateError(OrderError):
    """The order is not (or no longer) in a status that allows the action.

    Also what the loser of two simultaneous actions on one order gets: the first one moved the
    status, the second one's conditional UPDATE matched no row.
    """

    def __init__(self, *, number: str, status_label: str, action: str) -> None:
        self.number = number
        self.status_label = status_label
        self.action = action
        # One whole sentence per action: translations cannot be assembled from fragments.
        messages = {
            "confirm": _("Order %(number)s is %(status)s: it cannot be confirmed."),
            "ship": _("Order %(number)s is %(status)s: it cannot be shipped."),
            "complete": _("Order %(number)s is %(status)s: it cannot be completed."),
            "cancel": _("Order %(number)s is %(status)s: it cannot be cancelled."),
            "return": _("Order %(number)s is %(status)s: it cannot be returned."),
            "edit": _("Order %(number)s is %(status)s: it cannot be edited."),
            "pay": _("Order %(number)s is %(status)s: it cannot be paid."),
        }
        super().__init__(messages[action] % {"number": number, "status": status_label})


@dataclass(frozen=True)
class Shortage:
    """One SKU an order cannot reserve: units the order needs and units available."""

    variant_id: int
    sku: str
    requested: int
    available: int

    @property
    def missing(self) -> int:
        return self.requested - self.available


class OrderStockShort(OrderError):
    """Not enough stock to reserve the order (or the edit); nothing was changed."""

    def __init__(self, *, number: str, warehouse: str, shortages: Sequence[Shortage]) -> None:
        self.number = number
        self.warehouse = warehouse
        self.shortages = tuple(shortages)
        details = "; ".join(
            _("%(sku)s: %(requested)d requested, %(available)d available")
            % {"sku": s.sku, "requested": s.requested, "available": s.available}
            for s in self.shortages
        )
        super().__init__(
            _("Not enough stock in %(warehouse)s for order %(number)s: %(details)s.")
            % {"warehouse": warehouse, "number": number, "details": details}
        )


class ReturnError(OrderError):
    """A return, refund or exchange that the order does not allow."""
