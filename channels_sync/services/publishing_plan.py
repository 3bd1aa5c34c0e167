"""Our product as the publishing interface sees it: option axes, variants, text, package size,
and the variation plan for a platform's limits (pure reads; no platform calls)."""

from __future__ import annotations

import re
from typing import Any

from channels_sync.adapters.publishing import (
    OptionAxis,
    PlanMode,
    VariationLimits,
    VariationPlan,
    plan_variations,
)
from channels_sync.models import Publication
from inventory.models import Product

TAGS = re.compile(r"<[^>]+>")


def product_for_publishing(product_id: int) -> Product:
    return Product.objects.prefetch_related("options", "variants", "images").get(pk=product_id)


def axes_and_variants(
    product: Product,
) -> tuple[list[OptionAxis], list[tuple[str, tuple[str, ...]]]]:
    """Our option axes (by position) and each variant as (id, its values on those axes)."""
    options = sorted(product.options.all(), key=lambda o: o.position)
    axes = [OptionAxis(o.name, tuple(str(v) for v in o.values)) for o in options]
    variants = []
    for variant in sorted(product.variants.all(), key=lambda v: v.pk):
        values = (variant.option1, variant.option2, variant.option3)[: len(axes)]
        variants.append((str(variant.pk), tuple(values)))
    return axes, variants


def plan_choice(plan: dict[str, Any]) -> dict[str, Any]:
    """The stored choice as plan_variations keywords ({} = automatic)."""
    mode = plan.get("mode") or ""
    if mode not in {m.value for m in PlanMode}:
        return {}
    merged = plan.get("merged")
    return {
        "mode": PlanMode(mode),
        "merged": tuple(merged) if isinstance(merged, list | tuple) and len(merged) == 2 else None,
        "split_on": plan.get("split_on") if isinstance(plan.get("split_on"), int) else None,
    }


def product_plan(
    product: Product, limits: VariationLimits, choice: dict[str, Any]
) -> VariationPlan:
    axes, variants = axes_and_variants(product)
    return plan_variations(axes=axes, variants=variants, limits=limits, **plan_choice(choice))


def plan_for(publication: Publication, limits: VariationLimits) -> VariationPlan:
    return product_plan(product_for_publishing(publication.product_id), limits, publication.plan)


def draft_text(product: Product, suffix: str) -> tuple[str, str]:
    """(title, plain-text description) for one listing; a split listing's value is appended."""
    title = f"{product.name} {suffix}".strip() if suffix else product.name
    description = TAGS.sub("", product.description or "").strip() or product.name
    return title, description


def package_defaults(product: Product) -> dict[str, int]:
    """Weight and size of the largest variant (one package per listing)."""
    variants = list(product.variants.all())
    return {
        "weight_grams": max((v.weight_grams for v in variants), default=0),
        "length_cm": max((v.length_cm for v in variants), default=0),
        "width_cm": max((v.width_cm for v in variants), default=0),
        "height_cm": max((v.height_cm for v in variants), default=0),
    }
