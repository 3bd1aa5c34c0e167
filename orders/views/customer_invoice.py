"""The customer page's "Invoice details" card: the defaults every new order of the customer
starts from (orders.services.invoice_requests), shown and edited inline (htmx swaps the card;
without htmx the whole page)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.auth import require_perm
from common.htmx import is_htmx, vary_on_htmx
from orders.forms_invoice import CustomerInvoiceForm, customer_initial
from orders.models import Customer
from orders.selectors import customers_pages as selectors
from orders.services.invoice_requests import InvoiceDetailsInvalid, customer_invoice_details_save

TEMPLATE = "orders/customers/invoice_details.html"


def _card(
    request: HttpRequest, customer: Customer, form: CustomerInvoiceForm | None, status: int = 200
) -> HttpResponse:
    context = {
        "customer": customer,
        "invoice": selectors.customer_invoice_details(customer),
        "invoice_form": form,
    }
    return vary_on_htmx(render(request, TEMPLATE, context, status=status))


@require_http_methods(["GET", "POST"])
@require_perm("orders.change_customer")
def customer_invoice_details(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the card with its form (?cancel: without); POST: save the defaults."""
    try:
        customer = selectors.customer_detail(customer_id=pk)
    except Customer.DoesNotExist:
        raise Http404 from None
    detail = reverse("orders:customer_detail", args=[pk]) + "#customer-invoice"
    if customer.merged_into_id is not None:
        messages.error(request, _("This customer was merged into another one."))
        return redirect(detail)
    if request.method == "GET":
        if not is_htmx(request):
            return redirect(detail)
        if "cancel" in request.GET:
            return _card(request, customer, None)
        initial = customer_initial(selectors.customer_invoice_details(customer))
        return _card(request, customer, CustomerInvoiceForm(initial=initial))
    form = CustomerInvoiceForm(request.POST)
    if form.is_valid():
        try:
            customer_invoice_details_save(customer_id=customer.pk, data=form.details())
        except InvoiceDetailsInvalid as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Invoice details saved."))
            if not is_htmx(request):
                return redirect(detail)
            customer = selectors.customer_detail(customer_id=pk)
            return _card(request, customer, None)
    return _card(request, customer, form, status=422)
