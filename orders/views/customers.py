"""Customer pages: list, detail (addresses inline, orders, duplicates), create and edit, merge."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from common.auth import require_perm
from common.forms import id_or_none
from common.htmx import is_htmx, render_partial_or_page, vary_on_htmx
from common.pagination import page_number, paginate
from orders.errors import CustomerError
from orders.forms_customers import (
    AddressForm,
    CustomerFilterForm,
    CustomerForm,
    address_initial,
    default_scheme,
    phone_for_input,
)
from orders.models import Customer, CustomerAddress
from orders.panels import panels_for
from orders.selectors import customer_find_duplicates, customers_with_phone
from orders.selectors import customers_pages as selectors
from orders.services.customer_merge import customer_merge
from orders.services.customers import (
    address_clean,
    customer_address_delete,
    customer_address_save,
    customer_create,
    customer_update,
)
from orders.validators import phone_normalize, shop_country

LIST_PER_PAGE = 50
ADDRESS_PREFIX = "address"


def _customer_or_404(pk: int) -> Customer:
    try:
        return selectors.customer_detail(customer_id=pk)
    except Customer.DoesNotExist:
        raise Http404 from None


def _to_detail(customer_id: int, anchor: str = "") -> HttpResponse:
    return redirect(reverse("orders:customer_detail", args=[customer_id]) + anchor)


def _warn_duplicates(request: HttpRequest, customer: Customer) -> None:
    """After a save: say which live customers share a phone (they can be merged later)."""
    duplicates = customer_find_duplicates(customer_id=customer.pk)
    if duplicates:
        messages.warning(
            request,
            _(
                "A phone number of %(name)s also belongs to %(others)s: see the possible "
                "duplicates on this page."
            )
            % {"name": customer.name, "others": ", ".join(d.name for d in duplicates)},
        )


# --- List -------------------------------------------------------------------------------------


@require_GET
@require_perm("orders.view_customer")
def customer_list(request: HttpRequest) -> HttpResponse:
    form = CustomerFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    customers = selectors.customer_list(**filters)
    page = paginate(customers, page=page_number(request.GET.get("page")), per_page=LIST_PER_PAGE)
    context = {"form": form, "page": page, "rows": selectors.customer_rows(page.items)}
    return render_partial_or_page(
        request, "orders/customers/list.html", context, partial="customer-table"
    )


# --- Detail -----------------------------------------------------------------------------------


def _detail_page(
    request: HttpRequest,
    customer: Customer,
    *,
    address_form: AddressForm | None = None,
    editing: int | str | None = None,
    status: int = 200,
) -> HttpResponse:
    orders = paginate(
        selectors.customer_orders(customer_id=customer.pk),
        page=page_number(request.GET.get("page")),
        per_page=selectors.CUSTOMER_ORDERS_PER_PAGE,
    )
    context = {
        "customer": customer,
        "phones": selectors.customer_phones(customer),
        "addresses": selectors.address_rows(customer.addresses.all()),
        "orders": orders,
        "duplicates": selectors.customer_duplicates(customer),
        "invoice": selectors.customer_invoice_details(customer),
        "address_form": address_form,
        "editing": editing,
        "panels": panels_for("customer", customer.pk, request.user),
    }
    return render(request, "orders/customers/detail.html", context, status=status)


@vary_on_headers("HX-Request")
@require_GET
@require_perm("orders.view_customer")
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if is_htmx(request) and "page" in request.GET:  # the orders' pager
        if not Customer.objects.filter(pk=pk).exists():
            raise Http404
        orders = paginate(
            selectors.customer_orders(customer_id=pk),
            page=page_number(request.GET.get("page")),
            per_page=selectors.CUSTOMER_ORDERS_PER_PAGE,
        )
        return render(
            request,
            "orders/customers/detail.html#customer-orders",
            {"orders": orders, "customer_id": pk},
        )
    return _detail_page(request, _customer_or_404(pk))


# --- Create and edit --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@require_perm("orders.add_customer")
def customer_create_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = CustomerForm(request.POST)
        address_form = AddressForm(request.POST, prefix=ADDRESS_PREFIX, optional=True)
        if form.is_valid() and address_form.is_valid():
            data = form.to_input()
            address = address_form.to_input(
                default_name=data.name,
                default_phone=data.phones[0] if data.phones else "",
            )
            try:
                if address is not None:
                    address_clean(address)
            except CustomerError as error:
                address_form.add_error(None, str(error))
            else:
                try:
                    customer = customer_create(
                        data=data, addresses=[address] if address is not None else []
                    )
                except CustomerError as error:
                    form.add_domain_error(error)
                else:
                    messages.success(
                        request, _("Customer %(name)s created.") % {"name": customer.name}
                    )
                    _warn_duplicates(request, customer)
                    return _to_detail(customer.pk)
    else:
        form = CustomerForm()
        address_form = AddressForm(prefix=ADDRESS_PREFIX, optional=True)
    return _form_page(request, form, address_form=address_form, customer=None)


@require_http_methods(["GET", "POST"])
@require_perm("orders.change_customer")
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer_or_404(pk)
    if customer.merged_into_id is not None:
        messages.error(
            request,
            _("%(name)s was merged into another customer; use that one.") % {"name": customer.name},
        )
        return _to_detail(customer.pk)
    if request.method == "POST":
        form = CustomerForm(request.POST, customer=customer)
        if form.is_valid():
            try:
                saved = customer_update(customer_id=customer.pk, data=form.to_input())
            except CustomerError as error:
                form.add_domain_error(error)
            else:
                messages.success(request, _("Customer %(name)s saved.") % {"name": saved.name})
                _warn_duplicates(request, saved)
                return _to_detail(saved.pk)
    else:
        form = CustomerForm(customer=customer)
    return _form_page(request, form, address_form=None, customer=customer)


def _form_page(
    request: HttpRequest,
    form: CustomerForm,
    *,
    address_form: AddressForm | None,
    customer: Customer | None,
) -> HttpResponse:
    context: dict[str, Any] = {
        "form": form,
        "address_form": address_form,
        "customer": customer,
        "phone_rows": form.phone_rows(),
        "tag_names": [name for _pk, name in selectors.tag_choices()],
    }
    status = 422 if form.is_bound and is_htmx(request) and form.errors else 200
    return render(request, "orders/customers/form.html", context, status=status)


@require_GET
@require_perm("orders.view_customer")
def customer_phone_check(request: HttpRequest) -> HttpResponse:
    """As a phone is typed on the customer form: the number as read, and the live customers
    that already have it (links), excluding the customer being edited."""
    raw = (request.GET.get("phones") or request.GET.get("phone") or "").strip()
    country = request.GET.get("country") or shop_country()
    if country not in ("VN", "TH"):
        country = shop_country()
    context: dict[str, Any] = {"raw": raw, "normalised": "", "error": "", "others": []}
    if raw:
        try:
            phone = phone_normalize(raw, region=country)
        except CustomerError as error:
            context["error"] = str(error)
        else:
            context["normalised"] = selectors.phone_display(phone.e164, international=True)
            exclude = id_or_none(request.GET.get("customer"))
            context["others"] = [
                c for c in customers_with_phone(phone=phone.e164) if c.pk != exclude
            ]
    return render(request, "orders/customers/form.html#phone-check", context)


# --- Addresses --------------------------------------------------------------------------------


def _addresses_section(
    request: HttpRequest,
    customer: Customer,
    *,
    address_form: AddressForm | None = None,
    editing: int | str | None = None,
    status: int = 200,
) -> HttpResponse:
    """The addresses card (htmx), or the whole detail page (a plain request)."""
    if not is_htmx(request):
        return vary_on_htmx(
            _detail_page(
                request, customer, address_form=address_form, editing=editing, status=status
            )
        )
    context = {
        "customer": customer,
        "addresses": selectors.customer_addresses(customer_id=customer.pk),
        "address_form": address_form,
        "editing": editing,
    }
    return vary_on_htmx(render(request, "orders/customers/addresses.html", context, status=status))


def _live_or_refuse(request: HttpRequest, customer: Customer) -> bool:
    if customer.merged_into_id is None:
        return True
    messages.error(
        request,
        _("%(name)s was merged into another customer; use that one.") % {"name": customer.name},
    )
    return False


@require_GET
@require_perm("orders.view_customer")
def customer_addresses(request: HttpRequest, pk: int) -> HttpResponse:
    """The addresses card as it is (the Cancel of an inline form)."""
    customer = get_object_or_404(Customer, pk=pk)
    if not is_htmx(request):
        return _to_detail(pk, "#customer-addresses")
    return _addresses_section(request, customer)


@require_http_methods(["GET", "POST"])
@require_perm("orders.change_customer")
def customer_address_add(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer_or_404(pk)
    if not _live_or_refuse(request, customer):
        return _to_detail(pk)
    if request.method == "POST":
        return _address_submit(request, customer, address_id=None, done=_("Address added."))
    phones = list(customer.phones.all())
    scheme = default_scheme()
    form = AddressForm(
        initial={
            "scheme": scheme,
            "recipient_name": customer.name,
            "recipient_phone": phone_for_input(phones[0].e164, shop_country()) if phones else "",
        }
    )
    return _addresses_section(request, customer, address_form=form, editing="new")


@require_http_methods(["GET", "POST"])
@require_perm("orders.change_customer")
def customer_address_edit(request: HttpRequest, pk: int, address_pk: int) -> HttpResponse:
    customer = _customer_or_404(pk)
    address = get_object_or_404(CustomerAddress, pk=address_pk, customer_id=pk)
    if not _live_or_refuse(request, customer):
        return _to_detail(pk)
    if request.method == "POST":
        return _address_submit(request, customer, address_id=address.pk, done=_("Address saved."))
    form = AddressForm(initial=address_initial(address))
    return _addresses_section(request, customer, address_form=form, editing=address.pk)


def _address_submit(
    request: HttpRequest, customer: Customer, *, address_id: int | None, done: str
) -> HttpResponse:
    """Save the posted address form (a new address, or `address_id`): the addresses card as
    it now is, or the form again with what was refused."""
    form = AddressForm(request.POST)
    if form.is_valid():
        data = form.to_input()
        assert data is not None
        try:
            customer_address_save(
                customer_id=customer.pk,
                data=data,
                address_id=address_id,
                make_default=form.cleaned_data.get("make_default", False),
            )
        except CustomerError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done)
            if not is_htmx(request):
                return _to_detail(customer.pk, "#customer-addresses")
            return _addresses_section(request, customer)
    editing = address_id if address_id is not None else "new"
    return _addresses_section(request, customer, address_form=form, editing=editing, status=422)


@require_POST
@require_perm("orders.change_customer")
def customer_address_delete_view(request: HttpRequest, pk: int, address_pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=pk)
    try:
        customer_address_delete(customer_id=pk, address_id=address_pk)
    except CustomerError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Address deleted."))
    if not is_htmx(request):
        return _to_detail(pk, "#customer-addresses")
    return _addresses_section(request, customer)


# --- Merge ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@require_perm("orders.merge_customer")
def customer_merge_view(request: HttpRequest, pk: int, duplicate_pk: int) -> HttpResponse:
    """GET: what would move from the duplicate to this customer; POST: merge them."""
    if request.method == "POST":
        try:
            target = customer_merge(
                target_id=pk, duplicate_ids=[duplicate_pk], user_id=request.user.pk
            )
        except CustomerError as error:
            messages.error(request, str(error))
            return _to_detail(pk)
        duplicate = Customer.objects.only("name").get(pk=duplicate_pk)
        messages.success(
            request,
            _("%(duplicate)s was merged into %(name)s.")
            % {"duplicate": duplicate.name, "name": target.name},
        )
        return _to_detail(target.pk)
    try:
        preview = selectors.customer_merge_preview(target_id=pk, duplicate_id=duplicate_pk)
    except Customer.DoesNotExist:
        raise Http404 from None
    if pk == duplicate_pk:
        messages.error(request, _("A customer cannot be merged into itself."))
        return _to_detail(pk)
    for customer in (preview.target, preview.duplicate):
        if customer.merged_into_id is not None:
            messages.error(
                request,
                _("%(name)s was merged into another customer; use that one.")
                % {"name": customer.name},
            )
            return _to_detail(pk)
    return render(
        request,
        "orders/customers/merge_confirm.html",
        {
            "preview": preview,
            "target_phones": selectors.customer_phones(preview.target),
            "duplicate_phones": selectors.customer_phones(preview.duplicate),
        },
    )
