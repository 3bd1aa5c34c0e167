"""COD pages: upload a carrier's COD statement, see it reconciled against our parcels
(matches and every difference), confirm it; mark one parcel's COD received."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from common.auth import require_perm
from common.htmx import render_partial_or_page
from shipping.errors import ShippingError
from shipping.forms_cod import CodReceiveForm, StatementUploadForm
from shipping.models import CodReceipt, CodStatement, Shipment
from shipping.services.cod import (
    KINDS,
    MATCH,
    cod_receive,
    statement_confirm,
    statement_reconcile,
    statement_same_file,
    statement_upload,
)

RECORD = "shipping.add_codreceipt"


@require_http_methods(["GET", "POST"])
@require_perm(RECORD)
def statement_import(request: HttpRequest) -> HttpResponse:
    form = StatementUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            statement = statement_upload(
                account_id=form.cleaned_data["account"].pk,
                data=upload.read(),
                filename=upload.name or "statement.csv",
                user_id=request.user.pk,
            )
        except ShippingError as error:
            form.add_error("file", str(error))
        else:
            return redirect("shipping:cod_statement", statement.pk)
    recent = CodStatement.objects.select_related("account").order_by("-created_at")[:20]
    return render(request, "shipping/cod_import.html", {"form": form, "recent": recent})


def _preview(request: HttpRequest, statement: CodStatement, status: int = 200) -> HttpResponse:
    lines = statement_reconcile(statement=statement)
    counts = Counter(line.kind for line in lines)
    summary = [(kind, label, counts[kind]) for kind, label in KINDS.items() if counts[kind]]
    ordered = sorted(lines, key=lambda line: (line.kind == MATCH, line.row.line))
    return render_partial_or_page(
        request,
        "shipping/cod_statement.html",
        {
            "statement": statement,
            "lines": ordered,
            "summary": summary,
            "to_record": counts[MATCH],
            "same_file": statement_same_file(statement=statement),
        },
        partial="cod-preview",
        target="cod-preview",
        status=status,
    )


@require_http_methods(["GET"])
@require_perm(RECORD)
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    statement = get_object_or_404(CodStatement.objects.select_related("account"), pk=pk)
    return _preview(request, statement)


@require_POST
@require_perm(RECORD)
def statement_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    statement = get_object_or_404(CodStatement.objects.select_related("account"), pk=pk)
    try:
        recorded = statement_confirm(statement_id=statement.pk, user_id=request.user.pk)
    except ShippingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            ngettext(
                "COD recorded for %(count)d parcel.",
                "COD recorded for %(count)d parcels.",
                recorded,
            )
            % {"count": recorded},
        )
    statement.refresh_from_db()
    return _preview(request, statement)


@require_http_methods(["GET", "POST"])
@require_perm(RECORD)
def shipment_cod(request: HttpRequest, pk: int) -> HttpResponse:
    shipment = get_object_or_404(Shipment.objects.select_related("order", "account"), pk=pk)
    if not shipment.tracking_number:
        raise Http404
    receipt = CodReceipt.objects.filter(shipment=shipment).select_related("created_by").first()
    initial = {"amount": shipment.cod_amount, "received_on": timezone.localdate()}
    form = CodReceiveForm(request.POST or None, initial=initial)
    if request.method == "POST" and receipt is None and form.is_valid():
        try:
            cod_receive(
                shipment_id=shipment.pk,
                amount=form.cleaned_data["amount"],
                received_on=form.cleaned_data["received_on"],
                user_id=request.user.pk,
            )
        except ShippingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("COD of parcel %(parcel)s recorded.") % {"parcel": shipment}
            )
            return redirect("orders:order_detail", shipment.order_id)
    context = {"shipment": shipment, "receipt": receipt, "form": form}
    return render(request, "shipping/cod_receive.html", context)
