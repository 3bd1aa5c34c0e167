"""Form pieces every list page shares."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


def search_field(placeholder: Any, *, label: Any = None, max_length: int | None = None) -> Any:
    """The search box of a list's filter bar: `/` focuses it (data-search), the browser does
    not offer old entries over the live results, and screen readers get its label."""
    return forms.CharField(
        required=False,
        max_length=max_length,
        label=label or _("Search"),
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": placeholder,
                "data-search": "",
                "autocomplete": "off",
                "aria-label": label or placeholder,
            }
        ),
    )
