"""The printed documents of orders as PDF bytes: the picking list and the delivery notes.

Pure functions of order ids and a language (no request), so a page answers with them and a
background job can build the same file.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.pdf import render_pdf
from inventory.selectors.shop import shop_details
from orders.selectors.delivery_notes import delivery_notes
from orders.selectors.picking_list import picking_list


def picking_list_pdf(
    *, order_ids: Sequence[int], language: str, printed_at: datetime | None = None
) -> bytes:
    """The picking list of `order_ids` (see orders.selectors.picking_list) in `language`."""
    with translation.override(language):
        return render_pdf(
            template_name="orders/pdf/picking_list.html",
            stylesheets=("css/pdf/picking_list.css",),
            context={
                "picking": picking_list(order_ids=order_ids),
                "shop_name": shop_details().name,
                "printed_at": timezone.localtime(printed_at),
            },
        )


def delivery_notes_pdf(
    *, order_ids: Sequence[int], language: str, printed_at: datetime | None = None
) -> bytes:
    """The delivery notes of `order_ids`, one page each, in `language`."""
    with translation.override(language):
        return render_pdf(
            template_name="orders/pdf/delivery_note.html",
            stylesheets=("css/pdf/delivery_note.css",),
            context={
                "notes": delivery_notes(order_ids=order_ids),
                "shop": shop_details(),
                "shop_name_default": _("My shop"),
                "printed_at": timezone.localtime(printed_at),
            },
        )
