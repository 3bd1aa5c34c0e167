"""The follow-ups badge in the top bar.

The page itself only says whether the user gets a badge; the count (selectors.due_count, one
indexed aggregate, not cached: it must agree with the reminders page and the dashboard card) is
fetched by the badge with htmx after the page has loaded, every two minutes, and whenever a
response announces a follow-up change (the "followup-changed" HX-Trigger event), so no page
pays for it and the badge stays current on a page left open or after a reschedule.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def reminders(request: HttpRequest) -> dict[str, Any]:
    """{"followup_badge": True} for signed-in users who may see follow-ups; nothing else."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm("followups.view_followup"):
        return {}
    return {"followup_badge": True}
