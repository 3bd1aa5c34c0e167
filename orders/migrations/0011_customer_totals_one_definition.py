"""Customer lifetime totals recomputed with the one definition of orders.services.customers:
orders = not cancelled; revenue = over the shipped ones in the shop currency, total - refunded
(paid - refunded for an order returned entirely).
Reverse: the former definition (completed orders; revenue of the orders ever completed)."""

from django.conf import settings
from django.db import migrations
from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce


def _refresh(apps, *, orders: Q, sales: Q, revenue) -> None:
    Customer = apps.get_model("orders", "Customer")
    Order = apps.get_model("orders", "Order")
    mine = Order.objects.filter(customer_id=OuterRef("pk")).order_by().values("customer_id")
    money = DecimalField(max_digits=18, decimal_places=2)
    Customer.objects.update(
        orders_count=Coalesce(
            Subquery(mine.filter(orders).annotate(n=Count("pk")).values("n")),
            0,
            output_field=IntegerField(),
        ),
        revenue=Coalesce(
            Subquery(
                mine.filter(sales)
                .annotate(r=Sum(revenue))
                .values("r")
            ),
            0,
            output_field=money,
        ),
    )


def forward(apps, schema_editor) -> None:
    not_cancelled = ~Q(status="cancelled")
    _refresh(
        apps,
        orders=not_cancelled,
        sales=not_cancelled & Q(shipped_at__isnull=False, currency=settings.SHOP_CURRENCY),
        revenue=Case(
            When(status="returned", then=F("paid_amount") - F("refunded_amount")),
            default=F("total") - F("refunded_amount"),
        ),
    )


def backward(apps, schema_editor) -> None:
    _refresh(
        apps,
        orders=Q(status="completed", completed_at__isnull=False),
        sales=Q(completed_at__isnull=False),
        revenue=F("total") - F("refunded_amount"),
    )


class Migration(migrations.Migration):
    dependencies = [("orders", "0010_closed_orders_finished_marketplace_paid")]

    operations = [migrations.RunPython(forward, backward)]
