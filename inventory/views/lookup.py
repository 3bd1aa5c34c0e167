from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from common.auth import require_perm
from inventory.selectors.catalogue import variant_lookup as lookup


@require_perm("inventory.view_variant")
def variant_lookup(request: HttpRequest) -> HttpResponse:
    """Results for the variant picker (templates/inventory/partials/variant_picker.html)."""
    q = request.GET.get("q", "")
    return render(
        request,
        "inventory/partials/variant_options.html",
        {"variants": lookup(q=q), "q": q},
    )
