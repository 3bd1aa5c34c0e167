"""Order lines of many orders in one query, for the printed documents (picking list, delivery
notes)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from orders.models import OrderLine

# What every printed line shows: SKU, name, quantity and the variant's options.
LINE_FIELDS = (
    "id",
    "order_id",
    "sku",
    "name",
    "quantity",
    "variant__id",
    "variant__option1",
    "variant__option2",
    "variant__option3",
)


def lines_by_order(
    *, order_ids: Sequence[int], related: str, fields: Sequence[str] = ()
) -> defaultdict[int, list[OrderLine]]:
    """The lines of `order_ids` by order id, each order's in entry order (an order without
    lines: []), with `related` joined and only LINE_FIELDS and `fields` loaded. One query."""
    lines: defaultdict[int, list[OrderLine]] = defaultdict(list)
    for line in (
        OrderLine.objects.filter(order_id__in=list(order_ids))
        .select_related(related)
        .only(*LINE_FIELDS, *fields)
        .order_by("order_id", "id")
    ):
        lines[line.order_id].append(line)
    return lines
