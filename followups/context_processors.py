"""The follow-ups badge in the top bar.

The page itself only says whether the user gets a badge; the count (one indexed COUNT, cached
30 seconds per user and day) is fetched by the badge with htmx after the page has loaded and
every two minutes, so no page pays for it and the badge stays current on a page left open.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from followups import selectors

CACHE_SECONDS = 30


def reminders(request: HttpRequest) -> dict[str, Any]:
    """{"followup_badge": True} for signed-in users who may see follow-ups; nothing else."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm("followups.view_followup"):
        return {}
    return {"followup_badge": True}


def due_count_cached(user: Any) -> int:
    today = timezone.localdate()
    key = f"followups:due:{user.pk}:{today.isoformat()}"
    count = cache.get(key)
    if count is None:
        count = selectors.due_count(user_id=user.pk, today=today)
        cache.set(key, count, CACHE_SECONDS)
    return int(count)
