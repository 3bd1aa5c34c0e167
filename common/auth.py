"""Permission checks for views: every page of the staff UI declares what it needs."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def require_perm(*perms: str) -> Callable[[View], View]:
    """Allow the view only to signed-in users holding every one of `perms` ("app.codename").

    Anonymous users are sent to the login page by LoginRequiredMiddleware before this runs;
    a signed-in user without the permission gets 403. With no `perms`, any signed-in user is let
    in: the choice is still explicit, and `tests/crm/test_urls.py` checks every page makes it.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated or not user.is_active:
                raise PermissionDenied
            if perms and not user.has_perms(perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.required_perms = perms  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator
