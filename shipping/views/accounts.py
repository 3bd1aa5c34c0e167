"""Carrier accounts: the list, add/edit, connect (the carrier checks the credentials) and a
master data refresh. Owner and manager (shipping.manage_carriers)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.auth import require_perm
from shipping import selectors, tasks
from shipping.errors import ShippingError
from shipping.forms import AccountForm
from shipping.models import CarrierAccount
from shipping.services.accounts import (
    account_webhook_url,
    carrier_account_connect,
    carrier_account_save,
)

PERM = "shipping.manage_carriers"


def _account_or_404(pk: int) -> CarrierAccount:
    try:
        return selectors.account_get(account_id=pk)
    except CarrierAccount.DoesNotExist:
        raise Http404 from None


def webhook_url(request: HttpRequest, account: CarrierAccount) -> str:
    """The address to register with the carrier (see account_webhook_url)."""
    base = settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")
    return account_webhook_url(account, base=base)


@require_GET
@require_perm(PERM)
def account_list(request: HttpRequest) -> HttpResponse:
    accounts = selectors.account_list()
    rows = [(a, webhook_url(request, a)) for a in accounts]
    return render(
        request,
        "shipping/account_list.html",
        {"rows": rows, "quarantined": selectors.quarantined_callbacks_count()},
    )


@require_http_methods(["GET", "POST"])
@require_perm(PERM)
def account_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    account = _account_or_404(pk) if pk is not None else None
    initial = AccountForm.initial_for(account) if account is not None else {}
    form = AccountForm(request.POST or None, account=account, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = carrier_account_save(
                data=form.account_input(), account_id=account.pk if account else None
            )
        except ShippingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Carrier account %(name)s saved.") % {"name": saved.name})
            return redirect("shipping:account_list")
    return render(request, "shipping/account_form.html", {"form": form, "account": account})


@require_POST
@require_perm(PERM)
def account_connect(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_or_404(pk)
    try:
        carrier_account_connect(account_id=account.pk)
    except ShippingError as error:
        messages.error(
            request,
            _("%(name)s could not be connected: %(error)s")
            % {"name": account.name, "error": error},
        )
    else:
        messages.success(request, _("%(name)s is connected.") % {"name": account.name})
    return redirect("shipping:account_list")


@require_POST
@require_perm(PERM)
def account_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_or_404(pk)
    tasks.enqueue(tasks.refresh_account_master_data, account_id=account.pk)
    messages.success(
        request,
        _("The provinces, districts and wards of %(name)s are being refreshed.")
        % {"name": account.name},
    )
    return redirect("shipping:account_list")
