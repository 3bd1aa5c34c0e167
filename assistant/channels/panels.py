"""The customer page's "Chat conversations" panel (orders.panels registry)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from orders.panels import Kind, Panel


def customer_conversations_panel(kind: Kind, pk: int, user: Any) -> Panel | None:
    if kind != "customer" or not user.has_perm("assistant_channels.answer_conversations"):
        return None
    return Panel(
        key="assistant-conversations",
        url=reverse("assistant_channels:customer_panel", args=[pk]),
    )
