"""The dashboard's order figures: the work waiting at each step and today's sales."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Sum

from common.days import day_start
from orders import transitions as t
from orders.models import Order


@dataclass(frozen=True)
class OrderFigures:
    new: int  # waiting to be confirmed
    processing: int  # confirmed, waiting to be shipped
    shipped: int  # on the way, waiting for delivery / COD
    today_orders: int  # placed today (shop-local), cancelled ones left out
    today_total: Decimal


def order_figures(*, today: date) -> OrderFigures:
    """Two queries: open orders per status (index on status), and today's orders (index on
    created_at). Neither reads more than the open and today's orders."""
    open_counts = dict(
        Order.objects.filter(status__in=[t.NEW, t.PROCESSING, t.SHIPPED])
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("status", "n")
    )
    today_qs = Order.objects.filter(created_at__gte=day_start(today)).exclude(status=t.CANCELLED)
    placed = today_qs.aggregate(n=Count("id"), total=Sum("total"))
    return OrderFigures(
        new=open_counts.get(t.NEW, 0),
        processing=open_counts.get(t.PROCESSING, 0),
        shipped=open_counts.get(t.SHIPPED, 0),
        today_orders=placed["n"] or 0,
        today_total=placed["total"] or Decimal(0),
    )
