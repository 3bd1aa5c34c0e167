"""My reminders (follow-ups due today or overdue), and the private iCalendar feed."""

from __future__ import annotations

from datetime import time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from common.auth import require_perm
from common.htmx import is_htmx, render_partial_or_page
from followups.forms import RescheduleForm
from followups.ical import calendar_feed_get, calendar_feed_rotate, calendar_ical, feed_owner
from followups.selectors.reminders import due_count, due_items
from followups.views_calendar import moved_response, reschedule_posted

QUICK_DAYS = (1, 3, 7)


def _me(request: HttpRequest) -> int:
    user_id = request.user.pk
    assert user_id is not None  # require_perm let only signed-in users in
    return int(user_id)


def _reminders_context(request: HttpRequest, *, error: str = "") -> dict[str, object]:
    today = timezone.localdate()
    items = due_items(user_id=_me(request), today=today)
    return {
        "items": items,
        "today": today,
        "error": error,
        "quick": [(today + timedelta(days=n), n) for n in QUICK_DAYS],
        "can_change": request.user.has_perm("followups.change_followup"),
    }


@require_GET
@require_perm("followups.view_followup")
def reminders(request: HttpRequest) -> HttpResponse:
    return render_partial_or_page(
        request, "followups/reminders.html", _reminders_context(request), partial="reminder-list"
    )


@require_POST
@require_perm("followups.change_followup")
def reminder_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    """A reminder's quick "+1 day / +3 days / +1 week" (keeps the time of day)."""
    error = reschedule_posted(request, pk, RescheduleForm(request.POST, default_time=time(9, 0)))
    if not is_htmx(request):
        return redirect("followups:reminders")
    response = render(
        request, "followups/reminders.html#reminder-list", _reminders_context(request, error=error)
    )
    response.status_code = 422 if error else 200
    return moved_response(response, pk, error=error)


# --- iCalendar feed -----------------------------------------------------------------------------


@require_GET
@require_perm("followups.view_followup")
def feed_settings(request: HttpRequest) -> HttpResponse:
    """The address is not shown here (only its digest is kept): only when made or remade."""
    feed = calendar_feed_get(user_id=_me(request))
    return render(request, "followups/feed_settings.html", {"feed": feed, "feed_url": ""})


@never_cache
@require_POST
@require_perm("followups.view_followup")
def feed_rotate(request: HttpRequest) -> HttpResponse:
    """Make (or remake) the address and show it, this once: never cached, never stored."""
    had_feed = calendar_feed_get(user_id=_me(request)) is not None
    feed, token = calendar_feed_rotate(user_id=_me(request))
    if had_feed:
        messages.success(request, _("New address made. The old address no longer works."))
    else:
        messages.success(request, _("Your calendar address is ready."))
    url = request.build_absolute_uri(reverse("followups:ical", args=[token]))
    return render(request, "followups/feed_settings.html", {"feed": feed, "feed_url": url})


@never_cache
@require_GET
@login_not_required
def ical(request: HttpRequest, token: str) -> HttpResponse:
    """PUBLIC: the token in the address is the credential (unknown token: 404)."""
    user = feed_owner(token=token)
    if user is None or not user.has_perm("followups.view_followup"):
        raise Http404
    body = calendar_ical(user=user, host=request.get_host(), absolute=request.build_absolute_uri)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="followups.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
@require_perm("followups.view_followup")
def reminder_badge(request: HttpRequest) -> HttpResponse:
    """The top bar's count of my follow-ups due today or overdue (loaded by htmx)."""
    count = due_count(user_id=_me(request), today=timezone.localdate())
    return render(
        request, "followups/partials/reminder_badge_count.html", {"followup_due_count": count}
    )
