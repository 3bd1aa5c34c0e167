"""The printed documents of inventory as PDF bytes: the purchase order.

Pure functions of ids and a language (no request), so a page answers with them and a background
job can build the same file.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from common.pdf import render_pdf
from inventory.selectors import purchasing as selectors
from inventory.selectors.shop import shop_details


def purchase_order_pdf(*, order_id: int, with_costs: bool, language: str) -> bytes:
    """The purchase order to send to the supplier, in `language`; unit costs, VAT and totals
    only `with_costs`. Raises PurchaseOrder.DoesNotExist."""
    order = selectors.purchase_order_detail(order_id=order_id)
    with translation.override(language):
        return render_pdf(
            template_name="inventory/pdf/purchase_order.html",
            stylesheets=("css/pdf/purchase_order.css",),
            context={
                "order": order,
                "rows": selectors.purchase_order_rows(order, with_costs=with_costs),
                "with_costs": with_costs,
                "shop": shop_details(),
                "shop_name_default": _("My shop"),
            },
        )
