from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.auth import require_perm
from common.forms import pk_or_none, valid_values
from common.pagination import render_list_page
from inventory.errors import InventoryError
from inventory.forms_movements import LineRow, TransferFilterForm, TransferForm
from inventory.models import Transfer
from inventory.selectors import movements as selectors
from inventory.services import transfers as services


def _get(transfer_id: int) -> Transfer:
    try:
        return selectors.transfer_get(transfer_id=transfer_id)
    except Transfer.DoesNotExist:
        raise Http404 from None


@require_perm("inventory.view_transfer")
def transfer_list(request: HttpRequest) -> HttpResponse:
    form = TransferFilterForm(request.GET or None)
    filters = valid_values(form)
    transfers = selectors.transfer_list(
        q=filters.get("q", ""),
        status=filters.get("status", ""),
        warehouse_id=pk_or_none(filters.get("warehouse")),
    )
    return render_list_page(
        request, transfers, "inventory/transfer_list.html", {"form": form}, partial="transfer-table"
    )


@require_perm("inventory.view_transfer")
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = _get(pk)
    lines = list(selectors.transfer_lines(transfer=transfer))
    return render(
        request,
        "inventory/transfer_detail.html",
        {
            "transfer": transfer,
            "lines": lines,
            "total_units": sum(line.quantity for line in lines),
            "history": selectors.transfer_history(transfer=transfer),
        },
    )


@require_http_methods(["GET", "POST"])
@require_perm("inventory.add_transfer")
def transfer_create(request: HttpRequest) -> HttpResponse:
    form = TransferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = services.transfer_create(
                source_id=form.cleaned_data["source"].pk,
                destination_id=form.cleaned_data["destination"].pk,
                lines=form.cleaned_data["lines"],
                notes=form.cleaned_data["notes"],
                user_id=request.user.pk,
            )
        except InventoryError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Transfer %(number)s saved as a draft.") % {"number": transfer.number}
            )
            return redirect("inventory:transfer_detail", pk=transfer.pk)
    return render(request, "inventory/transfer_form.html", {"form": form, "transfer": None})


@require_http_methods(["GET", "POST"])
@require_perm("inventory.change_transfer")
def transfer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = _get(pk)
    if transfer.status != Transfer.Status.DRAFT:
        messages.error(request, _("Only a draft transfer can be edited."))
        return redirect("inventory:transfer_detail", pk=transfer.pk)
    if request.method == "POST":
        form = TransferForm(request.POST)
    else:
        rows = [
            LineRow(
                variant_id=str(line.variant_id), quantity=str(line.quantity), variant=line.variant
            )
            for line in selectors.transfer_lines(transfer=transfer)
        ]
        form = TransferForm(
            initial={
                "source": transfer.source,
                "destination": transfer.destination,
                "notes": transfer.notes,
            },
            lines=rows,
        )
    if request.method == "POST" and form.is_valid():
        try:
            services.transfer_update(
                transfer_id=transfer.pk,
                source_id=form.cleaned_data["source"].pk,
                destination_id=form.cleaned_data["destination"].pk,
                lines=form.cleaned_data["lines"],
                notes=form.cleaned_data["notes"],
            )
        except InventoryError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Transfer %(number)s saved.") % {"number": transfer.number})
            return redirect("inventory:transfer_detail", pk=transfer.pk)
    return render(request, "inventory/transfer_form.html", {"form": form, "transfer": transfer})


def _act(request: HttpRequest, pk: int, action: Callable[..., Transfer], done: str) -> HttpResponse:
    transfer = _get(pk)
    try:
        action(transfer_id=transfer.pk, user_id=request.user.pk)
    except InventoryError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done % {"number": transfer.number})
    return redirect("inventory:transfer_detail", pk=transfer.pk)


@require_POST
@require_perm("inventory.change_transfer")
def transfer_send(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        services.transfer_send,
        _("Transfer %(number)s sent: the units left the source warehouse and are in transit."),
    )


@require_POST
@require_perm("inventory.change_transfer")
def transfer_receive(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        services.transfer_receive,
        _("Transfer %(number)s received: the units are in the destination warehouse."),
    )


@require_POST
@require_perm("inventory.change_transfer")
def transfer_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    was_sent = _get(pk).status == Transfer.Status.SENT
    done = (
        _("Transfer %(number)s cancelled: the units in transit are back in the source warehouse.")
        if was_sent
        else _("Transfer %(number)s cancelled.")
    )
    return _act(request, pk, services.transfer_cancel, done)
