"""Form pieces every list page shares."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import formats
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


# --- Dates and times typed in the UI language's format ----------------------------------------
# A native <input type="date"> shows and reads the browser's locale (mm/dd/yyyy in an English
# browser, so 12/08/2026 would be 8 December); these are text fields that show the active
# language's format (crm/formats/: dd/mm/yyyy) and are read with its DATE_INPUT_FORMATS, which
# also take ISO 2026-08-12 (links and query strings already out there).

# What the browser lets through: d/m/y with / . or - between, or ISO. The server decides.
DATE_PATTERN = r"[0-9]{1,2}[\/.\-][0-9]{1,2}[\/.\-][0-9]{2,4}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
TIME_PATTERN = r"[0-9]{1,2}[:.][0-9]{2}"


class LocalDateInput(forms.DateInput):
    """A date as text in the UI language's format ("12/08/2026"), with a numeric keyboard on
    phones; static/js/datepicker.js adds a small calendar to fields marked data-datepicker."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base: dict[str, Any] = {
            "inputmode": "numeric",
            "placeholder": _("dd/mm/yyyy"),
            "pattern": DATE_PATTERN,
            "autocomplete": "off",
            "size": 10,
            "data-datepicker": "",
        }
        # format=None: written back with the active language's first DATE_INPUT_FORMATS.
        super().__init__(attrs={**base, **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        """A date typed or linked in another accepted form ("2026-12-08" from an old link,
        "8/12/26") is shown back as the language writes it; anything else as typed."""
        if isinstance(value, str):
            day = parse_date(value)
            return date_input_value(day) if day else value
        return super().format_value(value)


class LocalTimeInput(forms.TimeInput):
    """A time as 24-hour text ("14:30"); a native time input shows AM/PM in an English browser."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base: dict[str, Any] = {
            "inputmode": "numeric",
            "placeholder": _("hh:mm"),
            "pattern": TIME_PATTERN,
            "autocomplete": "off",
            "size": 5,
            "data-timefield": "",
        }
        super().__init__(attrs={**base, **(attrs or {})})


def parse_date(text: str | None) -> date | None:
    """A date typed or linked in the active language's format or ISO; None when it is not one."""
    value = (text or "").strip()
    if not value:
        return None
    try:
        return forms.DateField().to_python(value)
    except forms.ValidationError:
        return None


def date_input_value(day: date) -> str:
    """A date as a date field shows it in the active language ("12/08/2026")."""
    return formats.localize_input(day)
