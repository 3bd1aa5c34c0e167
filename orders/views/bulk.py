"""Bulk actions of the order list (POST): confirm, cancel, assign a warehouse, picking list PDF,
delivery notes PDF, CSV and Excel export (big PDFs and exports as background jobs: the answer is
the job's page, see orders.services.bulk_jobs).

Each parses the selection (ticked orders, or every order matching the list's filter up to a
cap), calls one service or selector, and answers with the per-order report (htmx: the report
fragment plus an `orders-changed` event that reloads the table; otherwise the report page) or
the file.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.auth import require_perm
from common.htmx import is_htmx
from common.jobs import job_page_redirect
from common.pdf import pdf_file_response
from orders.documents import delivery_notes_pdf, picking_list_pdf
from orders.forms_list import BulkAssignForm, BulkCancelForm, BulkSelectionForm
from orders.services import bulk as services
from orders.services import bulk_jobs

PARTIAL = "orders/bulk_result.html#bulk-report"


def _list_url(request: HttpRequest) -> str:
    """The list as the user left it (the filter query string the bulk form carried)."""
    query = QueryDict(request.POST.get("query", "")[:2000], mutable=True)
    query.pop("page", None)
    encoded = query.urlencode()
    url = reverse("orders:order_list")
    return f"{url}?{encoded}" if encoded else url


def _form_error(form: BulkSelectionForm) -> str:
    for errors in form.errors.values():
        for error in errors:
            return str(error)
    return _("The selection is not valid.")


def _refuse(request: HttpRequest, form: BulkSelectionForm) -> HttpResponse:
    """Nothing was done: say why, on the list."""
    error = _form_error(form)
    if is_htmx(request):
        return render(
            request,
            PARTIAL,
            {"error": error, "back_url": _list_url(request)},
            status=422,
        )
    messages.error(request, error)
    return redirect(_list_url(request))


def _report(
    request: HttpRequest, *, title: str, results: list[services.BulkResult]
) -> HttpResponse:
    context: dict[str, Any] = {
        "title": title,
        "results": results,
        "done": sum(1 for r in results if r.outcome == services.DONE),
        "unchanged": sum(1 for r in results if r.outcome == services.UNCHANGED),
        "refused": sum(1 for r in results if r.outcome == services.REFUSED),
        "back_url": _list_url(request),
    }
    if is_htmx(request):
        response = render(request, PARTIAL, context)
        response["HX-Trigger"] = "orders-changed"
        return response
    context["standalone"] = True
    return render(request, "orders/bulk_result.html", context)


Selection = TypeVar("Selection", bound=BulkSelectionForm)


def _bulk_action(
    perm: str, form_class: type[Selection], *, limit: int
) -> Callable[[Callable[[HttpRequest, Selection], HttpResponse]], Callable[..., HttpResponse]]:
    """A bulk action: POST only, for holders of `perm`; the selection (at most `limit` orders)
    is parsed with `form_class` and refused on the list when invalid, else handed to the
    action with the valid form."""

    def decorator(
        action: Callable[[HttpRequest, Selection], HttpResponse],
    ) -> Callable[..., HttpResponse]:
        @require_POST
        @require_perm(perm)
        @wraps(action)
        def view(request: HttpRequest) -> HttpResponse:
            form = form_class(request.POST, limit=limit)
            if not form.is_valid():
                return _refuse(request, form)
            return action(request, form)

        return view

    return decorator


@_bulk_action("orders.confirm_order", BulkSelectionForm, limit=services.MAX_ACTION_ORDERS)
def order_bulk_confirm(request: HttpRequest, form: BulkSelectionForm) -> HttpResponse:
    results = services.orders_bulk_confirm(order_ids=form.order_ids, user_id=request.user.pk)
    return _report(request, title=_("Confirm orders"), results=results)


@_bulk_action("orders.cancel_order", BulkCancelForm, limit=services.MAX_ACTION_ORDERS)
def order_bulk_cancel(request: HttpRequest, form: BulkCancelForm) -> HttpResponse:
    results = services.orders_bulk_cancel(
        order_ids=form.order_ids, user_id=request.user.pk, reason=form.cleaned_data["reason"]
    )
    return _report(request, title=_("Cancel orders"), results=results)


@_bulk_action("orders.change_order", BulkAssignForm, limit=services.MAX_ACTION_ORDERS)
def order_bulk_assign(request: HttpRequest, form: BulkAssignForm) -> HttpResponse:
    results = services.orders_bulk_assign_warehouse(
        order_ids=form.order_ids,
        warehouse_id=form.cleaned_data["warehouse"],
        user_id=request.user.pk,
    )
    return _report(request, title=_("Assign a warehouse"), results=results)


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


@_bulk_action("orders.export_order", BulkSelectionForm, limit=services.MAX_PICKING_ORDERS)
def order_bulk_picking_list(request: HttpRequest, form: BulkSelectionForm) -> HttpResponse:
    if len(form.order_ids) > bulk_jobs.PDF_NOW:  # a big one: a background job
        job = bulk_jobs.picking_list_start(owner_id=request.user.pk, order_ids=form.order_ids)
        return job_page_redirect(job)
    pdf = picking_list_pdf(order_ids=form.order_ids, language=get_language())
    return pdf_file_response(pdf, filename=f"picking-list-{_stamp()}.pdf")


@_bulk_action("orders.export_order", BulkSelectionForm, limit=services.MAX_PICKING_ORDERS)
def order_bulk_delivery_notes(request: HttpRequest, form: BulkSelectionForm) -> HttpResponse:
    """The selected orders' delivery notes in one PDF, one page per order."""
    if len(form.order_ids) > bulk_jobs.PDF_NOW:  # a big one: a background job
        job = bulk_jobs.delivery_notes_start(owner_id=request.user.pk, order_ids=form.order_ids)
        return job_page_redirect(job)
    pdf = delivery_notes_pdf(order_ids=form.order_ids, language=get_language())
    return pdf_file_response(pdf, filename=f"delivery-notes-{_stamp()}.pdf")


@require_POST
@require_perm("orders.export_order")
def order_bulk_export(request: HttpRequest) -> HttpResponseBase:
    kind = request.POST.get("format", "csv")
    form = BulkSelectionForm(request.POST, limit=services.MAX_EXPORT_ORDERS)
    if kind not in ("csv", "xlsx") or not form.is_valid():
        return _refuse(request, form)
    if len(form.order_ids) > bulk_jobs.EXPORT_NOW:  # a big one: a background job
        job = bulk_jobs.orders_export_start(
            owner_id=request.user.pk, order_ids=form.order_ids, file_format=kind
        )
        return job_page_redirect(job)
    if kind == "csv":
        response = StreamingHttpResponse(
            services.orders_export_csv(order_ids=form.order_ids),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="orders-{_stamp()}.csv"'
        return response
    target = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    services.orders_export_xlsx(order_ids=form.order_ids, target=target)
    target.seek(0)
    return FileResponse(
        target,
        as_attachment=True,
        filename=f"orders-{_stamp()}.xlsx",
        content_type=services.XLSX_TYPE,
    )
