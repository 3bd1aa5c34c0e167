"""Failed sign-in throttling, shared by every way in: django-axes at the authentication backend.

`axes.backends.AxesStandaloneBackend` is the first authentication backend, so /login/, the
maintenance (admin) login and any `django.contrib.auth.authenticate(request, ...)` pass through
the same check, and every failure they report (`user_login_failed`) is counted the same way.
Counters are rows of `axes.AccessAttempt` in PostgreSQL (one per username, address and browser),
so a Redis outage neither breaks sign-in nor forgets a lock.

Two limits, as settings (read at each check, so tests may override them):
- LOGIN_FAILURE_LIMIT failures for one username from one address, and
- LOGIN_IP_FAILURE_LIMIT failures from one address whatever the usernames;
either locks that username (or the whole address) for LOGIN_LOCKOUT_SECONDS after the last
counted failure. A correct password does not get through a lock, and attempts refused by the
lock are not counted (the lock is not lengthened by them). A successful sign-in forgets that
username's failures from that address; the address's failures on other usernames stay.

This module holds what settings.py points django-axes at (AXES_*): the client address, the
username as counted, the limits, the handler and the locked page.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from crm.forms import LoginForm

USERNAME_MAX_LENGTH = 150


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """The client's address, trusting X-Forwarded-For only for the configured proxy hops
    (TRUSTED_PROXY_COUNT: each proxy appends the address it saw, so the client is the
    TRUSTED_PROXY_COUNT-th entry from the right). None when no valid address is known."""
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        chain = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(chain) >= hops:
            return _address(chain[-hops])
    return _address(str(request.META.get("REMOTE_ADDR") or ""))


def username_of(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """The username as counted: stripped and lower-cased, so "Lan " and "lan" share a counter."""
    if credentials:
        value = credentials.get("username")
    else:
        value = request.POST.get("username") if request is not None else None
    text = str(value or "").replace("\x00", "").strip().lower()
    return text[:USERNAME_MAX_LENGTH]


def failure_limit(request: HttpRequest | None = None, credentials: Any = None) -> int:
    return int(settings.LOGIN_FAILURE_LIMIT)


def cool_off(request: HttpRequest | None = None) -> timedelta:
    return timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)


class LoginLockHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit per lockout parameter set.

    AXES_LOCKOUT_PARAMETERS is [["username", "ip_address"], "ip_address"]; axes compares one
    number with one limit (AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT), so the failures reported
    are the username's from this address, or that limit itself once the address has reached
    LOGIN_IP_FAILURE_LIMIT.
    """

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        per_username, per_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if per_address >= settings.LOGIN_IP_FAILURE_LIMIT:
            return max(per_username, settings.LOGIN_FAILURE_LIMIT)
        return per_username

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        """After a success: forget this username's failures from this address only, so one
        valid account cannot wipe the address's failures on other usernames."""
        count, _deleted = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
        ).delete()
        return count


def _shows_the_lock(response: HttpResponse) -> bool:
    form = (getattr(response, "context_data", None) or {}).get("form")
    return form is not None and form.has_error("__all__", "locked")


def locked_response(
    request: HttpRequest, response: Any = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """The answer to a locked attempt, on every path: the sign-in page that was rendered (it
    already says why, in the user's language) with HTTP 429; any other page is replaced by our
    sign-in page with the same message."""
    if (
        isinstance(response, HttpResponse)
        and response.status_code == 200
        and _shows_the_lock(response)
    ):
        locked = response
    else:
        locked = _login_page(request, credentials)
    locked.status_code = 429
    locked["Retry-After"] = str(settings.LOGIN_LOCKOUT_SECONDS)
    return locked


def _login_page(request: HttpRequest, credentials: dict[str, Any] | None) -> HttpResponse:
    # Bound without a password: the form authenticates nothing and reports the lock.
    form = LoginForm(request, data={"username": username_of(request, credentials)})
    return render(request, "registration/login.html", {"form": form, "next": ""})
