"""The Marketplaces page (apps and shops), the app form, connecting a shop (the platform's
authorisation page and its callback), "run now" and pause/resume."""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from channels_sync import tasks
from channels_sync.adapters import adapter_class
from channels_sync.adapters.base import ChannelError
from channels_sync.forms import RUN_KINDS, AppForm, RunForm
from channels_sync.models import ChannelApp
from channels_sync.selectors import accounts as selectors
from channels_sync.services.accounts import (
    app_save,
    connect_finish_all,
    connect_url,
    consent_origins,
    default_base_url,
)
from channels_sync.services.shop_settings import ShopSettingsError, account_pause
from channels_sync.views.common import PERM, account_or_404, channel_error_text
from common.auth import require_perm

# "Run now": the task and its arguments beyond the shop (a stock push sends every listing).
RUN_TASKS: dict[str, tuple[Any, dict[str, Any]]] = {
    "orders": (tasks.pull_orders, {}),
    "listings": (tasks.pull_listings, {}),
    "stock": (tasks.push_stock, {"force": True}),
}


@require_GET
@require_perm(PERM)
def marketplace_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    shops = selectors.account_list()
    for shop in shops:
        shop.access_near = selectors.expiry_is_near(shop.access_expires_at, now=now)  # type: ignore[attr-defined]
        shop.auth_near = selectors.expiry_is_near(shop.authorized_until, now=now)  # type: ignore[attr-defined]
    apps = selectors.app_list()
    response = render(
        request,
        "channels_sync/marketplace_list.html",
        {"apps": apps, "shops": shops, "run_kinds": RUN_KINDS},
    )
    # "Connect a shop" posts here and is redirected to the platform's consent page: allowed
    # as a form target (django-csp merges this into form-action), else the browser stops it.
    response._csp_update = {"form-action": consent_origins(apps)}  # type: ignore[attr-defined]
    return response


def _app_or_404(pk: int) -> ChannelApp:
    try:
        return selectors.app_get(app_id=pk)
    except ChannelApp.DoesNotExist:
        raise Http404 from None


@require_http_methods(["GET", "POST"])
@require_perm(PERM)
def app_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add an app (pk None) or edit one. The secret is write-only: blank keeps the stored one."""
    app = _app_or_404(pk) if pk is not None else None
    initial = {}
    if app is not None:
        initial = {
            "platform": app.platform,
            "name": app.name,
            "app_key": app.app_key,
            "api_base_url": app.api_base_url,
        }
    form = AppForm(request.POST or None, app=app, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        secret = data["app_secret"] or (app.app_secret if app is not None else "")
        saved = app_save(
            platform=data["platform"],
            name=data["name"],
            app_key=data["app_key"],
            app_secret=secret,
            api_base_url=data["api_base_url"] or default_base_url(data["platform"]),
            app_id=app.pk if app is not None else None,
        )
        messages.success(request, _("App %(name)s saved.") % {"name": saved.name})
        return redirect("channels_sync:marketplace_list")
    return render(request, "channels_sync/app_form.html", {"form": form, "app": app})


def callback_url(request: HttpRequest, app_id: int, state: str = "") -> str:
    """Where the platform sends the seller back: on SITE_URL when set (the address
    registered with the platform), else the address this request came in on. With `state`
    (Shopee, which has no state parameter) the one-time token is the path's last part."""
    if state:
        path = reverse("channels_sync:oauth_callback_state", args=[app_id, state])
    else:
        path = reverse("channels_sync:oauth_callback", args=[app_id])
    if settings.SITE_URL:
        return settings.SITE_URL + path
    return request.build_absolute_uri(path)


OAUTH_STATES = "channels_sync_oauth_states"  # session key: {app id: the pending one-time state}


@require_POST
@require_perm(PERM)
def shop_connect(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Connect a shop": off to the platform's authorisation page, with a random one-time
    state bound to this staff member's session (CSRF for the callback)."""
    app = _app_or_404(pk)
    state = secrets.token_urlsafe(24)
    request.session[OAUTH_STATES] = {**request.session.get(OAUTH_STATES, {}), str(app.pk): state}
    if adapter_class(app.platform).authorize_has_state:
        url = connect_url(app_id=app.pk, redirect_url=callback_url(request, app.pk), state=state)
    else:
        url = connect_url(app_id=app.pk, redirect_url=callback_url(request, app.pk, state))
    return redirect(url)


def _state_matches(request: HttpRequest, app_id: int, given: str) -> bool:
    """Whether `given` is the state this session was sent off with; it is spent either way."""
    pending = dict(request.session.get(OAUTH_STATES, {}))
    expected = pending.pop(str(app_id), "")
    request.session[OAUTH_STATES] = pending
    return bool(expected) and hmac.compare_digest(expected.encode(), given.encode())


@require_GET
@require_perm(PERM)
def oauth_callback(request: HttpRequest, app_id: int, state: str = "") -> HttpResponse:
    """The platform sends the seller back here with `code` and `shop_id`; Lazada sends `code`
    only (the seller comes with the tokens), TikTok `code` (the shop comes from its
    authorised-shops call). Lazada and TikTok send our `state` back in the query, Shopee's
    redirect has it in its path: a callback without this session's state connects nothing."""
    app = _app_or_404(app_id)
    if adapter_class(app.platform).authorize_has_state:
        state = request.GET.get("state", "")[:128]
    if not _state_matches(request, app.pk, state):
        messages.error(
            request,
            _(
                "This authorisation was not started from this session (or was already used): "
                'nothing was connected. Click "Connect a shop" again.'
            ),
        )
        return redirect("channels_sync:marketplace_list")
    code = request.GET.get("code", "").strip()[:512]
    shop_id = request.GET.get("shop_id", "").strip()[:64]
    names_shop = adapter_class(app.platform).callback_has_shop_id
    if not code or code == "null" or ((shop_id or names_shop) and not shop_id.isdigit()):
        messages.error(
            request,
            _("The platform did not send the shop's authorisation back. Connect the shop again."),
        )
        return redirect("channels_sync:marketplace_list")
    try:
        account, *others = connect_finish_all(app_id=app.pk, code=code, shop_id=shop_id)
    except ChannelError as error:
        messages.error(
            request,
            _("The shop could not be connected: %(error)s") % {"error": channel_error_text(error)},
        )
        return redirect("channels_sync:marketplace_list")
    if others:  # one authorisation, several shops (TikTok): each is its own shop here
        names = ", ".join(a.name or a.shop_id for a in [account, *others])
        messages.success(
            request,
            _(
                "%(count)d shops are connected: %(names)s. Choose each one's order warehouse "
                "and stock rules."
            )
            % {"count": 1 + len(others), "names": names},
        )
        return redirect("channels_sync:marketplace_list")
    messages.success(
        request,
        _("Shop %(name)s is connected. Choose its order warehouse and stock rules below.")
        % {"name": account.name or account.shop_id},
    )
    return redirect("channels_sync:shop_detail", account.pk)


@require_POST
@require_perm(PERM)
def shop_run(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Run now": queue an order pull, a listing pull or a stock push for this shop."""
    account = account_or_404(pk)
    form = RunForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to run."))
    elif account.status != account.Status.ACTIVE:
        messages.error(request, _("The shop is not connected: nothing was started."))
    else:
        kind = form.cleaned_data["kind"]
        task, extra = RUN_TASKS[kind]
        tasks.enqueue(task, account_id=account.pk, **extra)
        messages.success(
            request,
            _("%(job)s queued for %(shop)s: its progress appears below in a moment.")
            % {"job": RUN_KINDS[kind], "shop": account},
        )
        # The shop's page watches for the run to appear, then follows its progress.
        watch = int(timezone.now().timestamp())
        return redirect(reverse("channels_sync:shop_detail", args=[account.pk]) + f"?watch={watch}")
    return redirect(_back(request, account.pk))


def _back(request: HttpRequest, pk: int) -> str:
    """Back to the Marketplaces page when the button was there, else to the shop's page."""
    if request.POST.get("back") == "list":
        return reverse("channels_sync:marketplace_list")
    return reverse("channels_sync:shop_detail", args=[pk])


@require_POST
@require_perm(PERM)
def shop_pause(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(pk)
    paused = request.POST.get("paused") == "1"
    try:
        account_pause(account_id=account.pk, paused=paused)
    except ShopSettingsError as error:
        messages.error(request, str(error))
    else:
        if paused:
            messages.success(
                request,
                _("%(shop)s is paused: no orders are pulled and no stock is pushed.")
                % {"shop": account},
            )
        else:
            messages.success(request, _("%(shop)s is syncing again.") % {"shop": account})
    return redirect(_back(request, account.pk))


@require_GET
@require_perm(PERM)
def attention_badge(request: HttpRequest) -> HttpResponse:
    """The sidebar badge: quarantined payloads + oversold orders (loaded by htmx)."""
    return render(
        request,
        "channels_sync/partials/nav_badge.html",
        {"count": selectors.attention_count()},
    )
