from __future__ import annotations

import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.users import UserChoiceField
from inventory.models import Warehouse

CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")


class WarehouseForm(forms.ModelForm):
    class Meta:
        model = Warehouse
        fields = [
            "code",
            "name",
            "kind",
            "parent",
            "address",
            "person_in_charge",
            "phone",
            "is_active",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        keeper = self.instance.person_in_charge_id
        self.fields["person_in_charge"] = UserChoiceField(
            queryset=get_user_model().objects.filter(Q(is_active=True) | Q(pk=keeper)),
            required=False,
            label=self.fields["person_in_charge"].label,
        )
        # A sub-warehouse's parent: an active main or branch warehouse (or the current one).
        parents = Warehouse.objects.filter(
            Q(kind__in=[Warehouse.Kind.MAIN, Warehouse.Kind.BRANCH], is_active=True)
            | Q(pk=self.instance.parent_id)
        )
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        parent = self.fields["parent"]
        parent.queryset = parents.order_by("code", "pk")  # type: ignore[attr-defined]
        parent.help_text = _("Only for a sub-warehouse: the warehouse it belongs to.")

    def _update_errors(self, errors: ValidationError) -> None:
        # The model's rules (clean()) repeat nothing the form already said about a field.
        if hasattr(errors, "error_dict"):
            for field in [f for f in errors.error_dict if f in self.errors]:
                del errors.error_dict[field]
        super()._update_errors(errors)  # type: ignore[misc]

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().upper()
        if not CODE_RE.match(code):
            raise forms.ValidationError(_("Use 1 to 20 letters, digits, hyphens or underscores."))
        clash = Warehouse.objects.filter(code__iexact=code)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Another warehouse already uses this code."))
        return code
