from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When

from inventory.models import Warehouse


def warehouse_list(*, include_inactive: bool = True) -> QuerySet[Warehouse]:
    qs = Warehouse.objects.select_related("person_in_charge", "parent")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    kind_order = Case(
        *(When(kind=kind, then=Value(i)) for i, kind in enumerate(Warehouse.Kind.values)),
        output_field=IntegerField(),
    )
    return qs.order_by("-is_active", kind_order, "code", "pk")
