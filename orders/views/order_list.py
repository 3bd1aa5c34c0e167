"""The order list: filters, search, sort, status tabs, a page of orders (no COUNT)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from common.auth import require_perm
from common.htmx import is_htmx, render_partial_or_page
from common.pagination import page_number, paginate
from orders.forms_list import MARKER_CHOICES, BulkActionBar, OrderFilterForm
from orders.models import OrderStatus
from orders.selectors import order_list as selectors
from orders.services.bulk import MAX_ACTION_ORDERS, MAX_EXPORT_ORDERS


@require_GET
@require_perm("orders.view_order")
def order_list(request: HttpRequest) -> HttpResponse:
    form = OrderFilterForm(request.GET)
    filters = form.filters()
    page = paginate(
        selectors.order_list(filters=filters),
        page=page_number(request.GET.get("page")),
        per_page=selectors.PER_PAGE,
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "rows": selectors.list_rows(page.items),
        "tabs": [("", _("All")), *OrderStatus.choices],
        "marker_tabs": [("", _("All follow-ups")), *MARKER_CHOICES],
        "filter_query": query.urlencode(),
        "max_action": number_format(MAX_ACTION_ORDERS, force_grouping=True),
        "max_export": number_format(MAX_EXPORT_ORDERS, force_grouping=True),
    }
    if not is_htmx(request):
        context["actions"] = BulkActionBar()
    return render_partial_or_page(request, "orders/order_list.html", context, partial="order-table")
