"""The tools as an LLM engine sees them: name -> (function, JSON schema), and run_tool, which
checks the arguments a model sent against the schema before calling the function (a model's
arguments are data: a wrong one is a refused call, never an exception)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant import drafts, tools
from assistant.engine import ToolResult
from assistant.tools import ToolContext, ToolFunction


@dataclass(frozen=True)
class Tool:
    name: str
    function: ToolFunction
    description: str
    parameters: dict[str, Any]

    def schema(self) -> dict[str, Any]:
        """The chat-completions `tools` entry."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


_STR = {"type": "string"}
_ITEMS = {
    "type": "array",
    "items": _object(
        {"sku": _STR, "quantity": {"type": "integer", "minimum": 1}}, ["sku", "quantity"]
    ),
}

TOOLS: dict[str, Tool] = {
    tool.name: tool
    for tool in (
        Tool(
            "search_products",
            tools.search_products,
            "Find products by name, SKU or option values (any language, with or without "
            "diacritics). Returns SKU, name, price and units available now.",
            _object({"query": _STR, "limit": {"type": "integer", "minimum": 1}}, ["query"]),
        ),
        Tool(
            "variant_price_stock",
            tools.variant_price_stock,
            "The price and the units available now of one SKU.",
            _object({"sku": _STR}, ["sku"]),
        ),
        Tool(
            "order_status",
            tools.order_status,
            "An order's status; needs the order number AND the phone number on the order.",
            _object({"order_number": _STR, "phone": _STR}, ["order_number", "phone"]),
        ),
        Tool(
            "shipping_fee_estimate",
            tools.shipping_fee_estimate,
            "The shipping fee to a province (carrier quote or the shop's flat rule).",
            _object(
                {
                    "province": _STR,
                    "district": _STR,
                    "ward": _STR,
                    "weight_grams": {"type": "integer", "minimum": 1},
                    "goods_value": _STR,
                },
                ["province"],
            ),
        ),
        Tool(
            "prepare_draft_order",
            drafts.draft_read_back,
            "Price a purchase and get the read-back (items, quantities, prices, shipping fee, "
            "total, address, phone) to show the customer, with a confirmation token.",
            _object(
                {
                    "items": _ITEMS,
                    "name": _STR,
                    "phone": _STR,
                    "street": _STR,
                    "ward": _STR,
                    "district": _STR,
                    "province": _STR,
                    "postcode": _STR,
                },
                ["items", "name", "phone", "street", "ward", "province"],
            ),
        ),
        Tool(
            "create_draft_order",
            drafts.draft_order_create,
            "Create the draft order, only after the customer said yes to the read-back in a "
            "later message; pass the token of prepare_draft_order.",
            _object({"token": _STR}, ["token"]),
        ),
        Tool(
            "request_call_back",
            tools.request_call_back,
            "Ask staff to call the customer back.",
            _object({"name": _STR, "phone": _STR, "note": _STR}, ["name", "phone"]),
        ),
    )
}

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "array": (list,),
    "object": (dict,),
}


def _as_any(value: Any) -> Any:
    return value


def _valid(value: Any, schema: dict[str, Any]) -> bool:
    kind = schema.get("type", "string")
    if isinstance(value, bool) or not isinstance(value, _TYPES[kind]):
        return False
    value = _as_any(value)
    if kind == "integer" and value < schema.get("minimum", value):
        return False
    if kind == "array":
        return all(_valid(item, schema["items"]) for item in value)
    if kind == "object":
        props = schema["properties"]
        if set(value) - set(props) or set(schema.get("required", ())) - set(value):
            return False
        return all(_valid(value[key], props[key]) for key in value)
    return True


def run_tool(ctx: ToolContext, name: str, arguments: Any) -> ToolResult:
    """Call tool `name` with a model's arguments; an unknown tool or arguments not matching its
    schema give a refused result (`error` "unknown_tool" / "bad_arguments")."""
    tool = TOOLS.get(name)
    if tool is None:
        return ToolResult(name, {}, False, {"error": "unknown_tool"})
    if not isinstance(arguments, dict) or not _valid(arguments, tool.parameters):
        safe = arguments if isinstance(arguments, dict) else {}
        return ToolResult(name, safe, False, {"error": "bad_arguments"})
    return tool.function(ctx, **arguments)
