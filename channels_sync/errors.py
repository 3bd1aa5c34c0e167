"""Stable codes for what can go wrong in a sync, and their text in the staff's language.

Runs (SyncRun.errors) and quarantined payloads (InboundPayload.reason) store the code and its
parameters; pages call `error_text(code, params)` so each person reads it in their language.
Add a code here (never reuse one for another meaning) when a new case appears.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    # talking to the platform
    "network": _("Could not reach the platform; the job will try again."),
    "rate_limited": _("The platform asked us to slow down; the job waits and goes on."),
    "daily_limit": _("The platform's daily call limit is used up; the job resumes tomorrow."),
    "auth_failed": _("The platform refused the shop's access token."),
    "reconnect_needed": _("The shop's authorisation has ended: connect the shop again."),
    "platform_error": _("The platform answered with an error: %(message)s"),
    "bad_signature": _("A push message with a wrong signature was refused."),
    # applying an order
    "unknown_sku": _("Line %(line)s: seller SKU “%(sku)s” is not linked to any of our products."),
    "no_sku": _("Line %(line)s has no seller SKU: link the listing to a product."),
    "bad_field": _("The field “%(field)s” is missing or not valid."),
    "unknown_status": _("The platform status “%(status)s” is not known."),
    "currency_mismatch": _("The order is in %(currency)s but the shop sells in %(expected)s."),
    "no_warehouse": _("The shop has no order warehouse: choose one in the shop's settings."),
    "oversold": _("Paid on the platform, but our stock cannot cover it."),
    "internal": _("An error on our side while applying; the payload is kept for re-apply."),
    # stock and prices
    "promotion_floor": _("The platform holds %(floor)s units for a promotion; it refused less."),
    "push_refused": _("The platform refused the update: %(message)s"),
    # applying an order (added with the apply engine)
    "order_refused": _("Our order rules refused the change: %(message)s"),
}


def error_text(code: str, params: Mapping[str, Any] | None = None) -> str:
    """The message for `code` in the active language (the code itself when unknown)."""
    template = MESSAGES.get(code)
    if template is None:
        return code
    text = str(template)  # lazy: translated now, in the active language
    try:
        return text % dict(params or {}) if params else text
    except (KeyError, ValueError, TypeError):
        return text
