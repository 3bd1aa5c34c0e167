"""Settings pages of the websites that send orders through the API, their request log
(with repair and re-apply of rejected requests) and the human API reference."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.auth import require_perm
from common.forms import parse_query
from common.htmx import is_htmx, render_partial_or_page
from common.pagination import page_number, paginate
from orders.api import selectors
from orders.api.openapi import EXAMPLES, openapi_document
from orders.api.reference import field_rows
from orders.api.schema import ERROR_CODES
from orders.forms_websites import (
    ReapplyForm,
    RequestFilterForm,
    WebsiteForm,
    WebsiteSettingsForm,
)
from orders.models import ApiEndpoint, ApiRequestOutcome, Website, WebsiteRequest
from orders.services import website_requests
from orders.services import websites as services

PER_PAGE = 25
SHOWN_BODY_CHARS = 20_000


def _website_or_404(pk: int) -> Website:
    try:
        return selectors.website_detail(website_id=pk)
    except Website.DoesNotExist:
        raise Http404 from None


def _api_base(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("api:order_create")).removesuffix("/orders")


# --- List and create --------------------------------------------------------------------------


@require_GET
@require_perm("orders.view_website")
def website_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "orders/websites/website_list.html",
        {"websites": selectors.website_list(), "recent_days": selectors.RECENT_DAYS},
    )


@require_http_methods(["GET", "POST"])
@require_perm("orders.add_website")
def website_create(request: HttpRequest) -> HttpResponse:
    form = WebsiteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        warehouse = form.cleaned_data["warehouse"]
        try:
            website, key = services.website_create(
                name=form.cleaned_data["name"],
                code=form.cleaned_data["code"],
                warehouse_id=warehouse.pk if warehouse else None,
                user_id=request.user.pk,
            )
        except services.WebsiteError as error:
            form.add_error(None, str(error))
        else:
            return _key_page(request, website, key, created=True)
    return render(request, "orders/websites/website_form.html", {"form": form})


def _key_page(request: HttpRequest, website: Website, key: str, *, created: bool) -> HttpResponse:
    """The key, shown once: never cached, never stored anywhere but in this response."""
    base = _api_base(request)
    example = json.dumps(EXAMPLES[settings.SHOP_CURRENCY], ensure_ascii=False, indent=2)
    response = render(
        request,
        "orders/websites/website_key.html",
        {
            "website": website,
            "key": key,
            "created": created,
            "api_base": base,
            "example": example,
            "curl": _curl(base, key, example),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


def _curl(base: str, key: str, example: str) -> str:
    body = example.replace("'", "'\\''")
    return (
        f"curl -X POST '{base}/orders' \\\n"
        f"  -H 'Authorization: Bearer {key}' \\\n"
        "  -H 'Content-Type: application/json' \\\n"
        "  -H 'Accept-Language: vi' \\\n"
        f"  --data-binary '{body}'"
    )


# --- Detail -----------------------------------------------------------------------------------


def _prepare(item: WebsiteRequest, *, open_id: int | None, form: ReapplyForm | None = None) -> None:
    """Attach what the template shows for one logged request."""
    item.is_open = item.pk == open_id  # type: ignore[attr-defined]
    body = item.raw_body
    item.body_shown = body[:SHOWN_BODY_CHARS]  # type: ignore[attr-defined]
    item.body_cut = len(body) > SHOWN_BODY_CHARS  # type: ignore[attr-defined]
    received = _received(item)
    repaired = item.payload is not None and received != item.payload
    item.repaired_text = (  # type: ignore[attr-defined]
        json.dumps(item.payload, ensure_ascii=False, indent=2) if repaired else ""
    )
    if item.outcome == ApiRequestOutcome.REJECTED:
        if form is None:
            form = ReapplyForm(initial={"payload": _repair_text(item)}, prefix=f"r{item.pk}")
        item.reapply_form = form  # type: ignore[attr-defined]


def _received(item: WebsiteRequest) -> Any:
    """The body as received, decoded (None when it is not JSON)."""
    try:
        return json.loads(item.raw_body)
    except ValueError:
        return None


def _repair_text(item: WebsiteRequest) -> str:
    """What staff start repairing from: the body as received (pretty-printed, keys in the
    website's order) while it is still the payload, else the payload last re-applied."""
    if item.payload is None:
        return item.raw_body
    received = _received(item)
    source = received if received == item.payload else item.payload
    return json.dumps(source, ensure_ascii=False, indent=2)


def _detail_context(
    request: HttpRequest, website: Website, *, extra: WebsiteRequest | None = None
) -> dict[str, Any]:
    parsed = parse_query(RequestFilterForm, request.GET)
    filters, outcome, open_id = parsed.form, parsed.values["outcome"], parsed.values["open"]
    page = paginate(
        selectors.website_requests(website_id=website.pk, outcome=outcome),
        page=page_number(request.GET.get("page")),
        per_page=PER_PAGE,
    )
    items = list(page.items)
    if extra is not None:
        items = [extra, *(i for i in items if i.pk != extra.pk)]
    for item in items:
        if item is not extra:
            _prepare(item, open_id=open_id)
    return {
        "website": website,
        "filters": filters,
        "page": page,
        "items": items,
        "settings_form": WebsiteSettingsForm(
            initial={"name": website.name, "warehouse": website.warehouse_id}
        ),
    }


@require_GET
@require_perm("orders.view_website")
def website_detail(request: HttpRequest, pk: int) -> HttpResponse:
    website = _website_or_404(pk)
    context = _detail_context(request, website)
    return render_partial_or_page(
        request, "orders/websites/website_detail.html", context, partial="request-log"
    )


@require_POST
@require_perm("orders.change_website")
def website_edit(request: HttpRequest, pk: int) -> HttpResponse:
    website = _website_or_404(pk)
    form = WebsiteSettingsForm(request.POST)
    if form.is_valid():
        warehouse = form.cleaned_data["warehouse"]
        try:
            services.website_update(
                website_id=website.pk,
                name=form.cleaned_data["name"],
                warehouse_id=warehouse.pk if warehouse else None,
            )
        except services.WebsiteError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Website %(name)s saved.") % {"name": website.code})
            return redirect("orders:website_detail", website.pk)
    context = _detail_context(request, website)
    context["settings_form"] = form
    context["settings_open"] = True
    return render(request, "orders/websites/website_detail.html", context, status=422)


@require_POST
@require_perm("orders.change_website")
def website_rotate_key(request: HttpRequest, pk: int) -> HttpResponse:
    website = _website_or_404(pk)
    try:
        key = services.website_key_rotate(website_id=website.pk)
    except services.WebsiteError as error:
        messages.error(request, str(error))
        return redirect("orders:website_detail", website.pk)
    return _key_page(request, website, key, created=False)


@require_POST
@require_perm("orders.change_website")
def website_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    website = _website_or_404(pk)
    active = request.POST.get("active") == "1"
    services.website_set_active(website_id=website.pk, active=active)
    if active:
        messages.success(
            request, _("%(code)s is active: its key is accepted.") % {"code": website.code}
        )
    else:
        messages.success(
            request,
            _("%(code)s is inactive: its requests are refused until it is activated again.")
            % {"code": website.code},
        )
    return redirect("orders:website_detail", website.pk)


@require_POST
@require_perm("orders.change_website")
def website_request_reapply(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        entry = selectors.website_request(request_id=pk)
    except WebsiteRequest.DoesNotExist:
        raise Http404 from None
    form = ReapplyForm(request.POST, prefix=f"r{entry.pk}")
    applied = False
    if form.is_valid():
        try:
            entry = website_requests.website_request_reapply(
                request_id=entry.pk,
                payload_text=form.cleaned_data["payload"],
                user_id=request.user.pk,
            )
        except services.WebsiteError as error:
            messages.error(request, str(error))
        else:
            entry = selectors.website_request(request_id=entry.pk)
            if entry.outcome == ApiRequestOutcome.REJECTED:
                form.add_error(
                    None, _("Still rejected: correct the errors listed and apply again.")
                )
            else:
                applied = True
                messages.success(request, _reapplied_message(entry))
    if applied:
        _prepare(entry, open_id=entry.pk)
    else:
        _prepare(entry, open_id=entry.pk, form=form)
    if is_htmx(request):
        return render(
            request,
            "orders/websites/website_detail.html#request-item",
            {"item": entry, "website": entry.website},
            status=200 if applied else 422,
        )
    if applied:
        url = reverse("orders:website_detail", args=[entry.website_id])
        return redirect(f"{url}?open={entry.pk}#req-{entry.pk}")
    context = _detail_context(request, entry.website, extra=entry)
    return render(request, "orders/websites/website_detail.html", context, status=422)


def _reapplied_message(entry: WebsiteRequest) -> str:
    if entry.endpoint != ApiEndpoint.ORDERS:
        if entry.outcome == ApiRequestOutcome.DUPLICATE:
            return _("The request %(id)s was already received; nothing new was created.") % {
                "id": entry.external_number
            }
        return _("%(endpoint)s %(id)s stored from the repaired request.") % {
            "endpoint": entry.get_endpoint_display(),
            "id": entry.external_number,
        }
    number = entry.order.number if entry.order else ""
    if entry.outcome == ApiRequestOutcome.DUPLICATE:
        return _("This order was already received as %(number)s; nothing new was created.") % {
            "number": number
        }
    return _("Order %(number)s created from the repaired request.") % {"number": number}


# --- API reference ----------------------------------------------------------------------------


def _pretty(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


@require_GET
@require_perm("orders.view_website")
def api_docs(request: HttpRequest) -> HttpResponse:
    base = _api_base(request)
    document = openapi_document(server_url=base)
    endpoints = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            responses = []
            for code, response in operation["responses"].items():
                content = response.get("content", {}).get("application/json", {})
                example = content.get("example")
                responses.append(
                    {
                        "code": code,
                        "description": response["description"],
                        "example": _pretty(example) if example is not None else "",
                    }
                )
            endpoints.append(
                {
                    "anchor": operation["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "url": base + path,
                    "summary": operation["summary"],
                    "description": operation.get("description", ""),
                    "public": operation.get("security") == [],
                    "example": _pretty(body["example"]) if body and "example" in body else "",
                    "responses": responses,
                }
            )
    return render(
        request,
        "orders/websites/api_docs.html",
        {
            "document": document,
            "api_base": base,
            "endpoints": endpoints,
            "request_fields": field_rows(document, "OrderRequest"),
            "status_fields": field_rows(document, "OrderStatus"),
            "error_codes": [(code, str(text)) for code, text in ERROR_CODES.items()],
            "money": document["components"]["schemas"]["Money"]["description"],
            "address": document["components"]["schemas"]["ShippingAddress"]["description"],
        },
    )
