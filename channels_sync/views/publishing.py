"""Publishing pages: "Publish to shop" for one product (shop, searchable category tree, the
category's attributes, brand, package, images, the variation plan shown before sending), the
publication's page (polls while sending; review state and reason; send again, check review,
push changes), and bulk publish of products picked in the product list with a result per
product."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from channels_sync.adapters.base import ChannelError
from channels_sync.forms_publishing import PublishForm
from channels_sync.models import ChannelAccount, Publication, PublicationStatus
from channels_sync.publish_errors import publish_error_text
from channels_sync.selectors import publications as selectors
from channels_sync.services.publishing import (
    PublishError,
    publication_queue,
    publication_save,
    publications_bulk,
)
from channels_sync.services.publishing_catalog import (
    CategoryInfo,
    categories_search,
    category_info,
)
from channels_sync.services.publishing_plan import package_defaults, product_for_publishing
from channels_sync.tasks_publishing import enqueue_push, enqueue_review
from channels_sync.views.common import PERM, channel_error_text
from common.auth import require_perm
from common.htmx import render_partial_or_page
from inventory.models import Product

LIVE = (PublicationStatus.SENDING,)


def _shop(request: HttpRequest, shops: list[ChannelAccount]) -> ChannelAccount | None:
    wanted = request.POST.get("shop") or request.GET.get("shop") or ""
    chosen = next((s for s in shops if str(s.pk) == wanted), None)
    return chosen or (shops[0] if len(shops) == 1 else None)


def _category(account: ChannelAccount | None, category_id: str) -> tuple[CategoryInfo | None, str]:
    """The category's info, or the reason it could not be read (in the user's language)."""
    if account is None or not category_id:
        return None, ""
    try:
        return category_info(account, category_id), ""
    except ChannelError as error:
        return None, channel_error_text(error)


def _context(
    product: Product | None,
    shops: list[ChannelAccount],
    account: ChannelAccount | None,
    next_url: str,
) -> dict[str, Any]:
    """The page's shop and category picker: the shop's leaf categories (the tree as paths) and
    the address each one links to (`next_url` + `&category=`)."""
    categories: list[Any] = []
    problem = ""
    if account is not None:
        try:
            categories = categories_search(account, "")
        except ChannelError as error:
            problem = channel_error_text(error)
    return {
        "product": product,
        "shops": shops,
        "account": account,
        "categories": categories,
        "next": next_url,
        "tree_problem": problem,
    }


def _next_url(name: str, account: ChannelAccount | None, *args: Any, query: str = "") -> str:
    base = reverse(f"channels_sync:{name}", args=args)
    return f"{base}?shop={account.pk if account else ''}{query}"


@require_http_methods(["GET", "POST"])
@require_perm(PERM)
def publish_product(request: HttpRequest, product_id: int) -> HttpResponse:
    try:
        product = product_for_publishing(product_id)
    except Product.DoesNotExist:
        raise Http404 from None
    shops = selectors.publishable_shops()
    account = _shop(request, shops)
    existing = account and selectors.publication_of(product_id=product_id, account_id=account.pk)
    category_id = request.POST.get("category") or request.GET.get("category") or ""
    if not category_id and existing:
        category_id = existing.category_id
    info, problem = _category(account, category_id)
    form = None
    if info is not None:
        initial = package_defaults(product)
        form = PublishForm(
            request.POST if request.method == "POST" else None,
            info=info,
            product=product,
            initial=initial,
        )
        if request.method == "POST" and form.is_valid() and account is not None:
            try:
                publication = publication_save(
                    product_id=product.pk,
                    account_id=account.pk,
                    data=form.publication_input(),
                    user_id=request.user.pk,
                )
            except PublishError as error:
                form.add_error(None, publish_error_text(error.code))
            else:
                if not publication_queue(publication_id=publication.pk):
                    messages.info(request, publish_error_text("saved_not_sent"))
                return redirect("channels_sync:publication_detail", publication.pk)
    context = _context(
        product, shops, account, _next_url("publish_product", account, product.pk)
    ) | {
        "form": form,
        "info": info,
        "problem": problem,
        "category_id": category_id,
        "existing": existing,
        "plan": form.plan_preview(request.GET.get("plan")) if form is not None else None,
        "chosen_images": [str(x) for x in form["images"].value() or []] if form else [],
    }
    return render_partial_or_page(
        request, "channels_sync/publish_form.html", context, partial="plan", target="plan"
    )


@require_GET
@require_perm(PERM)
def publish_categories(request: HttpRequest, pk: int) -> HttpResponse:
    """The leaf categories of shop `pk` matching `q` (the category picker's results)."""
    account = get_object_or_404(ChannelAccount, pk=pk)
    query = request.GET.get("q", "").strip()[:100]
    next_url = request.GET.get("next", "")
    try:
        found, problem = categories_search(account, query), ""
    except ChannelError as error:
        found, problem = [], channel_error_text(error)
    return render_partial_or_page(
        request,
        "channels_sync/partials/category_results.html",
        {
            "account": account,
            "categories": found,
            "problem": problem,
            "next": next_url if next_url.startswith("/marketplaces/publish/") else "",
            "query": query,
        },
    )


@require_GET
@require_perm(PERM)
def publication_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        publication = selectors.publication_get(publication_id=pk)
    except Publication.DoesNotExist:
        raise Http404 from None
    return render_partial_or_page(
        request,
        "channels_sync/publication_detail.html",
        {
            "publication": publication,
            "live": publication.status in LIVE,
            "error": publish_error_text(publication.error_code, publication.error_message),
            "listings": selectors.publication_listings(publication=publication),
        },
        partial="publication-status",
        target="publication-status",
    )


@require_POST
@require_perm(PERM)
def publication_action(request: HttpRequest, pk: int) -> HttpResponse:
    """send (again) | review (check the platform's review now) | push (our edits)."""
    publication = get_object_or_404(Publication, pk=pk)
    action = request.POST.get("action", "")
    if action == "send":
        if not publication_queue(publication_id=pk):
            messages.error(request, publish_error_text("busy"))
    elif action == "review" and publication.items:
        enqueue_review(publication_id=pk)
        messages.success(request, pgettext("publish", "Asking the platform for the review state."))
    elif action == "push" and publication.items:
        enqueue_push(publication_id=pk)
        messages.success(request, pgettext("publish", "Sending the changes to the platform."))
    else:
        messages.error(request, publish_error_text("not_published"))
    return redirect("channels_sync:publication_detail", pk)


def _bulk_ids(request: HttpRequest) -> list[int]:
    source = request.POST if request.method == "POST" else request.GET
    return [int(x) for x in source.getlist("product") if x.isdigit()][:200]


@require_http_methods(["GET", "POST"])
@require_perm(PERM)
def publish_bulk(request: HttpRequest) -> HttpResponse:
    products = list(selectors.products_for_bulk(product_ids=_bulk_ids(request)))
    shops = selectors.publishable_shops()
    account = _shop(request, shops)
    category_id = request.POST.get("category") or request.GET.get("category") or ""
    info, problem = _category(account, category_id)
    form = None
    if info is not None and products:
        form = PublishForm(
            request.POST if request.method == "POST" else None,
            info=info,
            product=product_for_publishing(products[0].pk),
            initial={"weight_grams": 300},
        )
        form.check_title = False
        for name in ("images", "plan"):  # each product's own images; its plan automatic
            form.fields[name].required = False
        if request.method == "POST" and form.is_valid() and account is not None:
            data = form.publication_input()
            batch = publications_bulk(
                product_ids=[p.pk for p in products],
                account_id=account.pk,
                data=data,
                max_images=info.limits.max_images,
                user_id=request.user.pk,
            )
            return redirect("channels_sync:publish_batch", batch)
    query = "".join(f"&product={p.pk}" for p in products)
    context = _context(None, shops, account, _next_url("publish_bulk", account, query=query)) | {
        "products": products,
        "form": form,
        "info": info,
        "problem": problem,
        "category_id": category_id,
    }
    return render_partial_or_page(request, "channels_sync/publish_bulk.html", context)


@require_GET
@require_perm(PERM)
def publish_batch(request: HttpRequest, batch: uuid.UUID) -> HttpResponse:
    rows = selectors.batch_publications(batch=batch)
    if not rows:
        raise Http404
    results = [(row, publish_error_text(row.error_code, row.error_message)) for row in rows]
    return render_partial_or_page(
        request,
        "channels_sync/publish_batch.html",
        {
            "batch": batch,
            "results": results,
            "live": any(row.status in LIVE for row in rows),
            "counts": {
                status: sum(1 for r in rows if r.status == status)
                for status in PublicationStatus.values
            },
        },
        partial="batch-results",
        target="batch-results",
    )
