"""Cutting a time span into windows, for listings that one paging cannot reach to the end
(Lazada's offset cap, TikTok's 10,000 search results): see lazada_walk, tiktok_listing."""

from __future__ import annotations

from datetime import datetime, timedelta

FILL = 0.8  # a window is cut to hold about this share of what one listing reaches


def parts_for(total: int, reach: int) -> int:
    """How many windows `total` results should be cut into (at least 2)."""
    return max(2, -(-total // max(1, int(reach * FILL))))


def cut(start: datetime, stop: datetime, parts: int) -> list[tuple[datetime, datetime]]:
    """[start, stop) in `parts` (>= 2, at most one per second) windows of whole seconds, in
    order."""
    seconds = int((stop - start).total_seconds())
    parts = max(2, min(parts, seconds))
    edges = [start + timedelta(seconds=seconds * n // parts) for n in range(parts + 1)]
    return [(edges[n], edges[n + 1]) for n in range(parts)]
