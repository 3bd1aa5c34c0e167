"""The website chat's demo page (DEBUG only): a small storefront served by the CRM that embeds
static/assistant/widget.js with the key of the website chat account allowing the CRM's own
origin (`manage.py demoassistant` makes one), so a newcomer can chat with the assistant and see
the conversation in the inbox. Without DEBUG the page does not exist (404)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from assistant.channels.selectors import (
    widget_demo_account,
    widget_demo_order,
    widget_demo_products,
)


@login_not_required
@require_GET
def widget_demo(request: HttpRequest) -> HttpResponse:
    if not settings.DEBUG:
        raise Http404
    origin = f"{request.scheme}://{request.get_host()}"
    context = {
        "account": widget_demo_account(origin=origin),
        "origin": origin,
        "products": widget_demo_products(),
        "order": widget_demo_order(),
        "currency": settings.SHOP_CURRENCY,
        "inbox_url": reverse("assistant_channels:inbox"),
    }
    return render(request, "assistant/widget_demo.html", context)
