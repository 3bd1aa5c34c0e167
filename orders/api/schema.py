"""The order a website sends: its fields, and validation into field-level errors.

Pure (no database): JSON types, required fields, lengths, phone numbers, e-mail, addresses and
money as exact decimals. What needs the database (SKUs, the warehouse, amounts that depend on
catalogue prices) is checked by orders.services.website_api, which reports it in the same
format. Every error is a FieldError: `field` is a path into the payload ("items[1].sku",
"customer.phone"; None for the request as a whole), `code` a stable machine-readable word
(ERROR_CODES) and `message` a sentence in the language of the request.

The field sets below are what the validator accepts; orders.api.openapi describes the same
fields and a test checks that the two agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.money import PRECISION
from orders.errors import CustomerError, InvalidPhoneNumber
from orders.models import PaymentMethod
from orders.services.amounts import MAX_AMOUNT
from orders.services.customers import AddressInput, address_clean
from orders.services.orders.core import MAX_LINES, MAX_QUANTITY
from orders.validators import COUNTRIES, phone_normalize, shop_country

# --- What is accepted --------------------------------------------------------------------------

ORDER_FIELDS = frozenset(
    {
        "id",
        "currency",
        "customer",
        "shipping_address",
        "items",
        "payment_method",
        "shipping_fee",
        "discount",
        "notes",
        "warehouse",
        "paid_amount",
        "payment_reference",
    }
)
ORDER_REQUIRED = frozenset({"id", "customer", "shipping_address", "items", "payment_method"})
CUSTOMER_FIELDS = frozenset({"name", "phone", "email"})
CUSTOMER_REQUIRED = frozenset({"name", "phone"})
ADDRESS_FIELDS = frozenset(
    {"recipient_name", "phone", "street", "ward", "district", "province", "postcode", "country"}
)
ADDRESS_REQUIRED = frozenset({"street", "ward", "province"})
ITEM_FIELDS = frozenset({"sku", "quantity", "unit_price", "discount"})
ITEM_REQUIRED = frozenset({"sku", "quantity"})

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
}
# Ids become part of the status URL (/api/v1/orders/<id>): no "/", no spaces, not "." or "..".
ID_PATTERN = r"^[A-Za-z0-9#][A-Za-z0-9._:#-]*$"
_ID = re.compile(ID_PATTERN)
# ASCII digits only: "\\d" and Decimal() would also take "١٢٣" or "๑๒๓" as 123.
_AMOUNT = re.compile(r"^[0-9]{1,15}(\.[0-9]{1,15})?$")
_NEGATIVE = re.compile(r"^-[0-9]+(\.[0-9]+)?$")

# Every code an error may carry, with what it means (shown in the API reference).
ERROR_CODES: dict[str, Any] = {
    "unauthorized": gettext_lazy("The API key is missing, wrong, rotated or its website is off."),
    "method_not_allowed": gettext_lazy("This endpoint does not accept that HTTP method."),
    "rate_limited": gettext_lazy(
        "The website sent more requests this minute than allowed; wait for Retry-After seconds."
    ),
    "payload_too_large": gettext_lazy("The body is larger than 256 KB."),
    "invalid_json": gettext_lazy("The body is not a UTF-8 JSON document."),
    "not_found": gettext_lazy(
        "No order of this website has that id, or there is nothing at that address."
    ),
    "bad_request": gettext_lazy("The request cannot be read (e.g. a wrong Host header)."),
    "uri_too_long": gettext_lazy("The address (path and query) is longer than 2048 characters."),
    "invalid_text": gettext_lazy(
        "The text contains a NUL character or a lone UTF-16 surrogate (\\u0000, \\udc80)."
    ),
    "required": gettext_lazy("A required field is missing, null or empty."),
    "invalid_type": gettext_lazy("The field has the wrong JSON type."),
    "unknown_field": gettext_lazy("The field is not part of the API (check its spelling)."),
    "too_long": gettext_lazy("The text is longer than the field allows."),
    "invalid_format": gettext_lazy("The value does not have the expected form."),
    "invalid_choice": gettext_lazy("The value is not one of the allowed values."),
    "invalid_phone": gettext_lazy("The phone number is not valid."),
    "invalid_email": gettext_lazy("The e-mail address is not valid."),
    "invalid_address": gettext_lazy("The address does not fit its country's address form."),
    "float_not_allowed": gettext_lazy(
        "An amount was sent as a JSON decimal number; send a string or a whole number."
    ),
    "invalid_amount": gettext_lazy("The amount is not a number."),
    "negative": gettext_lazy("The amount is negative."),
    "too_many_decimals": gettext_lazy("The amount has more decimals than the currency allows."),
    "out_of_range": gettext_lazy("The number is too small or too large."),
    "too_many": gettext_lazy("The list has too many entries."),
    "unknown_sku": gettext_lazy("No product variant has this SKU."),
    "not_sold": gettext_lazy("The product variant is no longer sold."),
    "too_large": gettext_lazy("A discount is larger than the amount it applies to."),
    "unknown_warehouse": gettext_lazy("No warehouse has this code."),
    "inactive_warehouse": gettext_lazy("The warehouse is inactive."),
    "order_rejected": gettext_lazy("The order breaks a business rule; see the message."),
    "server_error": gettext_lazy("Our server failed; the request is kept, send it again later."),
}


@dataclass(frozen=True)
class FieldError:
    field: str | None
    code: str
    message: str

    def as_dict(self) -> dict[str, str | None]:
        return {"field": self.field, "code": self.code, "message": self.message}


@dataclass(frozen=True)
class ItemIn:
    sku: str
    quantity: int
    unit_price: Decimal | None  # None: the variant's sale price
    discount: Decimal


@dataclass(frozen=True)
class CustomerIn:
    name: str
    phone: str  # E.164
    email: str  # "" when not sent


@dataclass(frozen=True)
class OrderIn:
    external_id: str
    currency: str
    customer: CustomerIn
    shipping: AddressInput
    items: tuple[ItemIn, ...]
    payment_method: str
    shipping_fee: Decimal
    discount: Decimal
    notes: str
    warehouse: str  # a warehouse code, "" for the website's own
    paid_amount: Decimal = Decimal(0)  # already paid on the website (card, e-wallet, transfer)
    payment_reference: str = ""


def external_id_of(data: Any) -> str:
    """The website's order id when it is a valid one (a string or whole number of at most
    64 allowed characters), else "". Only a valid id is looked up or logged: an id that is
    too long is refused, never cut (its first 64 characters may be another order's id)."""
    if not isinstance(data, dict):
        return ""
    value = data.get("id")
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    text = str(value).strip()
    return text if id_is_valid(text) else ""


def id_is_valid(text: str) -> bool:
    """A website order id as the API accepts it (at most 64 letters, digits and . _ : # -)."""
    return len(text) <= MAX_LENGTH["id"] and _ID.fullmatch(text) is not None


# --- Text that PostgreSQL cannot store ---------------------------------------------------------

# NUL and the UTF-16 surrogates (which JSON can write as "\udc80" but which are no character:
# such text is neither valid UTF-8 nor storable in a text or jsonb column).
_UNSAFE = re.compile("[\x00\ud800-\udfff]")


def escape_text(text: str) -> str:
    """`text` with NUL and lone surrogates written as JSON escapes (\\u0000, \\udc80): safe to
    store and to show."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _unsafe_error(path: str | None, text: str) -> FieldError:
    if "\x00" in text:
        message = _("The text contains a NUL character (\\u0000); remove it.")
    else:
        message = _(
            "The text contains a lone UTF-16 surrogate (such as \\udc80), which is not a "
            "character; send the text as valid Unicode."
        )
    return FieldError(path, "invalid_text", message)


def text_errors(data: Any, path: str | None = None) -> list[FieldError]:
    """An invalid_text error for every string (object key or value) in a decoded JSON document
    that holds NUL or a lone surrogate, at its path ("customer.name", "items[0].sku"; a bad key
    is named with the bad characters escaped)."""
    errors: list[FieldError] = []
    if isinstance(data, str):
        if _UNSAFE.search(data):
            errors.append(_unsafe_error(path, data))
    elif isinstance(data, dict):
        for key, value in data.items():
            key_path = f"{path}.{escape_text(key)}" if path else escape_text(key)
            if _UNSAFE.search(key):
                errors.append(_unsafe_error(key_path, key))
            errors.extend(text_errors(value, key_path))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            errors.extend(text_errors(value, f"{path or ''}[{index}]"))
    return errors


def _expected(kind: str) -> str:
    messages = {
        "object": _("Send a JSON object."),
        "array": _("Send a JSON array."),
        "string": _("Send a text string."),
        "integer": _("Send a whole number."),
        "id": _("Send a text string or a whole number."),
        "money": _('Send the amount as a string such as "150000" or "199.50".'),
    }
    return messages[kind]


class _Checker:
    """Collects FieldErrors while reading a payload."""

    def __init__(self, currency: str) -> None:
        self.currency = currency
        self.errors: list[FieldError] = []

    def error(self, field: str | None, code: str, message: str) -> None:
        self.errors.append(FieldError(field, code, message))

    def obj(self, value: Any, path: str | None, allowed: frozenset[str]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.error(path, "invalid_type", _expected("object"))
            return None
        for key in sorted(set(value) - allowed):
            self.error(
                f"{path}.{key}" if path else key,
                "unknown_field",
                _("This field is not part of the API; check its spelling."),
            )
        return value

    def missing(self, data: dict[str, Any], key: str, path: str) -> bool:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            self.error(path, "required", _("This field is required."))
            return True
        return False

    def text(self, data: dict[str, Any], key: str, path: str, *, required: bool, limit: int) -> str:
        if required and self.missing(data, key, path):
            return ""
        value = data.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.error(path, "invalid_type", _expected("string"))
            return ""
        value = value.strip()
        if len(value) > limit:
            self.error(
                path,
                "too_long",
                _("At most %(limit)d characters are allowed here.") % {"limit": limit},
            )
            return ""
        return value

    def integer(
        self, data: dict[str, Any], key: str, path: str, *, low: int, high: int
    ) -> int | None:
        if self.missing(data, key, path):
            return None
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(path, "invalid_type", _expected("integer"))
            return None
        if not low <= value <= high:
            self.error(
                path,
                "out_of_range",
                _("Send a number from %(low)d to %(high)d.") % {"low": low, "high": high},
            )
            return None
        return value

    def money(self, data: dict[str, Any], key: str, path: str) -> Decimal | None:
        """An amount: a string of digits with an optional decimal point, or a JSON integer.
        None when absent (or null); the error is recorded when invalid."""
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool):
            self.error(path, "invalid_type", _expected("money"))
            return None
        if isinstance(value, Decimal | float):  # a JSON number with a fraction or exponent
            self.error(
                path,
                "float_not_allowed",
                _(
                    'Amounts must not be JSON decimal numbers: send a string such as "199.50" '
                    "or a whole number."
                ),
            )
            return None
        if isinstance(value, int):
            amount = Decimal(value)
        elif isinstance(value, str):
            text = value.strip()
            if _NEGATIVE.match(text):
                self.error(path, "negative", _("The amount cannot be negative."))
                return None
            if not _AMOUNT.match(text):
                self.error(
                    path,
                    "invalid_amount",
                    _(
                        "This is not an amount: use digits and at most one decimal point, "
                        'without thousands separators or currency, e.g. "150000" or "199.50".'
                    ),
                )
                return None
            try:
                amount = Decimal(text)
            except InvalidOperation:  # pragma: no cover - the pattern allows only valid text
                self.error(path, "invalid_amount", _expected("money"))
                return None
        else:
            self.error(path, "invalid_type", _expected("money"))
            return None
        if amount < 0:
            self.error(path, "negative", _("The amount cannot be negative."))
            return None
        places = PRECISION[self.currency]
        # Decimals as written: "30.000" is not thirty thousand dong, and not thirty either.
        written = len(value.strip().partition(".")[2]) if isinstance(value, str) else 0
        if written > places:
            if places == 0:
                message = _(
                    '%(currency)s amounts are whole numbers: send "30000", without a decimal '
                    'point (a "." is never a thousands separator here).'
                ) % {"currency": self.currency}
            else:
                message = _("%(currency)s amounts have at most %(places)d decimals.") % {
                    "currency": self.currency,
                    "places": places,
                }
            self.error(path, "too_many_decimals", message)
            return None
        if amount > MAX_AMOUNT:
            self.error(path, "out_of_range", _("The amount is too large."))
            return None
        return amount

    def choice(
        self,
        data: dict[str, Any],
        key: str,
        path: str,
        choices: tuple[str, ...],
        *,
        required: bool,
        upper: bool = False,
    ) -> str:
        if required and self.missing(data, key, path):
            return ""
        value = data.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.error(path, "invalid_type", _expected("string"))
            return ""
        value = value.strip().upper() if upper else value.strip()
        if value not in choices:
            self.error(
                path,
                "invalid_choice",
                _("Use one of: %(choices)s.") % {"choices": ", ".join(choices)},
            )
            return ""
        return value

    def phone(self, raw: str, path: str, region: str) -> str:
        if not raw:
            return ""
        try:
            return phone_normalize(raw, region=region).e164
        except InvalidPhoneNumber as error:
            self.error(path, "invalid_phone", str(error))
            return ""


def order_validate(data: Any, *, currency: str) -> tuple[OrderIn | None, list[FieldError]]:
    """Read a decoded payload (JSON numbers with a fraction as Decimal) into an OrderIn, or
    return every error found (as many as can be found in one pass)."""
    check = _Checker(currency)
    order = check.obj(data, None, ORDER_FIELDS)
    if order is None:
        return None, check.errors

    external_id = ""
    if not check.missing(order, "id", "id"):
        raw_id = order["id"]
        if isinstance(raw_id, bool) or not isinstance(raw_id, str | int):
            check.error("id", "invalid_type", _expected("id"))
        else:
            external_id = str(raw_id).strip()
            if len(external_id) > MAX_LENGTH["id"]:
                check.error(
                    "id",
                    "too_long",
                    _("At most %(limit)d characters are allowed here.")
                    % {"limit": MAX_LENGTH["id"]},
                )
            elif not _ID.fullmatch(external_id):
                check.error(
                    "id",
                    "invalid_format",
                    _(
                        "Use letters, digits and . _ : # - only, starting with a letter, a digit "
                        "or #."
                    ),
                )

    check.choice(order, "currency", "currency", (currency,), required=False, upper=True)

    # Addresses and local phone numbers are read in the address's country.
    shipping_raw = order.get("shipping_address")
    country = shop_country()
    if isinstance(shipping_raw, dict) and isinstance(shipping_raw.get("country"), str):
        wanted = shipping_raw["country"].strip().upper()
        country = wanted if wanted in COUNTRIES else country

    customer = _customer(check, order, country)
    shipping = _shipping(check, order, country, customer)
    items = _items(check, order)
    payment_method = check.choice(
        order, "payment_method", "payment_method", tuple(PAYMENT_METHODS), required=True
    )
    shipping_fee = check.money(order, "shipping_fee", "shipping_fee")
    discount = check.money(order, "discount", "discount")
    notes = check.text(order, "notes", "notes", required=False, limit=MAX_LENGTH["notes"])
    warehouse = check.text(
        order, "warehouse", "warehouse", required=False, limit=MAX_LENGTH["warehouse"]
    )
    paid_amount = check.money(order, "paid_amount", "paid_amount")
    payment_reference = check.text(
        order,
        "payment_reference",
        "payment_reference",
        required=False,
        limit=MAX_LENGTH["payment_reference"],
    )

    if check.errors or customer is None or shipping is None:
        return None, check.errors
    return (
        OrderIn(
            external_id=external_id,
            currency=currency,
            customer=customer,
            shipping=shipping,
            items=tuple(items),
            payment_method=payment_method,
            shipping_fee=shipping_fee or Decimal(0),
            discount=discount or Decimal(0),
            notes=notes,
            warehouse=warehouse,
            paid_amount=paid_amount or Decimal(0),
            payment_reference=payment_reference,
        ),
        [],
    )


def _customer(check: _Checker, order: dict[str, Any], country: str) -> CustomerIn | None:
    if check.missing(order, "customer", "customer"):
        return None
    data = check.obj(order["customer"], "customer", CUSTOMER_FIELDS)
    if data is None:
        return None
    before = len(check.errors)
    name = check.text(
        data, "name", "customer.name", required=True, limit=MAX_LENGTH["customer.name"]
    )
    phone = check.phone(
        check.text(data, "phone", "customer.phone", required=True, limit=40),
        "customer.phone",
        country,
    )
    email = check.text(
        data, "email", "customer.email", required=False, limit=MAX_LENGTH["customer.email"]
    ).lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            check.error(
                "customer.email",
                "invalid_email",
                _("%(email)s is not an e-mail address.") % {"email": email},
            )
    if len(check.errors) > before:
        return None
    return CustomerIn(name=name, phone=phone, email=email)


def _shipping(
    check: _Checker, order: dict[str, Any], country: str, customer: CustomerIn | None
) -> AddressInput | None:
    path = "shipping_address"
    if check.missing(order, "shipping_address", path):
        return None
    data = check.obj(order["shipping_address"], path, ADDRESS_FIELDS)
    if data is None:
        return None
    before = len(check.errors)
    given_country = check.choice(
        data, "country", f"{path}.country", COUNTRIES, required=False, upper=True
    )
    values = {
        key: check.text(
            data,
            key,
            f"{path}.{key}",
            required=key in ADDRESS_REQUIRED
            or (key == "district" and country == "TH")
            or (key == "postcode" and country == "TH"),
            limit=MAX_LENGTH[key],
        )
        for key in ("recipient_name", "street", "ward", "district", "province", "postcode")
    }
    phone = check.phone(
        check.text(data, "phone", f"{path}.phone", required=False, limit=40),
        f"{path}.phone",
        country,
    )
    if len(check.errors) > before:
        return None
    address = AddressInput(
        recipient_name=values["recipient_name"] or (customer.name if customer else ""),
        recipient_phone=phone or (customer.phone if customer else ""),
        street=values["street"],
        ward=values["ward"],
        district=values["district"],
        province=values["province"],
        postcode=values["postcode"],
        country=given_country or country,
    )
    if customer is None:
        return address  # the customer's errors are reported; the address cannot be finished
    try:
        address_clean(address)
    except CustomerError as error:
        check.error(path, "invalid_address", str(error))
        return None
    return address


def _items(check: _Checker, order: dict[str, Any]) -> list[ItemIn]:
    if check.missing(order, "items", "items"):
        return []
    raw = order["items"]
    if not isinstance(raw, list):
        check.error("items", "invalid_type", _expected("array"))
        return []
    if not raw:
        check.error("items", "required", _("Send at least one item."))
        return []
    if len(raw) > MAX_LINES:
        check.error(
            "items", "too_many", _("At most %(count)d items per order.") % {"count": MAX_LINES}
        )
        return []
    items = []
    for index, entry in enumerate(raw):
        path = f"items[{index}]"
        data = check.obj(entry, path, ITEM_FIELDS)
        if data is None:
            continue
        sku = check.text(data, "sku", f"{path}.sku", required=True, limit=MAX_LENGTH["sku"])
        quantity = check.integer(data, "quantity", f"{path}.quantity", low=1, high=MAX_QUANTITY)
        unit_price = check.money(data, "unit_price", f"{path}.unit_price")
        discount = check.money(data, "discount", f"{path}.discount")
        if sku and quantity is not None:
            items.append(
                ItemIn(
                    sku=sku,
                    quantity=quantity,
                    unit_price=unit_price,
                    discount=discount or Decimal(0),
                )
            )
    return items
