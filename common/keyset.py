"""Keyset pagination helpers: a page starts at a key (the sort values of a row and its id), so
reading page 20,000 costs what page 1 costs. Nothing here knows an app's models.

A cursor is the key of the row a page continues from, as text in the link:
"<value>~<id>" ("2026-12-07T03:51:17.123456+00:00~812345", "450000.00~17").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import BooleanField, F, Field, Func, Value
from django.db.models.fields import DateTimeField, DecimalField


class RowCompare(Func):
    """(field, ..., id) <op> (value, ..., id): one row-value comparison, which PostgreSQL turns
    into the start of an index range scan (SQLite understands it too)."""

    output_field = BooleanField()
    template = "(%(expressions)s)"

    def __init__(self, fields: Sequence[str], values: Sequence[Value], op: str) -> None:
        if op not in ("<", "<=", ">", ">="):
            raise ValueError(f"not a comparison: {op!r}")
        self.width = len(fields)
        self.op = op
        super().__init__(*[F(name) for name in fields], *values)

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, list[Any]]:
        compiled = [compiler.compile(expression) for expression in self.get_source_expressions()]
        left = ", ".join(sql for sql, _params in compiled[: self.width])
        right = ", ".join(sql for sql, _params in compiled[self.width :])
        params = [param for _sql, group in compiled for param in group]
        return f"({left}) {self.op} ({right})", params


def key_values(fields: Sequence[Field[Any, Any]], key: Sequence[Any]) -> list[Value]:
    """The key as query values typed like their fields (so each backend adapts them)."""
    return [Value(value, output_field=field) for field, value in zip(fields, key, strict=True)]


def cursor_encode(key: Sequence[Any]) -> str:
    """The cursor text of a key (a datetime or Decimal value, then the id)."""
    value, pk = key
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return f"{text}~{pk}"


def cursor_decode(text: str, field: Field[Any, Any]) -> tuple[Any, int] | None:
    """The key of a cursor whose value is of `field`'s type; None when it is not one of ours
    (a hand-edited link is navigation, not input to report)."""
    value_text, _tilde, pk_text = text.rpartition("~")
    if not pk_text.isdigit() or not value_text or len(text) > 100:
        return None
    value: Any
    try:
        if isinstance(field, DateTimeField):
            value = datetime.fromisoformat(value_text)
            if value.tzinfo is None:
                return None
        elif isinstance(field, DecimalField):
            value = Decimal(value_text)
            if not value.is_finite():
                return None
        else:
            return None
    except (ValueError, InvalidOperation):
        return None
    return value, int(pk_text)
