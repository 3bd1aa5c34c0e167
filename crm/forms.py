from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

LOCKED_MESSAGE = _(
    "Too many failed sign-in attempts. Please wait %(minutes)d minutes and try again."
)


class _LockMessage:
    """Says so when the sign-in was refused by the lock (crm.lockout, django-axes): the
    authentication backend marks the request, and the form reports "locked" instead of
    "invalid_login"."""

    request: Any

    def clean(self) -> dict[str, Any]:
        try:
            cleaned = super().clean()  # type: ignore[misc]
        except forms.ValidationError:
            self._raise_if_locked()
            raise
        self._raise_if_locked()
        return cleaned

    def _raise_if_locked(self) -> None:
        if getattr(self.request, "axes_locked_out", False):
            raise forms.ValidationError(
                LOCKED_MESSAGE,
                code="locked",
                params={"minutes": max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)},
            )


class LoginForm(_LockMessage, AuthenticationForm):
    """The sign-in form of /login/."""


class AdminLoginForm(_LockMessage, AdminAuthenticationForm):
    """The maintenance (admin) sign-in form: the same lock, the same message."""


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)


class ShopProfileForm(forms.Form):
    """The shop's details printed on its documents (inventory.models.ShopProfile)."""

    name = forms.CharField(label=_("Shop name"), max_length=200)
    address = forms.CharField(
        label=_("Address"), max_length=1000, required=False, widget=forms.Textarea({"rows": 3})
    )
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=254, required=False)
    tax_code = forms.CharField(
        label=_("Tax code"),
        max_length=20,
        required=False,
        help_text=_("Vietnam: 10 digits (or 10-3 for a branch); Thailand: 13 digits."),
    )
