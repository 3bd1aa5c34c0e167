"""Domain errors of the shipping app; `str(error)` is a message for staff, in their language.
Carrier errors (shipping.adapters.base) are turned into these by `carrier_error_text`."""

from __future__ import annotations

from django.utils.translation import gettext as _

from shipping.adapters.base import (
    AddressError,
    AuthError,
    CarrierError,
    PayloadError,
    RateLimited,
    TransientError,
)


class ShippingError(Exception):
    """A shipping rule was broken or the carrier refused; the message is for staff."""


class ShippingAddressError(ShippingError):
    """An address the carrier cannot resolve. `field` is ours: "province", "district", "ward",
    "address", "phone", "name"; `side` is "receiver" or "sender"."""

    def __init__(self, message: str, *, field: str, side: str = "receiver") -> None:
        super().__init__(message)
        self.field = field
        self.side = side


class CarrierUnavailable(ShippingError):
    """The carrier did not answer (network, timeout, busy): the same request may be retried."""


def field_label(field: str) -> str:
    labels = {
        "province": _("province"),
        "district": _("district"),
        "ward": _("ward"),
        "address": _("street address"),
        "phone": _("phone"),
        "name": _("name"),
    }
    return labels.get(field, field)


def address_error(field: str, value: str, *, side: str = "receiver") -> ShippingAddressError:
    if side == "sender":
        text = _("The carrier does not know the sender's %(field)s “%(value)s”.")
    else:
        text = _("The carrier does not know the %(field)s “%(value)s”.")
    return ShippingAddressError(
        text % {"field": field_label(field), "value": value}, field=field, side=side
    )


def carrier_error_text(error: CarrierError) -> str:
    """A carrier error as a sentence for staff."""
    if isinstance(error, RateLimited):
        return _("The carrier asks us to slow down. Try again in a minute.")
    if isinstance(error, TransientError):
        return _("The carrier did not answer. Try again: no second parcel will be created.")
    if isinstance(error, AuthError):
        return _("The carrier refused the account's credentials. Check the token or password.")
    if isinstance(error, AddressError):
        return _("The carrier refused the %(field)s: %(message)s") % {
            "field": field_label(error.field),
            "message": error.message or error.code,
        }
    if isinstance(error, PayloadError):
        return _("The carrier's answer could not be read (%(code)s).") % {"code": error.code}
    return _("The carrier refused: %(message)s") % {"message": error.message or error.code}


def shipping_error(error: CarrierError) -> ShippingError:
    """The domain error for a carrier error (AddressError keeps its field)."""
    if isinstance(error, AddressError):
        return ShippingAddressError(carrier_error_text(error), field=error.field, side=error.side)
    if isinstance(error, TransientError):
        return CarrierUnavailable(carrier_error_text(error))
    return ShippingError(carrier_error_text(error))
