"""The OpenAPI 3.1 document of the website API.

`openapi_document()` is served as /api/v1/openapi.json and rendered for staff as the API
reference page (orders:api_docs). Its schemas are not written here: they are the JSON Schemas
of the pydantic models that validate the requests (orders.api.schema) and describe the answers
(orders.api.responses), so the document cannot disagree with the validator. Descriptions are
translated into the active language when the document is built.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from common.api_errors import MAX_URI_LENGTH
from common.payload_models import components_schema
from orders.api.fields import ID_PATTERN, MAX_LENGTH
from orders.api.responses import Errors, OrderReceipt, OrderStatus
from orders.api.schema import ERROR_CODES, OrderRequest
from orders.services.website_requests import MAX_BODY_BYTES

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


def _components(currency: str) -> dict[str, Any]:
    """The models' schemas, with what depends on the shop: its currency, the error codes."""
    schemas = components_schema([OrderRequest, OrderReceipt, OrderStatus, Errors])
    schemas["OrderRequest"]["properties"]["currency"]["enum"] = [currency]
    schemas["Money"]["description"] = _(
        "An amount in the shop's currency (%(currency)s), as a string of digits with "
        'an optional decimal point ("150000", "199.50") or a whole JSON number. JSON '
        "decimal numbers (199.5) are refused: they are not exact."
    ) % {"currency": currency}
    schemas["Money"]["examples"] = [EXAMPLES[currency]["items"][0]["unit_price"]]
    schemas["Error"]["properties"]["code"]["oneOf"] = [
        {"const": code, "description": str(text)} for code, text in ERROR_CODES.items()
    ]
    return schemas


# Apps above orders that add endpoints under /api/v1 describe them here (registered in their
# AppConfig.ready()): provider(error_response) -> (paths, schemas).
PathProvider = Callable[[Callable[..., dict[str, Any]]], tuple[dict[str, Any], dict[str, Any]]]
_path_providers: list[PathProvider] = []


def register_api_paths(provider: PathProvider) -> None:
    if provider not in _path_providers:
        _path_providers.append(provider)


def _info() -> dict[str, Any]:
    return {
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
    }


def _keyed_errors() -> dict[str, Any]:
    """The answers every endpoint with a key may give."""
    return {
        "401": _error_response(_("Missing or wrong API key."), "unauthorized"),
        "429": _error_response(
            _("Too many requests this minute; retry after the Retry-After header's seconds."),
            "rate_limited",
        ),
    }


def _create_order(example: dict[str, Any], receipt: dict[str, Any]) -> dict[str, Any]:
    return {
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
        "responses": _create_order_responses(receipt),
    }


def _create_order_responses(receipt: dict[str, Any]) -> dict[str, Any]:
    keyed = _keyed_errors()
    unauthorized, rate_limited = keyed["401"], keyed["429"]
    return {
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
                "An order with this id was already received; nothing new was created."
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
                                "message": _("No product has the SKU %(sku)s.") % {"sku": "NON-99"},
                            }
                        ]
                    },
                }
            },
        },
        "500": _error_response(_("Our server failed."), "server_error"),
    }


def _read_order(receipt: dict[str, Any]) -> dict[str, Any]:
    keyed = _keyed_errors()
    unauthorized, rate_limited = keyed["401"], keyed["429"]
    return {
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


def _security_schemes() -> dict[str, Any]:
    return {
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
    }


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
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": _info(),
        "servers": [{"url": server_url}],
        "security": [{"bearerAuth": []}, {"apiKeyAuth": []}],
        "paths": {
            "/orders": {"post": _create_order(example, receipt)},
            "/orders/{id}": {"get": _read_order(receipt)},
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
            "securitySchemes": _security_schemes(),
            "schemas": _components(currency),
        },
    }
    for provider in _path_providers:
        paths, schemas = provider(_error_response)
        document["paths"].update(paths)
        document["components"]["schemas"].update(schemas)
    return document
