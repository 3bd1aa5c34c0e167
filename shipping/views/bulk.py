"""Create parcels for the orders ticked in the order list: the selection arrives from the
list's bulk bar, the page asks for the carrier account and the service level, then answers
with a result per order (or, above REQUEST_MAX orders, the background job's page)."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from common.auth import require_perm
from common.jobs import job_page_redirect
from orders.forms_list import BulkSelectionForm
from orders.models import Order
from shipping.errors import ShippingError
from shipping.models import CarrierAccount, ServiceLevel
from shipping.services import bulk

CREATE = "shipping.add_shipment"


class BulkParcelForm(forms.Form):
    account = forms.ModelChoiceField(
        label=_("Carrier account"),
        queryset=CarrierAccount.objects.none(),
        empty_label=None,  # the first account chosen: Ctrl+Enter creates the parcels at once
        widget=forms.Select(attrs={"autofocus": True}),
    )
    level = forms.ChoiceField(
        label=_("Service"), choices=ServiceLevel.choices, initial=ServiceLevel.ECONOMY
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["account"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = CarrierAccount.objects.filter(active=True).order_by("name")


@require_POST
@require_perm(CREATE)
def bulk_create(request: HttpRequest) -> HttpResponse:
    selection = BulkSelectionForm(request.POST, limit=bulk.MAX_ORDERS)
    if not selection.is_valid():
        errors = [str(e) for errs in selection.errors.values() for e in errs]
        refused = {"selection_error": errors[0] if errors else ""}
        return render(request, "shipping/bulk_create.html", refused, status=422)
    form = BulkParcelForm(request.POST if request.POST.get("step") == "create" else None)
    order_ids = selection.order_ids
    context: dict[str, object] = {
        "form": form,
        "order_ids": order_ids,
        "processing": Order.objects.filter(pk__in=order_ids, status="processing").count(),
    }
    if form.is_bound and form.is_valid():
        account_id = form.cleaned_data["account"].pk
        level = form.cleaned_data["level"]
        if len(order_ids) > bulk.REQUEST_MAX:
            job = bulk.shipments_bulk_start(
                owner_id=request.user.pk, order_ids=order_ids, account_id=account_id, level=level
            )
            return job_page_redirect(job)
        try:
            results = bulk.shipments_bulk_create(
                order_ids=order_ids, account_id=account_id, level=level, user_id=request.user.pk
            )
        except ShippingError as error:
            form.add_error(None, str(error))
        else:
            context.update(results=results, summary=bulk.bulk_summary(results))
    return render(request, "shipping/bulk_create.html", context)
