"""PLACEHOLDER on branch h-stock only: the apply engineer writes the real module (h-apply).

Only the pinned signature the listings services call, so they can be written and tested before
h-apply is merged; the merge replaces this file with the real one.
"""

from __future__ import annotations


def payloads_reapply_for_sku(*, account_id: int, seller_sku: str, user_id: int | None) -> int:
    """Re-apply the shop's payloads quarantined for `seller_sku`; how many were applied."""
    return 0
