"""The order a website sends (POST /api/v1/orders) as pydantic models: the one description
that validates a body into our field errors AND is the request schema of the OpenAPI document
(orders.api.openapi documents `components_schema()` of these models; nothing is written twice).

Pure (no database). Every field is checked by our own function (common.payload_models.Checked)
that raises our error code with a translated message: JSON types, required fields, lengths,
phone numbers, e-mail, addresses and money as exact decimals. What needs the database (SKUs,
the warehouse, amounts that depend on catalogue prices) is orders.services.website_orders.

Where the layers meet: `order_validate` turns a decoded body into OrderIn, the service layer's
frozen dataclass, and only OrderIn crosses into services; orders.api.handlers is the endpoint's
request handler (read, validate, apply, answer). Stored requests re-applied by staff go through
that same handler: OrdersConfig.ready() registers it with
orders.services.website_requests.register_request_handler, so the re-apply service runs this
validation without importing the API package (an import-linter contract forbids it), and the
view passes the same handler when a request arrives. Marketplace and carrier payloads follow
the same approach (common.payload_models).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, cast

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from common.payload_models import PayloadModel, payload_errors, refuse
from common.payloads import FieldError
from orders.api import fields as check
from orders.api.fields import (
    MAX_LENGTH,
    NO_AMOUNT,
    PAYMENT_METHODS,
    Money,
    expected,
    id_is_valid,
)
from orders.api.invoice import Invoice
from orders.errors import CustomerError
from orders.services.customers import AddressInput, address_clean
from orders.services.orders.core import MAX_LINES
from orders.services.website_orders import CustomerIn, ItemIn, OrderIn
from orders.validators import COUNTRIES, shop_country

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
    "invalid_tax_code": gettext_lazy(
        "The tax code does not have its country's form, or its check digit does not match."
    ),
    "unknown_sku": gettext_lazy("No product variant has this SKU."),
    "not_sold": gettext_lazy("The product variant is no longer sold."),
    "too_large": gettext_lazy("A discount is larger than the amount it applies to."),
    "unknown_warehouse": gettext_lazy("No warehouse has this code."),
    "inactive_warehouse": gettext_lazy("The warehouse is inactive."),
    "order_rejected": gettext_lazy("The order breaks a business rule; see the message."),
    "server_error": gettext_lazy("Our server failed; the request is kept, send it again later."),
}


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


# --- The models ----------------------------------------------------------------------------------

_l = gettext_lazy


class Customer(PayloadModel):
    name: Annotated[
        str,
        check.text(MAX_LENGTH["customer.name"], required=True),
        Field(description=_l("The buyer's name.")),
    ]
    phone: Annotated[
        str,
        check.phone(required=True),
        Field(
            description=_l(
                "The buyer's phone, local (0912 345 678) or international "
                "(+84912345678). A customer who already has this number is reused; "
                "otherwise a new customer is created."
            )
        ),
    ]
    email: Annotated[str, check.email(), Field(description=_l("Optional e-mail address."))] = ""


class ShippingAddress(PayloadModel):
    # Fields in the order they are checked (the order of their errors).
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        # A lazy translation, made a str when the document is built (payload_models.plain).
        json_schema_extra={
            "description": cast(
                str,
                _l(
                    "Vietnam: province and ward, the district is optional (2025 two-level "
                    "form). Thailand: province, district, subdistrict (ward) and postcode are "
                    "required."
                ),
            )
        },
    )

    country: Annotated[
        str,
        check.choice(COUNTRIES, upper=True),
        Field(description=_l("Default: the shop's country.")),
    ] = ""
    recipient_name: Annotated[
        str,
        check.text(MAX_LENGTH["recipient_name"]),
        Field(description=_l("Default: the customer's name.")),
    ] = ""
    street: Annotated[
        str,
        check.text(MAX_LENGTH["street"], required=True),
        Field(description=_l("House number and street.")),
    ]
    ward: Annotated[
        str,
        check.text(MAX_LENGTH["ward"], required=True),
        Field(description=_l("Ward or commune (Vietnam), subdistrict (Thailand).")),
    ]
    district: Annotated[
        str,
        check.text(MAX_LENGTH["district"], required_in=("TH",)),
        Field(description=_l("District."), validate_default=True),
    ] = ""
    province: Annotated[
        str,
        check.text(MAX_LENGTH["province"], required=True),
        Field(description=_l("Province or city.")),
    ]
    postcode: Annotated[
        str,
        check.text(MAX_LENGTH["postcode"], required_in=("TH",)),
        Field(description=_l("Postcode (required in Thailand)."), validate_default=True),
    ] = ""
    phone: Annotated[
        str,
        check.phone(),
        Field(description=_l("The recipient's phone; default: the customer's phone.")),
    ] = ""

    def address(self, customer: Customer, country: str) -> AddressInput:
        return AddressInput(
            recipient_name=self.recipient_name or customer.name,
            recipient_phone=self.phone or customer.phone,
            street=self.street,
            ward=self.ward,
            district=self.district,
            province=self.province,
            postcode=self.postcode,
            country=self.country or country,
        )


class OrderItem(PayloadModel):
    sku: Annotated[
        str,
        check.text(MAX_LENGTH["sku"], required=True),
        Field(description=_l("The product's SKU (case does not matter).")),
    ]
    quantity: Annotated[int, check.QUANTITY]
    unit_price: Annotated[
        Money,
        Field(
            description=_l(
                "Price of one unit, VAT included, as sold on your website; default: "
                "the catalogue price."
            )
        ),
    ] = NO_AMOUNT
    discount: Annotated[
        Money, Field(description=_l("Discount on this line as a whole (default 0)."))
    ] = NO_AMOUNT


class OrderRequest(PayloadModel):
    id: Annotated[
        str,
        check.ORDER_ID,
        Field(
            description=_l(
                "Your order id. Sending the same id again never makes a second order: "
                "the answer is 200 with the order already made. A longer id is refused "
                "(too_long), never shortened."
            )
        ),
    ]
    currency: Annotated[
        str, check.choice(None, upper=True), Field(description=_l("Optional; the shop's currency."))
    ] = ""
    customer: Customer
    shipping_address: ShippingAddress
    items: Annotated[
        list[OrderItem],
        Field(
            min_length=1,
            max_length=MAX_LINES,
            description=_l("The products ordered, one entry per line."),
        ),
    ]
    payment_method: Annotated[
        str,
        check.choice(PAYMENT_METHODS, required=True),
        Field(description=_l("How the buyer pays; cod is cash on delivery.")),
    ]
    shipping_fee: Annotated[
        Money, Field(description=_l("What the buyer pays for delivery (default 0)."))
    ] = NO_AMOUNT
    discount: Annotated[
        Money, Field(description=_l("A discount on the whole order (default 0)."))
    ] = NO_AMOUNT
    notes: Annotated[
        str,
        check.text(MAX_LENGTH["notes"]),
        Field(description=_l("A note from the buyer or your shop.")),
    ] = ""
    warehouse: Annotated[
        str,
        check.text(MAX_LENGTH["warehouse"]),
        Field(
            description=_l("Code of the warehouse to ship from; default: the website's warehouse.")
        ),
    ] = ""
    paid_amount: Annotated[
        Money,
        Field(
            description=_l(
                "What the buyer already paid on the website (card, e-wallet, "
                "transfer); recorded as a payment on the order (default 0)."
            )
        ),
    ] = NO_AMOUNT
    payment_reference: Annotated[
        str,
        check.text(MAX_LENGTH["payment_reference"]),
        Field(description=_l("The payment's reference at the payment provider.")),
    ] = ""
    invoice: Annotated[
        Invoice | None,
        Field(
            description=_l(
                "The e-invoice the buyer asks for, checked now. Without it the order takes "
                "the customer's saved invoice details, if any."
            )
        ),
    ] = None

    @field_validator("shipping_address")
    @classmethod
    def _address_fits_its_country(
        cls, value: ShippingAddress, info: ValidationInfo
    ) -> ShippingAddress:
        """The whole address against its country's form, once it and the customer are read
        (the customer's own errors are reported; without it the address cannot be finished)."""
        customer = info.data.get("customer")
        if customer is not None:
            try:
                address_clean(value.address(customer, (info.context or {})["country"]))
            except CustomerError as error:
                raise refuse("invalid_address", str(error)) from None
        return value


# --- Reading a payload ---------------------------------------------------------------------------


def _texts(kind: str, context: dict[str, Any]) -> tuple[str, str]:
    """Our words for what pydantic itself finds (common.payload_models.payload_errors)."""
    if kind == "too_few":
        return "required", _("Send at least one item.")
    if kind == "too_many":
        return "too_many", _("At most %(count)d items per order.") % {
            "count": context["max_length"]
        }
    if kind == "unknown_field":
        return "unknown_field", _("This field is not part of the API; check its spelling.")
    kinds = {"not_object": "object", "not_array": "array", "not_integer": "integer"}
    if kind in kinds:
        return "invalid_type", expected(kinds[kind])
    if kind == "required":
        return "required", _("This field is required.")
    return "invalid_format", str(ERROR_CODES["invalid_format"])


def _country_of(data: Any) -> str:
    """The shipping address's country when it names one we serve, else the shop's: addresses
    and local phone numbers are read in it."""
    shipping = data.get("shipping_address") if isinstance(data, dict) else None
    if isinstance(shipping, dict) and isinstance(shipping.get("country"), str):
        wanted = shipping["country"].strip().upper()
        if wanted in COUNTRIES:
            return wanted
    return shop_country()


def _order_in(request: OrderRequest, *, currency: str, country: str) -> OrderIn:
    items = tuple(
        ItemIn(
            sku=item.sku,
            quantity=item.quantity,
            unit_price=item.unit_price.root,
            discount=item.discount.root or Decimal(0),
        )
        for item in request.items
    )
    customer = request.customer
    return OrderIn(
        external_id=request.id,
        currency=currency,
        customer=CustomerIn(name=customer.name, phone=customer.phone, email=customer.email),
        shipping=request.shipping_address.address(customer, country),
        items=items,
        payment_method=request.payment_method,
        shipping_fee=request.shipping_fee.root or Decimal(0),
        discount=request.discount.root or Decimal(0),
        notes=request.notes,
        warehouse=request.warehouse,
        paid_amount=request.paid_amount.root or Decimal(0),
        payment_reference=request.payment_reference,
        invoice=request.invoice.details() if request.invoice is not None else None,
    )


def order_validate(data: Any, *, currency: str) -> tuple[OrderIn | None, list[FieldError]]:
    """Read a decoded payload (JSON numbers with a fraction as Decimal) into an OrderIn, or
    return every error found (as many as can be found in one pass)."""
    country = _country_of(data)
    try:
        request = OrderRequest.model_validate(
            data, context={"currency": currency, "country": country}
        )
    except ValidationError as error:
        return None, payload_errors(error, OrderRequest, texts=_texts)
    return _order_in(request, currency=currency, country=country), []
