"""The field shapes the order models share: money in an order's currency."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

MONEY = {"max_digits": 14, "decimal_places": 2}


def money_field(verbose_name: str | object, **kwargs: object) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,  # type: ignore[arg-type]
        default=Decimal("0"),
        **MONEY,  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )
