"""The OpenAPI 3.1 document of the website API, built from one Python dict.

`openapi_document()` is served as /api/v1/openapi.json and rendered for staff as the API
reference page (orders:api_docs). Descriptions are translated into the active language when
the document is built. The fields mirror orders.api.schema (a test checks both ways).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from common.api_errors import MAX_URI_LENGTH
from orders.api.schema import (
    ADDRESS_REQUIRED,
    CUSTOMER_REQUIRED,
    ERROR_CODES,
    ID_PATTERN,
    ITEM_REQUIRED,
    MAX_LENGTH,
    ORDER_REQUIRED,
    PAYMENT_METHODS,
)
from orders.models import OrderStatus, PaymentStatus
from orders.services.orders.core import MAX_LINES, MAX_QUANTITY
from orders.services.website_api import MAX_BODY_BYTES
from orders.validators import COUNTRIES

VERSION = "1.0.0"

EXAMPLES: dict[str, dict[str, Any]] = {
    "VND": {
        "id": "WEB-10023",
        "customer": {
            "name": "Nguyễn Văn An",
            "phone": "0912 345 678",
            "email": "an.nguyen@example.com",
        },
        "shipping_address": {
            "recipient_name": "Nguyễn Văn An",
            "phone": "0912 345 678",
            "street": "12 Lê Lợi",
            "ward": "Phường Bến Nghé",
            "district": "Quận 1",
            "province": "TP. Hồ Chí Minh",
            "country": "VN",
        },
        "items": [
            {"sku": "AO-DO-M", "quantity": 2, "unit_price": "150000"},
            {"sku": "NON-01", "quantity": 1, "unit_price": "99000", "discount": "9000"},
        ],
        "payment_method": "cod",
        "shipping_fee": "30000",
        "discount": "0",
        "notes": "Giao giờ hành chính",
    },
    "THB": {
        "id": "WEB-10023",
        "customer": {"name": "Somchai Jaidee", "phone": "081-234-5678"},
        "shipping_address": {
            "street": "99/1 Sukhumvit Soi 11",
            "ward": "Khlong Toei Nuea",
            "district": "Watthana",
            "province": "Bangkok",
            "postcode": "10110",
            "country": "TH",
        },
        "items": [{"sku": "TEE-BLK", "quantity": 2, "unit_price": "199.50"}],
        "payment_method": "bank_transfer",
        "shipping_fee": "40",
    },
}
TOTAL_EXAMPLE = {"VND": "420000", "THB": "439.00"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _text(description: str, limit: int, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "maxLength": limit, "description": description, **extra}


def _error_response(description: str, *codes: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": _ref("Errors"),
                "example": {
                    "errors": [
                        {"field": None, "code": code, "message": str(ERROR_CODES[code])}
                        for code in codes
                    ]
                },
            }
        },
    }


def _schemas(currency: str) -> dict[str, Any]:
    moment = {"type": ["string", "null"], "format": "date-time"}
    return {
        "OrderRequest": {
            "type": "object",
            "additionalProperties": False,
            "required": sorted(ORDER_REQUIRED),
            "properties": {
                "id": {
                    "type": ["string", "integer"],
                    "maxLength": MAX_LENGTH["id"],
                    "pattern": ID_PATTERN,
                    "description": _(
                        "Your order id. Sending the same id again never makes a second order: "
                        "the answer is 200 with the order already made. A longer id is refused "
                        "(too_long), never shortened."
                    ),
                },
                "currency": {
                    "type": "string",
                    "enum": [currency],
                    "description": _("Optional; the shop's currency."),
                },
                "customer": _ref("Customer"),
                "shipping_address": _ref("ShippingAddress"),
                "items": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": MAX_LINES,
                    "items": _ref("OrderItem"),
                    "description": _("The products ordered, one entry per line."),
                },
                "payment_method": {
                    "type": "string",
                    "enum": [str(m) for m in PAYMENT_METHODS],
                    "description": _("How the buyer pays; cod is cash on delivery."),
                },
                "shipping_fee": {
                    **_ref("Money"),
                    "description": _("What the buyer pays for delivery (default 0)."),
                },
                "discount": {
                    **_ref("Money"),
                    "description": _("A discount on the whole order (default 0)."),
                },
                "notes": _text(_("A note from the buyer or your shop."), MAX_LENGTH["notes"]),
                "warehouse": _text(
                    _("Code of the warehouse to ship from; default: the website's warehouse."),
                    MAX_LENGTH["warehouse"],
                ),
                "paid_amount": {
                    **_ref("Money"),
                    "description": _(
                        "What the buyer already paid on the website (card, e-wallet, "
                        "transfer); recorded as a payment on the order (default 0)."
                    ),
                },
                "payment_reference": _text(
                    _("The payment's reference at the payment provider."),
                    MAX_LENGTH["payment_reference"],
                ),
            },
        },
        "Customer": {
            "type": "object",
            "additionalProperties": False,
            "required": sorted(CUSTOMER_REQUIRED),
            "properties": {
                "name": _text(_("The buyer's name."), MAX_LENGTH["customer.name"]),
                "phone": _text(
                    _(
                        "The buyer's phone, local (0912 345 678) or international "
                        "(+84912345678). A customer who already has this number is reused; "
                        "otherwise a new customer is created."
                    ),
                    40,
                ),
                "email": _text(
                    _("Optional e-mail address."), MAX_LENGTH["customer.email"], format="email"
                ),
            },
        },
        "ShippingAddress": {
            "type": "object",
            "additionalProperties": False,
            "required": sorted(ADDRESS_REQUIRED),
            "description": _(
                "Vietnam: province and ward, the district is optional (2025 two-level form). "
                "Thailand: province, district, subdistrict (ward) and postcode are required."
            ),
            "properties": {
                "recipient_name": _text(
                    _("Default: the customer's name."), MAX_LENGTH["recipient_name"]
                ),
                "phone": _text(_("The recipient's phone; default: the customer's phone."), 40),
                "street": _text(_("House number and street."), MAX_LENGTH["street"]),
                "ward": _text(
                    _("Ward or commune (Vietnam), subdistrict (Thailand)."), MAX_LENGTH["ward"]
                ),
                "district": _text(_("District."), MAX_LENGTH["district"]),
                "province": _text(_("Province or city."), MAX_LENGTH["province"]),
                "postcode": _text(_("Postcode (required in Thailand)."), MAX_LENGTH["postcode"]),
                "country": {
                    "type": "string",
                    "enum": list(COUNTRIES),
                    "description": _("Default: the shop's country."),
                },
            },
        },
        "OrderItem": {
            "type": "object",
            "additionalProperties": False,
            "required": sorted(ITEM_REQUIRED),
            "properties": {
                "sku": _text(_("The product's SKU (case does not matter)."), MAX_LENGTH["sku"]),
                "quantity": {"type": "integer", "minimum": 1, "maximum": MAX_QUANTITY},
                "unit_price": {
                    **_ref("Money"),
                    "description": _(
                        "Price of one unit, VAT included, as sold on your website; default: "
                        "the catalogue price."
                    ),
                },
                "discount": {
                    **_ref("Money"),
                    "description": _("Discount on this line as a whole (default 0)."),
                },
            },
        },
        "Money": {
            "type": ["string", "integer"],
            "pattern": r"^\d+(\.\d+)?$",
            "minimum": 0,
            "description": _(
                "An amount in the shop's currency (%(currency)s), as a string of digits with "
                'an optional decimal point ("150000", "199.50") or a whole JSON number. JSON '
                "decimal numbers (199.5) are refused: they are not exact."
            )
            % {"currency": currency},
            "examples": [EXAMPLES[currency]["items"][0]["unit_price"]],
        },
        "OrderReceipt": {
            "type": "object",
            "required": ["id", "number", "status", "payment_status", "total", "currency", "url"],
            "properties": {
                "id": {"type": "string", "description": _("Your order id.")},
                "number": {"type": "string", "description": _("Our order number.")},
                "status": {"type": "string", "enum": list(OrderStatus.values)},
                "payment_status": {"type": "string", "enum": list(PaymentStatus.values)},
                "total": {"type": "string", "description": _("The order total, exact.")},
                "currency": {"type": "string"},
                "url": {
                    "type": "string",
                    "format": "uri",
                    "description": _("Where to read the order's status later."),
                },
            },
        },
        "OrderStatus": {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "number": {"type": "string"},
                "status": {"type": "string", "enum": list(OrderStatus.values)},
                "payment_status": {"type": "string", "enum": list(PaymentStatus.values)},
                "total": {"type": "string"},
                "paid": {"type": "string"},
                "refunded": {"type": "string"},
                "currency": {"type": "string"},
                "created_at": moment,
                "updated_at": moment,
                "confirmed_at": moment,
                "shipped_at": moment,
                "completed_at": moment,
                "cancelled_at": moment,
                "returned_at": moment,
                "shipments": {"type": "array", "items": _ref("Shipment")},
            },
        },
        "Shipment": {
            "type": "object",
            "properties": {
                "carrier": {"type": "string"},
                "tracking_number": {"type": "string"},
                "status": {"type": "string"},
                "tracking_url": {"type": ["string", "null"], "format": "uri"},
            },
        },
        "Error": {
            "type": "object",
            "required": ["field", "code", "message"],
            "properties": {
                "field": {
                    "type": ["string", "null"],
                    "description": _(
                        'Path of the field in your payload, e.g. "items[1].sku"; null for the '
                        "request as a whole."
                    ),
                },
                "code": {
                    "type": "string",
                    "oneOf": [
                        {"const": code, "description": str(text)}
                        for code, text in ERROR_CODES.items()
                    ],
                },
                "message": {
                    "type": "string",
                    "description": _(
                        "For people, in the language of Accept-Language (vi, th or en)."
                    ),
                },
            },
        },
        "Errors": {
            "type": "object",
            "required": ["errors"],
            "properties": {"errors": {"type": "array", "items": _ref("Error")}},
        },
    }


# Apps above orders that add endpoints under /api/v1 describe them here (registered in their
# AppConfig.ready()): provider(error_response) -> (paths, schemas).
PathProvider = Callable[[Callable[..., dict[str, Any]]], tuple[dict[str, Any], dict[str, Any]]]
_path_providers: list[PathProvider] = []


def register_api_paths(provider: PathProvider) -> None:
    if provider not in _path_providers:
        _path_providers.append(provider)


def openapi_document(*, server_url: str = "/api/v1", currency: str | None = None) -> dict[str, Any]:
    """The whole document in the active language."""
    currency = currency or settings.SHOP_CURRENCY
    example = EXAMPLES[currency]
    receipt = {
        "id": example["id"],
        "number": "SO000123",
        "status": "new",
        "payment_status": "unpaid",
        "total": TOTAL_EXAMPLE[currency],
        "currency": currency,
        "url": f"{server_url}/orders/{example['id']}",
    }
    keyed: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"apiKeyAuth": []}]
    unauthorized = _error_response(_("Missing or wrong API key."), "unauthorized")
    rate_limited = _error_response(
        _("Too many requests this minute; retry after the Retry-After header's seconds."),
        "rate_limited",
    )
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": _("Website order API"),
            "version": VERSION,
            "description": _(
                "Send your website's orders to the shop and read their status. Every request "
                "needs the website's API key, as Authorization: Bearer <key> or "
                "X-Api-Key: <key>. Bodies are UTF-8 JSON of at most %(size)d KB; text "
                "must not hold NUL (\\u0000) or lone UTF-16 surrogates (invalid_text, at the "
                "field's path). Errors always come as "
                '{"errors": [{"field", "code", "message"}]}, messages in the language of '
                "Accept-Language (vi, th, en), also for addresses that are no endpoint "
                "(404 not_found) and addresses longer than %(uri)d characters (414 uri_too_long)."
            )
            % {"size": MAX_BODY_BYTES // 1024, "uri": MAX_URI_LENGTH},
        },
        "servers": [{"url": server_url}],
        "security": keyed,
        "paths": {
            "/orders": {
                "post": {
                    "operationId": "createOrder",
                    "summary": _("Send an order"),
                    "description": _(
                        "Creates the order (status new) with its customer, found by phone or "
                        "created. Idempotent by id: resending an order answers 200 with the "
                        "order already made, also when two copies arrive at the same moment. "
                        "Every request is kept, so a rejected order can be repaired by the "
                        "shop's staff."
                    ),
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": _ref("OrderRequest"),
                                "example": example,
                            }
                        },
                    },
                    "responses": {
                        "201": {
                            "description": _("The order was created."),
                            "headers": {
                                "Location": {
                                    "description": _("The order's status URL."),
                                    "schema": {"type": "string", "format": "uri"},
                                }
                            },
                            "content": {
                                "application/json": {
                                    "schema": _ref("OrderReceipt"),
                                    "example": receipt,
                                }
                            },
                        },
                        "200": {
                            "description": _(
                                "An order with this id was already received; nothing new was "
                                "created."
                            ),
                            "content": {
                                "application/json": {
                                    "schema": _ref("OrderReceipt"),
                                    "example": receipt,
                                }
                            },
                        },
                        "400": _error_response(_("The body is not JSON."), "invalid_json"),
                        "401": unauthorized,
                        "429": rate_limited,
                        "405": _error_response(_("Only POST."), "method_not_allowed"),
                        "413": _error_response(_("The body is too large."), "payload_too_large"),
                        "422": {
                            "description": _("The order has errors; nothing was created."),
                            "content": {
                                "application/json": {
                                    "schema": _ref("Errors"),
                                    "example": {
                                        "errors": [
                                            {
                                                "field": "items[1].sku",
                                                "code": "unknown_sku",
                                                "message": _("No product has the SKU %(sku)s.")
                                                % {"sku": "NON-99"},
                                            }
                                        ]
                                    },
                                }
                            },
                        },
                        "500": _error_response(_("Our server failed."), "server_error"),
                    },
                }
            },
            "/orders/{id}": {
                "get": {
                    "operationId": "getOrder",
                    "summary": _("Read an order's status"),
                    "description": _(
                        "Status, payment status, amounts, dates and shipments (with tracking "
                        "numbers once shipped) of one of your orders."
                    ),
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "description": _("Your order id."),
                            "schema": {
                                "type": "string",
                                "maxLength": MAX_LENGTH["id"],
                                "pattern": ID_PATTERN,
                            },
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": _("The order."),
                            "content": {
                                "application/json": {
                                    "schema": _ref("OrderStatus"),
                                    "example": {
                                        **{k: v for k, v in receipt.items() if k != "url"},
                                        "paid": "0",
                                        "refunded": "0",
                                        "created_at": "2026-03-01T09:30:00+07:00",
                                        "updated_at": "2026-03-01T09:30:00+07:00",
                                        "confirmed_at": None,
                                        "shipped_at": None,
                                        "completed_at": None,
                                        "cancelled_at": None,
                                        "returned_at": None,
                                        "shipments": [],
                                    },
                                }
                            },
                        },
                        "401": unauthorized,
                        "429": rate_limited,
                        "404": _error_response(_("No such order."), "not_found"),
                        "405": _error_response(_("Only GET."), "method_not_allowed"),
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "getOpenApi",
                    "summary": _("This document"),
                    "security": [],
                    "responses": {
                        "200": {
                            "description": _("The OpenAPI document."),
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": _("Authorization: Bearer <key>"),
                },
                "apiKeyAuth": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-Api-Key",
                    "description": _("X-Api-Key: <key>"),
                },
            },
            "schemas": _schemas(currency),
        },
    }
    for provider in _path_providers:
        paths, schemas = provider(_error_response)
        document["paths"].update(paths)
        document["components"]["schemas"].update(schemas)
    return document


# --- For the staff reference page ---------------------------------------------------------------


@dataclass(frozen=True)
class FieldRow:
    path: str
    types: str
    required: bool
    description: str
    rules: str


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if not ref:
        return schema
    target = document
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return {**target, **{k: v for k, v in schema.items() if k != "$ref"}}


def _types(schema: dict[str, Any]) -> str:
    kind = schema.get("type", "")
    return " | ".join(kind) if isinstance(kind, list) else str(kind)


def _rules(schema: dict[str, Any]) -> str:
    parts = []
    if "enum" in schema:
        parts.append(" | ".join(str(v) for v in schema["enum"]))
    if "maxLength" in schema:
        parts.append(f"≤ {schema['maxLength']}")
    if "minimum" in schema and "maximum" in schema:
        parts.append(f"{schema['minimum']} - {schema['maximum']}")
    if "minItems" in schema and "maxItems" in schema:
        parts.append(f"{schema['minItems']} - {schema['maxItems']}")
    return ", ".join(parts)


def field_rows(document: dict[str, Any], schema_name: str) -> list[FieldRow]:
    """The fields of a schema flattened into rows ("customer.phone", "items[].sku")."""
    rows: list[FieldRow] = []

    def walk(schema: dict[str, Any], prefix: str) -> None:
        required = set(schema.get("required", ()))
        for name, raw in schema.get("properties", {}).items():
            child = _resolve(document, raw)
            path = f"{prefix}{name}"
            rows.append(
                FieldRow(
                    path=path,
                    types=_types(child),
                    required=name in required,
                    description=child.get("description", ""),
                    rules=_rules(child),
                )
            )
            if child.get("type") == "object":
                walk(child, f"{path}.")
            elif child.get("type") == "array":
                item = _resolve(document, child.get("items", {}))
                if item.get("type") == "object":
                    walk(item, f"{path}[].")

    walk(document["components"]["schemas"][schema_name], "")
    return rows
