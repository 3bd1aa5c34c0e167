"""Demand that other apps report for reorder suggestions.

An app above inventory (orders: "units short for open orders") registers a provider in its
`AppConfig.ready()`:

    register_demand_provider(open_orders_shortage)

A provider takes no arguments and returns {variant_id: units_needed}. The units are what the
provider needs bought; reorder suggestions take the sum over providers per variant (see
inventory.selectors.purchasing.reorder_suggestions for how it combines with thresholds).
"""

from __future__ import annotations

from collections.abc import Callable

DemandProvider = Callable[[], dict[int, int]]

_providers: list[DemandProvider] = []


def register_demand_provider(provider: DemandProvider) -> DemandProvider:
    """Add a provider (once; registering the same function again changes nothing).

    Returns the provider, so it can be used as a decorator.
    """
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister_demand_provider(provider: DemandProvider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def demand_by_variant() -> dict[int, int]:
    """Units needed per variant, summed over every registered provider (positive values only)."""
    total: dict[int, int] = {}
    for provider in list(_providers):
        for variant_id, units in provider().items():
            if units > 0:
                total[int(variant_id)] = total.get(int(variant_id), 0) + int(units)
    return total
