"""Client-side pacing of TikTok calls: at most QPS calls in any one second per API per app+shop
in this process (marketplaces.md §3.4: 50 QPS per API per app+shop, HTTP 429 beyond). A call
over the limit waits for its slot; what other processes send is left to the 429 back-off."""

from __future__ import annotations

import re
import threading
import time
from collections import deque

QPS = 50
WINDOW = 1.0
_NUMBERED = re.compile(r"/\d{7,}(?=/|$)")  # ids, not the 6-digit version
_lock = threading.Lock()
_slots: dict[tuple[str, str, str], deque[float]] = {}


def api_name(path: str) -> str:
    """The API a path belongs to: ids in the path are one API (`/products/{id}/...`)."""
    return _NUMBERED.sub("/{id}", path)


def pace(app_key: str, shop: str, path: str, *, qps: int = QPS) -> float:
    """Wait until this call may go out; returns the seconds waited."""
    key = (app_key, shop, api_name(path))
    with _lock:
        now = time.monotonic()
        slots = _slots.setdefault(key, deque())
        while slots and slots[0] <= now - WINDOW:
            slots.popleft()
        slot = now if len(slots) < qps else slots[-qps] + WINDOW
        slots.append(slot)
    wait = slot - now
    if wait > 0:
        time.sleep(wait)
    return max(0.0, wait)
