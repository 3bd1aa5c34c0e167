"""A fixed-window request counter in the shared cache (Redis in production)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the window resets (0 when allowed)


def rate_limit_hit(*, key: str, limit: int, window: int, now: float | None = None) -> Verdict:
    """Count one request for `key` in the current `window`-second window; refuse beyond
    `limit`. Atomic across processes (cache.add + cache.incr)."""
    now = time.time() if now is None else now
    bucket = int(now // window)
    cache_key = f"ratelimit:{key}:{bucket}"
    if cache.add(cache_key, 1, timeout=window + 5):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr: a new window
            cache.set(cache_key, 1, timeout=window + 5)
            count = 1
    if count <= limit:
        return Verdict(True, 0)
    return Verdict(False, max(1, int((bucket + 1) * window - now)))
