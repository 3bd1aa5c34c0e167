"""Field helpers shared by the inventory models: money columns."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

MONEY = {"max_digits": 14, "decimal_places": 2}


def money_field(verbose_name: str | object, **kwargs: object) -> models.DecimalField:
    """A non-negative money column with 2 decimals, 0 by default (services round to the
    shop currency's precision)."""
    return models.DecimalField(
        verbose_name,  # type: ignore[arg-type]
        validators=[MinValueValidator(Decimal("0"))],
        default=Decimal("0"),
        **MONEY,  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )
