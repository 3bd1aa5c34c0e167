"""The values of the website order API's fields, each checked by one function that raises our
error code with a translated message (common.payload_models.refuse) and documented by the JSON
Schema beside it: text, phone numbers, e-mail, choices, the order id, quantities and money as
exact decimals. The models that put them together are orders.api.schema.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from pydantic import RootModel

from common.money import PRECISION
from common.payload_models import Checked, refuse
from orders.errors import InvalidPhoneNumber
from orders.models import PaymentMethod
from orders.services.amounts import MAX_AMOUNT
from orders.services.orders.core import MAX_QUANTITY
from orders.validators import phone_normalize

# Payment methods a website may send (marketplace payouts are not a website's business).
PAYMENT_METHODS = (
    PaymentMethod.COD,
    PaymentMethod.BANK_TRANSFER,
    PaymentMethod.CARD,
    PaymentMethod.CASH,
)
MAX_LENGTH = {
    "id": 64,
    "notes": 2000,
    "warehouse": 20,
    "payment_reference": 120,
    "customer.name": 200,
    "customer.email": 254,
    "recipient_name": 200,
    "street": 255,
    "ward": 100,
    "district": 100,
    "province": 100,
    "postcode": 10,
    "sku": 64,
    "phone": 40,
}
# Ids become part of the status URL (/api/v1/orders/<id>): no "/", no spaces, not "." or "..".
ID_PATTERN = r"^[A-Za-z0-9#][A-Za-z0-9._:#-]*$"
_ID = re.compile(ID_PATTERN)
# ASCII digits only: "\\d" and Decimal() would also take "١٢٣" or "๑๒๓" as 123.
_AMOUNT = re.compile(r"^[0-9]{1,15}(\.[0-9]{1,15})?$")
_NEGATIVE = re.compile(r"^-[0-9]+(\.[0-9]+)?$")


def id_is_valid(text: str) -> bool:
    """A website order id as the API accepts it (at most 64 letters, digits and . _ : # -)."""
    return len(text) <= MAX_LENGTH["id"] and _ID.fullmatch(text) is not None


def expected(kind: str) -> str:
    messages = {
        "object": _("Send a JSON object."),
        "array": _("Send a JSON array."),
        "string": _("Send a text string."),
        "integer": _("Send a whole number."),
        "id": _("Send a text string or a whole number."),
        "money": _('Send the amount as a string such as "150000" or "199.50".'),
    }
    return messages[kind]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _required() -> Exception:
    return refuse("required", _("This field is required."))


def _too_long(limit: int) -> Exception:
    return refuse(
        "too_long", _("At most %(limit)d characters are allowed here.") % {"limit": limit}
    )


def text(limit: int, *, required: bool = False, required_in: tuple[str, ...] = ()) -> Checked:
    """Text of at most `limit` characters, stripped; "" when absent or null. `required_in`:
    countries (of the shipping address) where the field is required."""

    def check(value: Any, context: dict[str, Any]) -> str:
        if _blank(value) and (required or context.get("country") in required_in):
            raise _required()
        if value is None:
            return ""
        if not isinstance(value, str):
            raise refuse("invalid_type", expected("string"))
        if len(value.strip()) > limit:
            raise _too_long(limit)
        return value.strip()

    return Checked(check, {"type": "string", "maxLength": limit})


def phone(*, required: bool = False) -> Checked:
    """A phone number, local or international, read in the address's country: E.164."""
    read = text(MAX_LENGTH["phone"], required=required).check

    def check(value: Any, context: dict[str, Any]) -> str:
        raw = read(value, context)
        if not raw:
            return ""
        try:
            return phone_normalize(raw, region=context.get("country")).e164
        except InvalidPhoneNumber as error:
            raise refuse("invalid_phone", str(error)) from None

    return Checked(check, {"type": "string", "maxLength": MAX_LENGTH["phone"]})


def email() -> Checked:
    limit = MAX_LENGTH["customer.email"]
    read = text(limit).check

    def check(value: Any, context: dict[str, Any]) -> str:
        address = read(value, context).lower()
        if address:
            try:
                validate_email(address)
            except DjangoValidationError:
                message = _("%(email)s is not an e-mail address.") % {"email": address}
                raise refuse("invalid_email", message) from None
        return address

    return Checked(check, {"type": "string", "maxLength": limit, "format": "email"})


def choice(
    choices: tuple[str, ...] | None, *, required: bool = False, upper: bool = False
) -> Checked:
    """One of `choices` (None: the shop's currency, from the validation context)."""

    def check(value: Any, context: dict[str, Any]) -> str:
        if required and _blank(value):
            raise _required()
        if value is None:
            return ""
        if not isinstance(value, str):
            raise refuse("invalid_type", expected("string"))
        allowed = choices if choices is not None else (context["currency"],)
        clean = value.strip().upper() if upper else value.strip()
        if clean not in allowed:
            message = _("Use one of: %(choices)s.") % {"choices": ", ".join(allowed)}
            raise refuse("invalid_choice", message)
        return clean

    schema: dict[str, Any] = {"type": "string"}
    if choices is not None:
        schema["enum"] = [str(c) for c in choices]
    return Checked(check, schema)


def _order_id(value: Any, context: dict[str, Any]) -> str:
    if _blank(value):
        raise _required()
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise refuse("invalid_type", expected("id"))
    clean = str(value).strip()
    if len(clean) > MAX_LENGTH["id"]:
        raise _too_long(MAX_LENGTH["id"])
    if not _ID.fullmatch(clean):
        raise refuse(
            "invalid_format",
            _("Use letters, digits and . _ : # - only, starting with a letter, a digit or #."),
        )
    return clean


ORDER_ID = Checked(
    _order_id,
    {"type": ["string", "integer"], "maxLength": MAX_LENGTH["id"], "pattern": ID_PATTERN},
)


def _quantity(value: Any, context: dict[str, Any]) -> int:
    if _blank(value):
        raise _required()
    if isinstance(value, bool) or not isinstance(value, int):
        raise refuse("invalid_type", expected("integer"))
    if not 1 <= value <= MAX_QUANTITY:
        message = _("Send a number from %(low)d to %(high)d.") % {"low": 1, "high": MAX_QUANTITY}
        raise refuse("out_of_range", message)
    return value


QUANTITY = Checked(_quantity, {"type": "integer", "minimum": 1, "maximum": MAX_QUANTITY})


def _decimals_error(currency: str, places: int) -> Exception:
    if places == 0:
        message = _(
            '%(currency)s amounts are whole numbers: send "30000", without a decimal '
            'point (a "." is never a thousands separator here).'
        ) % {"currency": currency}
    else:
        message = _("%(currency)s amounts have at most %(places)d decimals.") % {
            "currency": currency,
            "places": places,
        }
    return refuse("too_many_decimals", message)


def _amount(value: Any) -> Decimal:
    """A JSON integer or a string of ASCII digits with an optional decimal point."""
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal | float):
        raise refuse("invalid_type", expected("money"))
    if isinstance(value, Decimal | float):  # a JSON number with a fraction or exponent
        raise refuse(
            "float_not_allowed",
            _(
                'Amounts must not be JSON decimal numbers: send a string such as "199.50" '
                "or a whole number."
            ),
        )
    if isinstance(value, int):
        return Decimal(value)
    text = value.strip()
    if _NEGATIVE.match(text):
        raise refuse("negative", _("The amount cannot be negative."))
    if not _AMOUNT.match(text):
        raise refuse(
            "invalid_amount",
            _(
                "This is not an amount: use digits and at most one decimal point, "
                'without thousands separators or currency, e.g. "150000" or "199.50".'
            ),
        )
    return Decimal(text)


def money_parse(value: Any, currency: str) -> Decimal | None:
    """An amount in `currency`, exact; None when absent (null). Raises refuse(...)."""
    if value is None:
        return None
    amount = _amount(value)
    if amount < 0:
        raise refuse("negative", _("The amount cannot be negative."))
    places = PRECISION[currency]
    # Decimals as written: "30.000" is not thirty thousand dong, and not thirty either.
    written = len(value.strip().partition(".")[2]) if isinstance(value, str) else 0
    if written > places:
        raise _decimals_error(currency, places)
    if amount > MAX_AMOUNT:
        raise refuse("out_of_range", _("The amount is too large."))
    return amount


class Money(RootModel[Decimal | None]):
    """An amount in the shop's currency (documented as the component "Money")."""

    root: Annotated[
        Decimal | None,
        Checked(
            lambda value, context: money_parse(value, context.get("currency", "")),
            {"type": ["string", "integer"], "pattern": r"^\d+(\.\d+)?$", "minimum": 0},
        ),
    ]


NO_AMOUNT = Money(None)
