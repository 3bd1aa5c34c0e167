"""Forms of the transfer and stock count pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from common.forms import id_or_none
from inventory.forms_filters import warehouse_filter
from inventory.models import Category, StockCount, Transfer, Variant, Warehouse
from inventory.selectors.movements import COUNT_SHOW, variants_for_rows
from inventory.services.counts import MAX_COUNTED
from inventory.services.transfers import MAX_QUANTITY, TransferLineInput

ASCII_WHOLE = re.compile(r"[0-9]{1,9}")


def _active_warehouses() -> Any:
    return Warehouse.objects.filter(is_active=True).order_by("code", "pk")


def _search_widget(placeholder: str | Any) -> forms.TextInput:
    return forms.TextInput(
        attrs={
            "type": "search",
            "placeholder": placeholder,
            "data-search": "",
            "autocomplete": "off",
        }
    )


# --- Transfers --------------------------------------------------------------------------------


class TransferFilterForm(forms.Form):
    q = forms.CharField(required=False, label=_("Number"), widget=_search_widget(_("Number")))
    status = forms.ChoiceField(
        choices=[("", _("Any status")), *Transfer.Status.choices], required=False
    )
    warehouse = warehouse_filter()


@dataclass
class LineRow:
    """A line of the transfer form as typed, to re-display it with its error."""

    variant_id: str
    quantity: str
    variant: Variant | None = None
    error: str = ""


class TransferForm(forms.Form):
    """Header fields plus lines posted as parallel lists `line_variant` / `line_quantity`."""

    source = forms.ModelChoiceField(
        _active_warehouses(), label=_("From warehouse"), empty_label=_("Choose a warehouse")
    )
    destination = forms.ModelChoiceField(
        _active_warehouses(), label=_("To warehouse"), empty_label=_("Choose a warehouse")
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, lines: list[LineRow] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = _active_warehouses()  # type: ignore[attr-defined]
        self.fields["destination"].queryset = _active_warehouses()  # type: ignore[attr-defined]
        self.rows: list[LineRow] = lines or []
        if self.is_bound:
            self.rows = [
                LineRow(variant_id=v.strip(), quantity=q.strip())
                for v, q in zip(
                    self._values("line_variant"), self._values("line_quantity"), strict=False
                )
                if v.strip() or q.strip()
            ]
            ids = [i for r in self.rows if (i := id_or_none(r.variant_id))]
            found = variants_for_rows(variant_ids=ids)
            for row in self.rows:
                row.variant = found.get(id_or_none(row.variant_id) or 0)

    def _values(self, key: str) -> list[str]:
        if isinstance(self.data, MultiValueDict):
            return [str(v) for v in self.data.getlist(key)]
        value = self.data.get(key, [])
        return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        source, destination = data.get("source"), data.get("destination")
        if source and destination and source == destination:
            self.add_error("destination", _("Choose a warehouse other than the source."))
        lines = []
        for row in self.rows:
            if row.variant is None:
                row.error = str(_("Pick a product for this line."))
                continue
            # 0-9 only: str.isdigit() also takes "²" and other scripts' digits.
            if (
                not ASCII_WHOLE.fullmatch(row.quantity)
                or not 1 <= int(row.quantity) <= MAX_QUANTITY
            ):
                row.error = str(
                    _("Enter a whole number from 1 to %(max)d.") % {"max": MAX_QUANTITY}
                )
                continue
            lines.append(TransferLineInput(variant_id=row.variant.pk, quantity=int(row.quantity)))
        if not self.rows:
            self.add_error(None, _("Add at least one product to the transfer."))
        elif any(row.error for row in self.rows):
            self.add_error(None, _("Check the lines marked below."))
        data["lines"] = lines
        return data


# --- Stock counts -----------------------------------------------------------------------------


class CountFilterForm(forms.Form):
    q = forms.CharField(required=False, label=_("Number"), widget=_search_widget(_("Number")))
    status = forms.ChoiceField(
        choices=[("", _("Any status")), *StockCount.Status.choices], required=False
    )
    warehouse = warehouse_filter()


class CountForm(forms.Form):
    warehouse = forms.ModelChoiceField(
        _active_warehouses(), label=_("Warehouse"), empty_label=_("Choose a warehouse")
    )
    categories = forms.ModelMultipleChoiceField(
        Category.objects.order_by("full_name", "pk"),
        required=False,
        label=_("Categories"),
        help_text=_(
            "Tick none to count the whole warehouse. A category includes its subcategories."
        ),
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = _active_warehouses()  # type: ignore[attr-defined]


class CountLinesFilterForm(forms.Form):
    show = forms.ChoiceField(
        choices=[
            ("all", _("All lines")),
            ("uncounted", _("Not counted yet")),
            ("counted", _("Counted")),
            ("variance", _("With variance")),
        ],
        required=False,
        initial="all",
        widget=forms.RadioSelect,
    )
    q = forms.CharField(
        required=False, label=_("Find"), widget=_search_widget(_("Find a line: SKU or name"))
    )

    def clean_show(self) -> str:
        show = self.cleaned_data.get("show") or "all"
        return show if show in COUNT_SHOW else "all"


SCAN_RE = re.compile(r"^\s*(?:(\d{1,8})\s*\*\s*)?(\S.*?)\s*$")


class CountScanForm(forms.Form):
    """A barcode or SKU; "12*CODE" counts 12 units at once (e.g. a sealed carton)."""

    code = forms.CharField(
        max_length=100, error_messages={"required": _("Scan or type a barcode or SKU.")}
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "code" not in data:
            return data
        match = SCAN_RE.match(data["code"])
        if not match:
            raise forms.ValidationError(_("Scan or type a barcode or SKU."))
        data["quantity"] = int(match.group(1)) if match.group(1) else 1
        data["code"] = match.group(2)
        if not 1 <= data["quantity"] <= MAX_COUNTED:
            raise forms.ValidationError(
                _("Count between 1 and %(max)d units at a time.") % {"max": MAX_COUNTED}
            )
        return data


class CountLineForm(forms.Form):
    counted = forms.IntegerField(required=False, min_value=0, max_value=MAX_COUNTED)


class CountPostForm(forms.Form):
    uncounted_as_zero = forms.BooleanField(
        required=False, label=_("Treat lines not counted as zero (remove all their stock)")
    )
