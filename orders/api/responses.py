"""What the website order API answers, as pydantic models: the OpenAPI document's response
schemas (orders.api.openapi) and what the tests check real answers against. The answers
themselves are built by orders.api.handlers (the receipt) and orders.api.selectors (the
status); error bodies by common.api_errors.
"""

from __future__ import annotations

from typing import Annotated

from django.utils.translation import gettext_lazy as _l
from pydantic import BaseModel, Field

from orders.models import OrderStatus as Status
from orders.models import PaymentStatus

_STATUS = Field(json_schema_extra={"enum": list(Status.values)})
_PAYMENT_STATUS = Field(json_schema_extra={"enum": list(PaymentStatus.values)})
_MOMENT = Field(json_schema_extra={"format": "date-time"})
Moment = Annotated[str | None, _MOMENT]


class OrderReceipt(BaseModel):
    id: Annotated[str, Field(description=_l("Your order id."))]
    number: Annotated[str, Field(description=_l("Our order number."))]
    status: Annotated[str, _STATUS]
    payment_status: Annotated[str, _PAYMENT_STATUS]
    total: Annotated[str, Field(description=_l("The order total, exact."))]
    currency: str
    url: Annotated[
        str,
        Field(
            description=_l("Where to read the order's status later."),
            json_schema_extra={"format": "uri"},
        ),
    ]


class Shipment(BaseModel):
    carrier: str
    tracking_number: str
    status: str
    tracking_url: Annotated[str | None, Field(json_schema_extra={"format": "uri"})]


class OrderStatus(BaseModel):
    id: str
    number: str
    status: Annotated[str, _STATUS]
    payment_status: Annotated[str, _PAYMENT_STATUS]
    total: str
    paid: str
    refunded: str
    currency: str
    created_at: Moment
    updated_at: Moment
    confirmed_at: Moment
    shipped_at: Moment
    completed_at: Moment
    cancelled_at: Moment
    returned_at: Moment
    shipments: list[Shipment]


class Error(BaseModel):
    field: Annotated[
        str | None,
        Field(
            description=_l(
                'Path of the field in your payload, e.g. "items[1].sku"; null for the '
                "request as a whole."
            )
        ),
    ]
    # The codes and their meanings are added to the document (orders.api.schema.ERROR_CODES).
    code: str
    message: Annotated[
        str,
        Field(description=_l("For people, in the language of Accept-Language (vi, th or en).")),
    ]


class Errors(BaseModel):
    errors: list[Error]
