"""A shop's "Promotions & holds": the list (a partial of the shop's page), add a hold, end one
early. HTMX swaps the section (#holds); without HTMX the answers go back to the page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from channels_sync.forms_holds import StockHoldForm
from channels_sync.models import ChannelAccount, StockHold
from channels_sync.selectors.holds import holds_for_shop
from channels_sync.services.holds import HoldError, hold_create, hold_end
from channels_sync.views.common import PERM, account_or_404
from common.auth import require_perm
from common.htmx import is_htmx, render_partial_or_page

TEMPLATE = "channels_sync/shop_detail.html"


def holds_context(account: ChannelAccount, form: StockHoldForm | None = None) -> dict[str, Any]:
    return {
        "account": account,
        "holds": holds_for_shop(account_id=account.pk, now=timezone.now()),
        "hold_form": form or StockHoldForm(),
    }


def _answer(
    request: HttpRequest, account: ChannelAccount, form: StockHoldForm | None, status: int = 200
) -> HttpResponse:
    if not is_htmx(request):
        return redirect("channels_sync:shop_detail", account.pk)
    return render_partial_or_page(
        request, TEMPLATE, holds_context(account, form), partial="holds", status=status
    )


@require_GET
@require_perm(PERM)
def shop_holds(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(pk)
    if not is_htmx(request):
        return redirect("channels_sync:shop_detail", account.pk)
    return render_partial_or_page(request, TEMPLATE, holds_context(account), partial="holds")


@require_POST
@require_perm(PERM)
def hold_add(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(pk)
    form = StockHoldForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            made = hold_create(
                account_id=account.pk,
                variant_ids=data["skus"],
                quantity=data["quantity"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                name=data["name"],
                user_id=request.user.pk,
            )
        except HoldError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(count)d holds recorded.") % {"count": len(made)})
            return _answer(request, account, None)
    if not is_htmx(request):
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return _answer(request, account, form, status=422)


@require_POST
@require_perm(PERM)
def hold_stop(request: HttpRequest, pk: int, hold_id: int) -> HttpResponse:
    account = account_or_404(pk)
    try:
        hold_end(hold_id=hold_id, account_id=account.pk)
    except StockHold.DoesNotExist:
        messages.error(request, _("This hold does not exist."))
    except HoldError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The hold ended; its units count for every shop again."))
    return _answer(request, account, None)
