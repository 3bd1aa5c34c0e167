"""The carriers' callbacks as received, for staff: those that need attention (quarantined
with the reason), those refused for a bad token, or all; "Re-apply" after a fix."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from common.auth import require_perm
from common.forms import PageField, parse_query
from common.htmx import is_htmx, render_partial_or_page
from common.pagination import paginate
from shipping import selectors
from shipping.models import CallbackResult, CarrierCallback
from shipping.services.callbacks import callback_reapply
from shipping.views.accounts import PERM

TEMPLATE = "shipping/callback_list.html"


class CallbackFilterForm(forms.Form):
    result = forms.ChoiceField(
        choices=[("", _("All")), *CallbackResult.choices],
        required=False,
        initial=CallbackResult.QUARANTINED,
    )
    page = PageField()


@require_GET
@require_perm(PERM)
def callback_list(request: HttpRequest) -> HttpResponse:
    parsed = parse_query(CallbackFilterForm, request.GET)
    result = parsed.values.get("result", CallbackResult.QUARANTINED)
    if "result" not in request.GET:
        result = CallbackResult.QUARANTINED
    page = paginate(
        selectors.callback_list(result=result or ""),
        page=parsed.values.get("page") or 1,
        per_page=50,
    )
    tabs = [
        (CallbackResult.QUARANTINED.value, _("Needs attention")),
        (CallbackResult.REJECTED.value, _("Rejected: bad credentials")),
        ("", _("All")),
    ]
    return render_partial_or_page(
        request,
        TEMPLATE,
        {"filters": parsed.form, "page": page, "result": result or "", "tabs": tabs},
        partial="callback-table",
        target="callback-table",
    )


@require_POST
@require_perm(PERM)
def callback_reapply_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not CarrierCallback.objects.filter(pk=pk).exists():
        raise Http404
    callback = callback_reapply(callback_id=pk)
    if is_htmx(request):
        return render_partial_or_page(
            request, TEMPLATE, {"callback": callback}, partial="callback-row"
        )
    return redirect("shipping:callback_list")
