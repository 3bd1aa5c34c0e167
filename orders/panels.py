"""Panels that apps above orders add to the order and customer pages (e.g. follow-ups).

orders may not import those apps, so they register a provider in their AppConfig.ready():
`register_panel(provider)`, where provider(kind, pk, user) returns a Panel or None (None: not
for this user). The page renders each panel as a section that loads its URL with htmx, outside
the parts the page re-renders after an action, so what staff type there is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["order", "customer"]


@dataclass(frozen=True)
class Panel:
    key: str  # the section's id: "panel-<key>"
    url: str


Provider = Callable[[Kind, int, Any], Panel | None]
_providers: list[Provider] = []


def register_panel(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def panels_for(kind: Kind, pk: int, user: Any) -> list[Panel]:
    return [panel for provider in _providers if (panel := provider(kind, pk, user)) is not None]
