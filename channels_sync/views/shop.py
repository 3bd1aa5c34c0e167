"""A shop's page: its figures, settings (order warehouse, stock push rules, base URL) and its
runs, which poll while one is going (the partial keeps `hx-trigger="every 1s"` only then);
and its listings page, where unlinked listings are linked to our variants in bulk."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from channels_sync.forms import RUN_KINDS, ListingFilterForm, ListingLinkForm, ShopSettingsForm
from channels_sync.models import ChannelAccount
from channels_sync.selectors import accounts as selectors
from channels_sync.selectors.runs import any_live, runs_recent
from channels_sync.services.listings import listings_create_products, listings_link_bulk
from channels_sync.services.shop_settings import ShopSettingsError, account_settings_save
from channels_sync.views.common import PERM, account_or_404
from channels_sync.views.holds import holds_context
from common.auth import require_perm
from common.forms import parse_query
from common.htmx import render_partial_or_page
from common.pagination import paginate

LISTINGS_PER_PAGE = 50
WATCH_SECONDS = 60


def _settings_form(account: ChannelAccount) -> ShopSettingsForm:
    return ShopSettingsForm(
        initial={
            "warehouse": account.warehouse_id,
            "push_enabled": account.push_enabled,
            "push_warehouses": list(account.push_warehouses.values_list("pk", flat=True)),
            "push_percent": account.push_percent,
            "push_offset": account.push_offset,
            "push_floor": account.push_floor,
            "api_base_url": account.api_base_url,
        }
    )


def _watch(request: HttpRequest) -> int | None:
    """`?watch=<unix time>`: a job was just queued at that time (by "Run now")."""
    value = request.GET.get("watch", "")
    return int(value) if value.isdigit() and len(value) <= 12 else None


def _runs_context(account: ChannelAccount, *, watch: int | None = None) -> dict[str, Any]:
    """The runs, and whether the table keeps polling: while a run is queued or running, and
    for up to WATCH_SECONDS after "Run now" until the worker has started the job."""
    runs = runs_recent(account_id=account.pk)
    live = any_live(runs)
    now = timezone.now().timestamp()
    if not live and watch is not None and 0 <= now - watch < WATCH_SECONDS:
        live = not any(row.run.created_at.timestamp() >= watch - 1 for row in runs)
    return {"account": account, "runs": runs, "live": live, "watch": watch if live else None}


def _detail_context(
    account: ChannelAccount, form: ShopSettingsForm | None, *, watch: int | None = None
) -> dict[str, Any]:
    now = timezone.now()
    return {
        **_runs_context(account, watch=watch),
        "form": form or _settings_form(account),
        "access_near": selectors.expiry_is_near(account.access_expires_at, now=now),
        "auth_near": selectors.expiry_is_near(account.authorized_until, now=now),
        "listing_counts": selectors.listing_counts(account_id=account.pk),
        "run_kinds": RUN_KINDS,
        **holds_context(account),
    }


@require_GET
@require_perm(PERM)
def shop_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(pk)
    context = _detail_context(account, None, watch=_watch(request))
    return render(request, "channels_sync/shop_detail.html", context)


@require_GET
@require_perm(PERM)
def shop_runs(request: HttpRequest, pk: int) -> HttpResponse:
    """The runs table alone: what the page polls while a run is going."""
    account = account_or_404(pk)
    return render_partial_or_page(
        request,
        "channels_sync/shop_detail.html",
        _runs_context(account, watch=_watch(request)),
        partial="runs",
    )


@require_POST
@require_perm(PERM)
def shop_settings(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(pk)
    form = ShopSettingsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            account_settings_save(
                account_id=account.pk,
                warehouse_id=data["warehouse"].pk if data["warehouse"] else None,
                push_enabled=data["push_enabled"],
                push_warehouse_ids=[w.pk for w in data["push_warehouses"]],
                push_percent=data["push_percent"],
                push_offset=data["push_offset"],
                push_floor=data["push_floor"],
                api_base_url=data["api_base_url"],
            )
        except ShopSettingsError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Settings of %(shop)s saved.") % {"shop": account})
            return redirect("channels_sync:shop_detail", account.pk)
    return render(
        request, "channels_sync/shop_detail.html", _detail_context(account, form), status=422
    )


@require_GET
@require_perm(PERM)
def listing_list(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(pk)
    parsed = parse_query(ListingFilterForm, request.GET)
    page = paginate(
        selectors.listings_unlinked(account_id=account.pk, q=parsed.values["q"]),
        page=parsed.values["page"] or 1,
        per_page=LISTINGS_PER_PAGE,
    )
    return render_partial_or_page(
        request,
        "channels_sync/listing_list.html",
        {
            "account": account,
            "filters": parsed.form,
            "page": page,
            "counts": selectors.listing_counts(account_id=account.pk),
        },
        partial="listing-table",
        target="listing-table",
    )


@require_POST
@require_perm(PERM, "inventory.add_product")
def listing_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Link the listings given a variant; or create products from the ticked ones."""
    account = account_or_404(pk)
    ids = [
        int(key.removeprefix("variant_"))
        for key in request.POST
        if key.startswith("variant_") and key.removeprefix("variant_").isdigit()
    ][:500]
    ids += [int(v) for v in request.POST.getlist("selected") if v.isdigit()][:500]
    owned = set(
        account.listings.filter(pk__in=ids, variant__isnull=True).values_list("pk", flat=True)
    )
    form = ListingLinkForm(request.POST, listing_ids=sorted(owned))
    if not form.is_valid():
        messages.error(request, _("Nothing was changed: the form was not valid."))
    elif form.cleaned_data["action"] == "create":
        chosen = form.cleaned_data["selected"]
        if not chosen:
            messages.error(request, _("Tick the listings to create products from."))
        else:
            made = listings_create_products(listing_ids=chosen, user_id=request.user.pk)
            messages.success(request, _("%(count)d products created and linked.") % {"count": made})
    else:
        links = form.links()
        if not links:
            messages.error(request, _("Choose a product for at least one listing."))
        else:
            linked = listings_link_bulk(account_id=account.pk, links=links, user_id=request.user.pk)
            messages.success(request, _("%(count)d listings linked.") % {"count": linked})
    return redirect("channels_sync:listing_list", account.pk)
