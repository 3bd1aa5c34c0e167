"""The chat account form: secrets are typed, never shown back (empty keeps the stored one)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import pgettext_lazy

from assistant.channels.models import ChatAccount

SECRET_FIELDS = ("secret", "access_token", "verify_token")
KEEP = pgettext_lazy("chat account", "Leave empty to keep the stored value.")


class ChatAccountForm(forms.ModelForm):
    secret = forms.CharField(
        label=capfirst(pgettext_lazy("chat account", "secret")),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=pgettext_lazy(
            "chat account",
            "Facebook: the app secret. Zalo: the OA secret key. LINE: the channel secret.",
        ),
    )
    access_token = forms.CharField(
        label=capfirst(pgettext_lazy("chat account", "access token")),
        required=False,
        widget=forms.PasswordInput(render_value=False),
    )
    verify_token = forms.CharField(
        label=capfirst(pgettext_lazy("chat account", "verify token")),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=pgettext_lazy("chat account", "Facebook only: the webhook's verify token."),
    )

    class Meta:
        model = ChatAccount
        fields = [
            "platform",
            "name",
            "external_id",
            "app_id",
            "api_base_url",
            "allowed_origins",
            "active",
        ]
        widgets = {
            "allowed_origins": forms.Textarea(attrs={"rows": 3}),
            "api_base_url": forms.TextInput(attrs={"inputmode": "url"}),
        }
        help_texts = {
            "external_id": pgettext_lazy(
                "chat account",
                "Facebook page id, Zalo OA id, LINE bot user id, or any key for the website chat.",
            ),
            "allowed_origins": pgettext_lazy(
                "chat account", "Website chat only: the shop's sites, one a line (https://…)."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in SECRET_FIELDS:
                self.fields[name].help_text = f"{self.fields[name].help_text} {KEEP}".strip()

    def secrets(self) -> dict[str, str]:
        """The secrets typed (empty ones are left out: they keep the stored value)."""
        return {name: self.cleaned_data[name] for name in SECRET_FIELDS if self.cleaned_data[name]}
