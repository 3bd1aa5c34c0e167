"""The API reference page's tables, read from the OpenAPI document (orders.api.openapi)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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


def _optional(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """A field that is one schema or null (`"invoice": {...} | null`) as that schema, typed
    "object | null"; any other schema as it is."""
    options = [o for o in schema.get("anyOf", ()) if o.get("type") != "null"]
    if len(options) != 1 or len(schema["anyOf"]) != 2:
        return _resolve(document, schema)
    inner = _resolve(document, options[0])
    merged = {**inner, **{k: v for k, v in schema.items() if k not in ("anyOf", "default")}}
    merged["type"] = [inner.get("type", ""), "null"]
    return merged


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
            child = _optional(document, raw)
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
            if "object" in (child.get("type") or ()):
                walk(child, f"{path}.")
            elif child.get("type") == "array":
                item = _resolve(document, child.get("items", {}))
                if item.get("type") == "object":
                    walk(item, f"{path}[].")

    walk(document["components"]["schemas"][schema_name], "")
    return rows
