"""The order list: filters, search, sort, status tabs, a page of orders (keyset pages, a cheap
total: see orders.selectors.order_pages)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from common.auth import require_perm
from common.htmx import is_htmx, render_partial_or_page
from common.pagination import page_number, query_with
from orders.forms_list import MARKER_CHOICES, BulkActionBar, OrderFilterForm
from orders.models import OrderStatus
from orders.selectors import order_list as selectors
from orders.selectors import order_pages
from orders.selectors.order_list import OrderListFilters
from orders.services.bulk import MAX_ACTION_ORDERS, MAX_EXPORT_ORDERS
from orders.views.order_list_rows import order_rows_html


@require_GET
@require_perm("orders.view_order")
def order_list(request: HttpRequest) -> HttpResponse:
    form = OrderFilterForm(request.GET)
    filters = form.filters()
    page = order_pages.order_page(
        filters=filters,
        request=order_pages.PageRequest(
            number=page_number(request.GET.get("page")),
            after=request.GET.get("after", ""),
            before=request.GET.get("before", ""),
        ),
    )
    rows = selectors.list_rows(page.items)
    query = request.GET.copy()
    for key in ("page", "after", "before"):
        query.pop(key, None)
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "pager": _pager(request, page, filters),
        "rows": rows,
        "rows_html": order_rows_html(rows),
        "tabs": _tabs(request, "status", [("", _("All")), *OrderStatus.choices]),
        "marker_tabs": _tabs(
            request, "marker", [("", _("All follow-ups")), *MARKER_CHOICES], sort=None
        ),
        "filter_query": query.urlencode(),
        "max_action": number_format(MAX_ACTION_ORDERS, force_grouping=True),
        "max_export": number_format(MAX_EXPORT_ORDERS, force_grouping=True),
    }
    if not is_htmx(request):
        context["actions"] = BulkActionBar()
    return render_partial_or_page(request, "orders/order_list.html", context, partial="order-table")


def _tabs(
    request: HttpRequest, name: str, choices: list[tuple[str, Any]], **changes: Any
) -> list[tuple[str, Any, str]]:
    """(code, label, link) of each tab: the current query with `name` set, on page 1."""
    reset = {"page": None, "after": None, "before": None, **changes}
    return [
        (code, label, "?" + query_with(request.GET, **{name: code or None}, **reset))
        for code, label in choices
    ]


def _pager(
    request: HttpRequest, page: order_pages.OrderPage, filters: OrderListFilters
) -> dict[str, str]:
    """The pager's links and words: Previous / Next (with the cursor when the sort has one),
    the rows shown and the total."""
    params = request.GET
    number = page.number
    pager = {"next": "", "previous": "", "rows": "", "capped": ""}
    if page.has_next:
        pager["next"] = "?" + query_with(
            params, page=number + 1, after=page.next_cursor or None, before=None
        )
    if page.has_previous:
        cursor = page.previous_cursor if number > 2 else ""
        pager["previous"] = "?" + query_with(
            params, page=number - 1 if number > 2 else None, before=cursor or None, after=None
        )
    if page.items:
        if number == 1 and not page.has_next:  # all of them on this page: nothing to count
            total = order_pages.ListTotal(len(page.items), exact=True)
        elif page.total is not None:  # counted while reading the page
            total = page.total
        else:
            total = order_pages.order_total(
                filters=filters, at_least=page.end_index + int(page.has_next)
            )
        words = {
            "start": number_format(page.start_index, force_grouping=True),
            "end": number_format(page.end_index, force_grouping=True),
            "total": number_format(total.rows, force_grouping=True),
        }
        if total.exact:
            pager["rows"] = _("Rows %(start)s–%(end)s of %(total)s") % words  # noqa: RUF001 (the dash is meant)
        elif total.estimated:
            pager["rows"] = _("Rows %(start)s–%(end)s of about %(total)s") % words  # noqa: RUF001 (the dash is meant)
        else:
            pager["rows"] = _("Rows %(start)s–%(end)s of more than %(total)s") % words  # noqa: RUF001 (the dash is meant)
    if page.jump_capped:
        pager["capped"] = _(
            "Page numbers reach as far as page %(page)s, shown here. Next goes on from here; "
            "the filters and dates narrow the list."
        ) % {"page": number_format(number, force_grouping=True)}
    return pager
