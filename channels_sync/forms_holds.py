"""The "Promotions & holds" form of a shop's page: the variants (by SKU), the units held of
each, the sale's start and end (shop-local date and time), an optional promotion name."""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.forms import BoundedDateField, LocalTimeInput
from inventory.models import Variant

MAX_SKUS = 200


def _at(day: date | None, at: time | None) -> datetime | None:
    if day is None or at is None:
        return None
    return timezone.make_aware(datetime.combine(day, at))


class StockHoldForm(forms.Form):
    skus = forms.CharField(
        label=_("SKUs"),
        max_length=4000,
        help_text=pgettext_lazy("stock hold", "One or more SKUs, separated by spaces or commas."),
        widget=forms.TextInput(attrs={"class": "mono", "autocomplete": "off"}),
    )
    quantity = forms.IntegerField(
        label=pgettext_lazy("stock hold", "Units held of each"), min_value=1, max_value=1_000_000
    )
    start_date = BoundedDateField(label=pgettext_lazy("stock hold", "Starts"))
    start_time = forms.TimeField(label=_("at"), widget=LocalTimeInput())
    end_date = BoundedDateField(label=pgettext_lazy("stock hold", "Ends"))
    end_time = forms.TimeField(label=_("at"), widget=LocalTimeInput())
    name = forms.CharField(
        label=pgettext_lazy("stock hold", "Promotion"), max_length=120, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Fresh field ids at each render: HTMX swaps the section with its form, and would
        # otherwise carry the old inputs' attributes over to the new ones (settling by id).
        kwargs.setdefault("auto_id", f"hold-{secrets.token_hex(3)}-%s")
        super().__init__(*args, **kwargs)

    def clean_skus(self) -> list[int]:
        """The SKUs typed, as variant ids (in the order typed); unknown ones are an error."""
        typed = [s for s in re.split(r"[\s,;]+", self.cleaned_data["skus"].strip()) if s]
        keys = list(dict.fromkeys(s.upper() for s in typed))
        if not keys:
            raise forms.ValidationError(_("Enter at least one SKU."))
        if len(keys) > MAX_SKUS:
            raise forms.ValidationError(_("At most %(count)d SKUs at once.") % {"count": MAX_SKUS})
        found = dict(
            Variant.objects.annotate(key=Upper("sku")).filter(key__in=keys).values_list("key", "pk")
        )
        if unknown := [k for k in keys if k not in found]:
            raise forms.ValidationError(
                _("Unknown SKU: %(skus)s") % {"skus": ", ".join(unknown[:10])}
            )
        return [found[k] for k in keys]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["starts_at"] = _at(data.get("start_date"), data.get("start_time"))
        data["ends_at"] = _at(data.get("end_date"), data.get("end_time"))
        return data
