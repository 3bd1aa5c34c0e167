from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.auth import require_perm
from common.forms import pk_or_none, valid_values
from common.htmx import is_htmx, render_partial_or_page
from common.pagination import render_list_page, request_page
from inventory.errors import InventoryError
from inventory.forms_movements import (
    CountFilterForm,
    CountForm,
    CountLineForm,
    CountLinesFilterForm,
    CountPostForm,
    CountScanForm,
)
from inventory.models import StockCount, StockCountLine
from inventory.permissions import can_see_costs
from inventory.selectors import movements as selectors
from inventory.services import counts as services

LINES_PER_PAGE = 50


def _get(count_id: int) -> StockCount:
    try:
        return selectors.count_get(count_id=count_id)
    except StockCount.DoesNotExist:
        raise Http404 from None


def _is_open(count: StockCount) -> bool:
    return count.status == StockCount.Status.OPEN


@require_perm("inventory.view_stockcount")
def count_list(request: HttpRequest) -> HttpResponse:
    form = CountFilterForm(request.GET or None)
    filters = valid_values(form)
    counts = selectors.count_list(
        q=filters.get("q", ""),
        status=filters.get("status", ""),
        warehouse_id=pk_or_none(filters.get("warehouse")),
    )
    return render_list_page(
        request, counts, "inventory/count_list.html", {"form": form}, partial="count-table"
    )


@require_http_methods(["GET", "POST"])
@require_perm("inventory.add_stockcount")
def count_create(request: HttpRequest) -> HttpResponse:
    form = CountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            count = services.count_start(
                warehouse_id=form.cleaned_data["warehouse"].pk,
                category_ids=[c.pk for c in form.cleaned_data["categories"]],
                notes=form.cleaned_data["notes"],
                user_id=request.user.pk,
            )
        except InventoryError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Count %(number)s started. Scan or type what you find.")
                % {"number": count.number},
            )
            return redirect("inventory:count_detail", pk=count.pk)
    return render(request, "inventory/count_form.html", {"form": form})


@require_perm("inventory.view_stockcount")
def count_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The counting page: scan box, running summary, the lines (filtered, paginated)."""
    count = _get(pk)
    data = request.GET.copy()
    data.setdefault("show", "all")
    form = CountLinesFilterForm(data)
    filters = valid_values(form)
    with_costs = can_see_costs(request.user)
    lines = selectors.count_lines(
        count_id=count.pk,
        show=filters.get("show") or "all",
        q=filters.get("q", ""),
        with_costs=with_costs,
    )
    page = request_page(request, lines, per_page=LINES_PER_PAGE)
    context = {
        "count": count,
        "form": form,
        "page": page,
        "editable": _editable(request, count),
        "with_costs": with_costs,
    }
    if not is_htmx(request, target="count-lines"):
        context["summary"] = selectors.count_summary(count_id=count.pk, with_costs=with_costs)
    return render_partial_or_page(
        request,
        "inventory/count_detail.html",
        context,
        partial="count-lines",
        target="count-lines",
    )


def _editable(request: HttpRequest, count: StockCount) -> bool:
    return _is_open(count) and request.user.has_perm("inventory.change_stockcount")


@require_POST
@require_perm("inventory.change_stockcount")
def count_scan(request: HttpRequest, pk: int) -> HttpResponse:
    """One scan: the log entry, plus the line's row and the summary swapped out of band."""
    count = get_object_or_404(StockCount.objects.only("pk", "number", "status"), pk=pk)
    form = CountScanForm(request.POST)
    with_costs = can_see_costs(request.user)
    context: dict[str, Any] = {
        "count": count,
        "code": request.POST.get("code", "")[:100],
        "with_costs": with_costs,
    }
    status = 200
    if not form.is_valid():
        context["error"] = " ".join(str(e) for errors in form.errors.values() for e in errors)
        status = 422
    else:
        try:
            result = services.count_scan(
                count_id=count.pk,
                code=form.cleaned_data["code"],
                quantity=form.cleaned_data["quantity"],
            )
        except InventoryError as error:
            context["error"] = str(error)
            status = 422
        else:
            context.update(
                result=result,
                line=selectors.count_line_row(line_id=result.line.pk, with_costs=with_costs),
                summary=selectors.count_summary(count_id=count.pk, with_costs=with_costs),
                editable=True,
            )
    if not is_htmx(request):
        # Without JavaScript the scan form posts normally: show the outcome on the page.
        if "error" in context:
            messages.error(request, context["error"])
        else:
            messages.success(
                request,
                _("%(sku)s: counted %(counted)d.")
                % {"sku": context["line"].variant.sku, "counted": context["line"].counted},
            )
        return redirect("inventory:count_detail", pk=count.pk)
    return render(request, "inventory/count_detail.html#scan-response", context, status=status)


@require_POST
@require_perm("inventory.change_stockcount")
def count_line_set(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    """Typed counted quantity for one line (blank: not counted); returns the row and summary."""
    count = get_object_or_404(StockCount.objects.only("pk", "number", "status"), pk=pk)
    if not StockCountLine.objects.filter(pk=line_pk, count_id=count.pk).exists():
        raise Http404
    form = CountLineForm(request.POST)
    with_costs = can_see_costs(request.user)
    context: dict[str, Any] = {"count": count, "editable": True, "with_costs": with_costs}
    status = 200
    if form.is_valid():
        try:
            services.count_line_set(
                count_id=count.pk, line_id=line_pk, counted=form.cleaned_data["counted"]
            )
        except InventoryError as error:
            context.update(row_error=str(error), editable=_is_open(_get(count.pk)))
            status = 422
    else:
        context["row_error"] = " ".join(str(e) for e in form.errors.get("counted", []))
        context["typed"] = request.POST.get("counted", "")[:20]
        status = 422
    context.update(
        line=selectors.count_line_row(line_id=line_pk, with_costs=with_costs),
        summary=selectors.count_summary(count_id=count.pk, with_costs=with_costs),
    )
    return render(request, "inventory/count_detail.html#line-response", context, status=status)


@require_http_methods(["GET", "POST"])
@require_perm("inventory.post_stockcount")
def count_post(request: HttpRequest, pk: int) -> HttpResponse:
    """Review the variances and post them as stock adjustments."""
    count = _get(pk)
    with_costs = can_see_costs(request.user)
    if not _is_open(count):
        messages.error(request, _("Count %(number)s is no longer open.") % {"number": count.number})
        return redirect("inventory:count_detail", pk=count.pk)
    form = CountPostForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            movements = services.count_post(
                count_id=count.pk,
                user_id=request.user.pk,
                uncounted_as_zero=form.cleaned_data["uncounted_as_zero"],
            )
        except InventoryError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Count %(number)s posted: %(n)d stock adjustment(s).")
                % {"number": count.number, "n": len(movements)},
            )
            return redirect("inventory:count_detail", pk=count.pk)
    return render(
        request,
        "inventory/count_post.html",
        {
            "count": count,
            "form": form,
            "with_costs": with_costs,
            "summary": selectors.count_summary(count_id=count.pk, with_costs=with_costs),
            "largest": selectors.count_largest_variances(count_id=count.pk, with_costs=with_costs),
        },
    )


@require_POST
@require_perm("inventory.change_stockcount")
def count_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    count = _get(pk)
    try:
        services.count_cancel(count_id=count.pk)
    except InventoryError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Count %(number)s cancelled; no stock was changed.") % {"number": count.number},
        )
    return redirect("inventory:count_detail", pk=count.pk)
