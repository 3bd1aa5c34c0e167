"""common.payload_models: pydantic errors become our FieldErrors (codes, paths, reading order,
never pydantic's English) and models become OpenAPI component schemas."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from pydantic import Field, ValidationError

from common.payload_models import Checked, PayloadModel, components_schema, payload_errors, refuse


def _code(value: Any, context: dict[str, Any]) -> str:
    if not isinstance(value, str):
        raise refuse("invalid_type", "text please")
    if value != value.upper():
        raise refuse("invalid_format", "capitals please")
    return value


CODE = Checked(_code, {"type": "string", "pattern": "^[A-Z]+$"})


class Line(PayloadModel):
    sku: Annotated[str, CODE]
    quantity: int


class Parcel(PayloadModel):
    code: Annotated[str, CODE, Field(description="The parcel's code.")]
    lines: Annotated[list[Line], Field(min_length=1, max_length=2)]
    note: Annotated[str, CODE] = ""


def _texts(kind: str, context: dict[str, Any]) -> tuple[str, str]:
    return kind, f"{kind}:{context.get('name', '')}"


def _errors(data: Any, **kwargs: Any) -> list[tuple[str | None, str, str]]:
    with pytest.raises(ValidationError) as raised:
        Parcel.model_validate(data)
    found = payload_errors(raised.value, Parcel, texts=_texts, **kwargs)
    return [(e.field, e.code, e.message) for e in found]


def test_errors_come_in_reading_order_with_unknown_fields_first_at_each_level():
    data = {
        "zeta": 1,
        "note": "low",
        "lines": [{"sku": 5, "quantity": 1, "extra": 1}, "x", {"sku": "A"}],
        "alpha": 2,
    }
    assert _errors({**data, "lines": data["lines"][:2]}) == [
        ("alpha", "unknown_field", "unknown_field:alpha"),
        ("zeta", "unknown_field", "unknown_field:zeta"),
        ("code", "required", "required:code"),
        ("lines[0].extra", "unknown_field", "unknown_field:extra"),
        ("lines[0].sku", "invalid_type", "text please"),
        ("lines[1]", "not_object", "not_object:1"),
        ("note", "invalid_format", "capitals please"),
    ]
    assert _errors({"code": "A", "lines": data["lines"]}) == [
        ("lines", "too_many", "too_many:lines")
    ]


def test_null_or_blank_for_an_object_list_or_number_is_required_and_the_root_is_named_none():
    assert _errors({"code": "A", "lines": None}) == [("lines", "required", "required:lines")]
    assert _errors({"code": "A", "lines": [{"sku": "A", "quantity": " "}]}) == [
        ("lines[0].quantity", "required", "required:quantity")
    ]
    assert _errors({"code": "A", "lines": []}) == [("lines", "too_few", "too_few:lines")]
    assert _errors(None) == [(None, "not_object", "not_object:")]


def test_late_codes_follow_every_field_of_their_level():
    data = {"code": "low", "lines": None}
    assert _errors(data) == [
        ("code", "invalid_format", "capitals please"),
        ("lines", "required", "required:lines"),
    ]
    assert _errors(data, late=["invalid_format"]) == [
        ("lines", "required", "required:lines"),
        ("code", "invalid_format", "capitals please"),
    ]


def test_components_are_the_models_schemas_without_titles_or_defaults():
    schemas = components_schema([Parcel])
    assert schemas == {
        "Line": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "sku": {"type": "string", "pattern": "^[A-Z]+$"},
                "quantity": {"type": "integer"},
            },
            "required": ["sku", "quantity"],
        },
        "Parcel": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "code": {
                    "type": "string",
                    "pattern": "^[A-Z]+$",
                    "description": "The parcel's code.",
                },
                "lines": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/Line"},
                    "minItems": 1,
                    "maxItems": 2,
                },
                "note": {"type": "string", "pattern": "^[A-Z]+$"},
            },
            "required": ["code", "lines"],
        },
    }
