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
