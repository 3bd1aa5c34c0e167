from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.auth import require_perm
from common.htmx import render_partial_or_page
from crm import selectors, services
from crm.forms import LanguageForm, LoginForm, ShopProfileForm
from inventory.errors import InventoryError
from inventory.selectors.shop import shop_profile
from inventory.services.shop import shop_profile_save


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    """Sign in (throttled by crm.lockout); the user's saved language becomes the active one."""

    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        language = getattr(form.get_user(), "language", "")
        if language:
            _set_language_cookie(response, language)
        return response


@require_perm()
def dashboard(request: HttpRequest) -> HttpResponse:
    summary = selectors.dashboard_summary(user=request.user)  # type: ignore[arg-type]
    return render(request, "crm/dashboard.html", {"summary": summary})


@require_POST
@login_not_required
def language_switch(request: HttpRequest) -> HttpResponse:
    """Switch the UI language; signed-in users keep it as their own preference."""
    form = LanguageForm(request.POST)
    target = request.POST.get("next") or request.headers.get("Referer") or reverse("dashboard")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("dashboard")
    response = HttpResponseRedirect(target)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.user_set_language(user=request.user, language=language)
        translation.activate(language)
        _set_language_cookie(response, language)
    return response


@never_cache
@require_perm("crm.view_health")
def health(request: HttpRequest) -> HttpResponse:
    checks = selectors.system_health()
    context = {
        "checks": checks,
        "all_ok": all(c.ok for c in checks),
        "state": selectors.overall_state(checks),
    }
    return render_partial_or_page(request, "crm/health.html", context, partial="health-checks")


@never_cache
@require_GET
@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and docker: database (and Redis when used), no details.

    Only the database decides the status code: while Redis is down the app still takes orders
    (common/cache.py), so a load balancer must keep sending them ("status": "degraded")."""
    checks = {c.key: c.ok for c in selectors.system_health() if c.key in ("database", "redis")}
    status = "ok" if all(checks.values()) else "degraded" if checks["database"] else "error"
    return JsonResponse({"status": status, **checks}, status=200 if checks["database"] else 503)


@require_http_methods(["GET", "POST"])
@require_perm("inventory.change_shopprofile")
def shop_settings(request: HttpRequest) -> HttpResponse:
    """The shop's name, address, phone, e-mail and tax code, printed on its documents."""
    if request.method == "POST":
        form = ShopProfileForm(request.POST)
        if form.is_valid():
            try:
                shop_profile_save(**form.cleaned_data, user_id=request.user.pk)
            except InventoryError as error:
                form.add_error("tax_code", str(error))
            else:
                messages.success(request, _("Shop details saved."))
                return redirect("shop_settings")
    else:
        profile = shop_profile()
        form = ShopProfileForm(
            initial={
                "name": profile.name,
                "address": profile.address,
                "phone": profile.phone,
                "email": profile.email,
                "tax_code": profile.tax_code,
            }
        )
    return render(request, "crm/shop_settings.html", {"form": form})
