"""Failed-login throttling, kept in the shared cache (Redis in production).

Two counters per failed attempt: one for (username, client address) and one for the address
alone. Either reaching its limit locks further attempts until LOGIN_LOCKOUT_SECONDS after the
last failure; a correct password does not get through a lock, so guessing cannot go on.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address, trusting X-Forwarded-For only for the configured proxy hops."""
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        chain = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(chain) >= hops:
            return chain[-hops]
    return str(request.META.get("REMOTE_ADDR", "") or "unknown")


def _keys(username: str, address: str) -> tuple[str, str]:
    user_digest = hashlib.sha256(f"{username.strip().lower()}|{address}".encode()).hexdigest()
    return f"login-fail:u:{user_digest[:32]}", f"login-fail:ip:{address}"


def is_locked(*, username: str, address: str) -> bool:
    user_key, ip_key = _keys(username, address)
    counts = cache.get_many([user_key, ip_key])
    return (
        counts.get(user_key, 0) >= settings.LOGIN_FAILURE_LIMIT
        or counts.get(ip_key, 0) >= settings.LOGIN_IP_FAILURE_LIMIT
    )


def _incr(key: str) -> None:
    """Count one failure; the window restarts at every failure (a lock lasts from the last one)."""
    timeout = settings.LOGIN_LOCKOUT_SECONDS
    if cache.add(key, 1, timeout=timeout):  # atomic: the first failure creates the counter
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=timeout)
    cache.touch(key, timeout=timeout)


def record_failure(*, username: str, address: str) -> None:
    for key in _keys(username, address):
        _incr(key)


def reset(*, username: str, address: str) -> None:
    cache.delete(_keys(username, address)[0])
