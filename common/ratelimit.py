"""A fixed-window request counter in the shared cache (Redis in production).

When the shared cache is unreachable the count falls back to this process's memory: limits
still hold per process (so with N web processes a website may send up to N times its limit
while Redis is down), and no request fails because Redis did. The outage is logged once
(common.cache) and shown on the health page.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.core.cache import cache

from common.cache import CacheUnavailable, cache_errors_raised


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the window resets (0 when allowed)


class _ProcessCounter:
    """Fixed-window counts in this process, for while the shared cache is down."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, int]] = {}  # key -> (bucket, count)

    def hit(self, key: str, bucket: int) -> int:
        with self._lock:
            if len(self._counts) > 10_000:  # keep memory bounded: drop finished windows
                self._counts = {k: v for k, v in self._counts.items() if v[0] >= bucket}
            seen_bucket, count = self._counts.get(key, (bucket, 0))
            count = count + 1 if seen_bucket == bucket else 1
            self._counts[key] = (bucket, count)
            return count


process_counter = _ProcessCounter()


def _shared_hit(cache_key: str, window: int) -> int:
    """Atomic across processes (one round trip on our Redis cache, else cache.add +
    cache.incr); CacheUnavailable when Redis is down."""
    with cache_errors_raised():
        count_in_window = getattr(cache, "count_in_window", None)
        if count_in_window is not None:
            return int(count_in_window(cache_key, window + 5))
        if cache.add(cache_key, 1, timeout=window + 5):
            return 1
        try:
            return int(cache.incr(cache_key))
        except ValueError:  # expired between add and incr: a new window
            cache.set(cache_key, 1, timeout=window + 5)
            return 1


def rate_limit_hit(*, key: str, limit: int, window: int, now: float | None = None) -> Verdict:
    """Count one request for `key` in the current `window`-second window; refuse beyond
    `limit`. Shared by every process through the cache; per process while it is down."""
    now = time.time() if now is None else now
    bucket = int(now // window)
    cache_key = f"ratelimit:{key}:{bucket}"
    try:
        count = _shared_hit(cache_key, window)
    except CacheUnavailable:
        count = process_counter.hit(f"{key}:{window}", bucket)
    if count <= limit:
        return Verdict(True, 0)
    return Verdict(False, max(1, int((bucket + 1) * window - now)))
