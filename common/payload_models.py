"""Pydantic models as the one description of a JSON payload: they validate it into our field
errors and their JSON Schema is what the API documents.

How a payload is handled, whoever sends it:
  1. the body is read with common.payloads.body_decode (strict JSON, amounts as Decimal, text
     PostgreSQL can store) and kept raw before anything else;
  2. a PayloadModel subclass describes the JSON: its fields, which are required, their limits.
     Validators raise `refuse(code, message)` so every problem carries our stable code and a
     translated sentence; `payload_errors()` turns a pydantic ValidationError into
     FieldErrors at their paths ("items[1].sku") in the order the fields are declared
     (unknown fields first, by name), never pydantic's English messages;
  3. the validated model is converted at once into the frozen dataclass the service takes
     (orders.services.website_orders.OrderIn): services never see a transport model, so the
     same service serves the API, a staff re-apply of a kept body and an import;
  4. the document is built from `components_schema()` of the same models.

The marketplace adapters (channels_sync) and carrier / e-invoice webhooks follow the same
steps: one PayloadModel per platform JSON object (with `extra="ignore"` for a platform's
additions instead of our API's "forbid", set in the subclass's model_config), validated
inside the adapter, converted into the adapter's frozen result dataclass with Decimal money and
aware datetimes, and a ValidationError becomes a payload error whose FieldErrors are the
quarantine reason shown to staff.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.utils.functional import Promise
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.json_schema import GenerateJsonSchema, models_json_schema
from pydantic_core import PydanticCustomError, core_schema

from common.payloads import FieldError


class PayloadModel(BaseModel):
    """A JSON object we receive: unknown fields are errors, the result cannot change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def refuse(code: str, message: str) -> PydanticCustomError:
    """The error a validator raises: our `code` and `message` (already translated)."""
    return PydanticCustomError(code, "{message}", {"message": message})


# What pydantic itself finds, as the kind of problem the app words: (kind, pydantic types).
_KINDS: dict[str, str] = {
    "missing": "required",
    "extra_forbidden": "unknown_field",
    "model_type": "not_object",
    "model_attributes_type": "not_object",
    "dataclass_type": "not_object",
    "dict_type": "not_object",
    "list_type": "not_array",
    "int_type": "not_integer",
    "int_parsing": "not_integer",
    "int_from_float": "not_integer",
    "too_short": "too_few",
    "too_long": "too_many",
}
# Kind -> (code, message): the app's sentences for what pydantic finds; ctx holds "name"
# (the field), "max_length" and "min_length" for lists.
ErrorTexts = Callable[[str, dict[str, Any]], tuple[str, str]]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds (itself, in a list or optional), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        found = _nested_model(argument)
        if found is not None:
            return found
    return None


def _sort_key(model: type[BaseModel], loc: Sequence[int | str], late: bool) -> tuple[Any, ...]:
    """Errors in reading order: at each level unknown fields first (by name), then the fields
    as declared; a `late` error (a check made once every field was read) after those."""
    key: list[tuple[int, Any]] = []
    current: type[BaseModel] | None = model
    for depth, part in enumerate(loc):
        if isinstance(part, int):
            key.append((1, part))
            continue
        fields = current.model_fields if current is not None else {}
        if part not in fields:
            key.append((0, part))
            current = None
            continue
        last = depth == len(loc) - 1
        key.append((2 if late and last else 1, list(fields).index(part)))
        current = _nested_model(fields[part].annotation)
    return tuple(key)


def _path(loc: Sequence[int | str]) -> str | None:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or None


def payload_errors(
    error: ValidationError,
    model: type[BaseModel],
    *,
    texts: ErrorTexts,
    late: Iterable[str] = (),
) -> list[FieldError]:
    """`error` (from validating `model`) as FieldErrors, one per field, in reading order.

    Our validators' errors keep their code and message; pydantic's own are worded by `texts`
    (a wrong type given as null or blank text is "required"). `late` codes sort after every
    field's own errors (see _sort_key)."""
    late_codes = frozenset(late)
    found: list[tuple[tuple[Any, ...], FieldError]] = []
    for detail in error.errors(include_url=False):
        loc = tuple(detail["loc"])
        kind = detail["type"]
        context = dict(detail.get("ctx") or {})
        if "message" in context:  # raised by our validator with refuse()
            code, message = kind, str(context["message"])
        elif kind in _KINDS:
            kind = _KINDS[kind]
            if loc and kind.startswith("not_") and _blank(detail.get("input")):
                kind = "required"
            context["name"] = str(loc[-1]) if loc else ""
            code, message = texts(kind, context)
        else:  # a constraint without our wording: named, never pydantic's sentence
            code, message = texts("invalid", context)
        key = _sort_key(model, loc, code in late_codes)
        found.append((key, FieldError(_path(loc), code, message)))
    return [field_error for _key, field_error in sorted(found, key=lambda pair: pair[0])]


# --- JSON Schema ---------------------------------------------------------------------------------


class _Schema(GenerateJsonSchema):
    """Our documents: no generated titles ("Shipping Fee") beside the descriptions."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def nullable_schema(self, schema: Any) -> dict[str, Any]:
        """`{"type": ["string", "null"]}` rather than an anyOf, where the type is simple."""
        inner = self.generate_inner(schema["schema"])
        if isinstance(inner.get("type"), str):
            return {**inner, "type": [inner["type"], "null"]}
        return super().nullable_schema(schema)


def plain(value: Any) -> Any:
    """`value` with every lazy translation made a str in the active language."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def components_schema(
    models: Sequence[type[BaseModel]], *, ref_prefix: str = "#/components/schemas/"
) -> dict[str, Any]:
    """The JSON Schemas of `models` and of every model they hold, by model name, with
    references as `ref_prefix` + name (OpenAPI components), translated now."""
    _refs, definitions = models_json_schema(
        [(model, "validation") for model in models],
        ref_template=ref_prefix + "{model}",
        schema_generator=_Schema,
    )
    schemas = plain(definitions.get("$defs", {}))
    for schema in schemas.values():
        schema.pop("title", None)
        # A field's default is what an absent field means, said in its description.
        for field in schema.get("properties", {}).values():
            field.pop("default", None)
    return schemas


class Checked:
    """Annotated metadata for a field checked by our own function, documented by a fixed
    JSON Schema: `Annotated[str, Checked(check, {"type": "string"})]`; `check(value,
    context)` gets the validation context (a dict, {} when none) and raises `refuse(...)`."""

    def __init__(self, check: Callable[[Any, dict[str, Any]], Any], schema: dict[str, Any]):
        self.check = check
        self.schema = schema

    def _validate(self, value: Any, info: core_schema.ValidationInfo) -> Any:
        return self.check(value, info.context or {})

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.with_info_plain_validator_function(self._validate)

    def __get_pydantic_json_schema__(self, schema: Any, handler: Any) -> dict[str, Any]:
        return dict(self.schema)
