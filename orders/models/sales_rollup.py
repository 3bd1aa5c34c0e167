"""The sales rollup.

The sales reports read these pre-aggregated rows instead of the order lines. They are kept by
orders.services.sales_rollup in the same transaction as the change (shipment, return), like a
ledger, and can be rebuilt from the orders (manage.py rebuild_sales_rollup) and checked against
them (manage.py check_sales_rollup). "day" is the shop-local date (settings.TIME_ZONE) of the
order's created_at. Amounts are unrounded: each line's contribution rounded to 6 decimals (the
reports round the sums once, to the currency's precision). A row stays when its units go back
to zero (everything returned): the reports list such a variant with zero, as before.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from orders.models.orders import Channel

ROLLUP_AMOUNT = {"max_digits": 24, "decimal_places": 6}
# The lengths, in months, of the CustomerSalesWindow rows: a period of 30 days lies in 2
# months (but for some across February), one of a year in 13.
WINDOW_MONTHS = (2, 13)


def _rollup_amount(verbose_name: str | object) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,  # type: ignore[arg-type]
        default=Decimal("0"),
        **ROLLUP_AMOUNT,  # type: ignore[arg-type]
    )


def _warehouse_key() -> Coalesce:
    """The warehouse in unique keys: NULL (an order without warehouse) as 0, so that the key
    is unique on PostgreSQL and SQLite alike and ON CONFLICT can name it."""
    return Coalesce(F("warehouse"), Value(0), output_field=models.BigIntegerField())


def _rollup_warehouse() -> models.ForeignKey:
    """The warehouse of a daily row: none for an order without warehouse; filtered together
    with the day range, so the unique key's index serves it (no index of its own)."""
    return models.ForeignKey(
        "inventory.Warehouse",
        verbose_name=_("warehouse"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )


class SalesDay(models.Model):
    """The sales of one variant on one shop-local day, per channel, warehouse and currency:
    the best sellers report's figures (see orders.selectors.reports) summed over the lines of
    the shipped, not cancelled orders created that day."""

    day = models.DateField(_("day"))
    variant = models.ForeignKey(
        "inventory.Variant",
        verbose_name=_("variant"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # orders_salesday_variant_day starts with it
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    warehouse = _rollup_warehouse()
    currency = models.CharField(_("currency"), max_length=3)
    units = models.IntegerField(_("units sold"), default=0)
    net_revenue = _rollup_amount(_("net revenue"))
    vat = _rollup_amount(_("VAT"))
    cost = _rollup_amount(_("cost"))

    class Meta:
        verbose_name = _("daily sales of a variant")
        verbose_name_plural = _("daily sales of variants")
        constraints = [
            # Its leading (day, variant) columns also serve the reports' day ranges.
            models.UniqueConstraint(
                F("day"),
                F("variant"),
                F("channel"),
                _warehouse_key(),
                F("currency"),
                name="orders_salesday_key",
            ),
        ]
        # The bounded best sellers read a few variants' days (orders.selectors.report_best).
        indexes = [models.Index(fields=["variant", "day"], name="orders_salesday_variant_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.variant_id} {self.channel} {self.units}"


class SalesMonth(models.Model):
    """SalesDay summed over a shop-local month (all channels and warehouses): what a long
    period without channel or warehouse filter reads for its whole months, a fraction of the
    daily rows."""

    month = models.DateField(_("month"))  # its first day
    variant = models.ForeignKey(
        "inventory.Variant",
        verbose_name=_("variant"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # orders_salesmonth_variant starts with it
    )
    currency = models.CharField(_("currency"), max_length=3)
    units = models.IntegerField(_("units sold"), default=0)
    net_revenue = _rollup_amount(_("net revenue"))
    vat = _rollup_amount(_("VAT"))
    cost = _rollup_amount(_("cost"))

    class Meta:
        verbose_name = _("monthly sales of a variant")
        verbose_name_plural = _("monthly sales of variants")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "variant", "currency"], name="orders_salesmonth_key"
            ),
        ]
        indexes = [
            models.Index(fields=["variant", "month"], name="orders_salesmonth_variant"),
            # A month's variants by units / net revenue, highest first: the bounds of the best
            # sellers (orders.selectors.report_best) read the first few of each month.
            models.Index(
                F("currency"), F("month"), F("units").desc(), name="orders_salesmonth_units"
            ),
            models.Index(
                F("currency"), F("month"), F("net_revenue").desc(), name="orders_salesmonth_net"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.variant_id} {self.units}"


class SalesTotal(models.Model):
    """SalesMonth summed over all months: a variant's sales ever, per currency. Every line's
    units and net revenue are >= 0 (the lines' and orders' constraints), so a variant's total
    bounds what it sold in any period: the best sellers of a long period only sum the
    variants whose total reaches the 100th best (orders.selectors.report_sums)."""

    variant = models.ForeignKey(
        "inventory.Variant",
        verbose_name=_("variant"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the key starts with the variant
    )
    currency = models.CharField(_("currency"), max_length=3)
    units = models.IntegerField(_("units sold"), default=0)
    net_revenue = _rollup_amount(_("net revenue"))
    vat = _rollup_amount(_("VAT"))
    cost = _rollup_amount(_("cost"))

    class Meta:
        verbose_name = _("total sales of a variant")
        verbose_name_plural = _("total sales of variants")
        constraints = [
            models.UniqueConstraint(fields=["variant", "currency"], name="orders_salestotal_key"),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id} {self.units}"


class SalesDayChannel(models.Model):
    """The shipped, not cancelled orders created on one shop-local day, per channel, warehouse
    and currency: the sales by channel report's figures (orders, net revenue of the goods,
    shipping fees)."""

    day = models.DateField(_("day"))
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    warehouse = _rollup_warehouse()
    currency = models.CharField(_("currency"), max_length=3)
    orders = models.IntegerField(_("orders"), default=0)
    net_revenue = _rollup_amount(_("net revenue"))
    shipping_fee = _rollup_amount(_("shipping fees"))

    class Meta:
        verbose_name = _("daily sales of a channel")
        verbose_name_plural = _("daily sales of channels")
        constraints = [
            models.UniqueConstraint(
                F("day"),
                F("channel"),
                _warehouse_key(),
                F("currency"),
                name="orders_salesdaychannel_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel} {self.orders}"


class CustomerSalesDay(models.Model):
    """One customer's orders created on one shop-local day, per currency, counted as the top
    customers report counts them (orders.services.customers: CUSTOMER_ORDER, CUSTOMER_SALE,
    customer_net_revenue): orders not cancelled, those of them shipped, and the shipped ones'
    net revenue. Only customers with such orders that day have a row."""

    day = models.DateField(_("day"))
    customer = models.ForeignKey(
        "orders.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the key starts with the customer
    )
    currency = models.CharField(_("currency"), max_length=3)
    orders = models.IntegerField(_("orders"), default=0)
    shipped_orders = models.IntegerField(_("shipped orders"), default=0)
    net_revenue = _rollup_amount(_("net revenue"))

    class Meta:
        verbose_name = _("daily sales to a customer")
        verbose_name_plural = _("daily sales to customers")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "day", "currency"], name="orders_customersalesday_key"
            ),
        ]
        indexes = [models.Index(fields=["day"], name="orders_custsalesday_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.customer_id} {self.orders}"


class CustomerSalesMonth(models.Model):
    """CustomerSalesDay summed over a shop-local month: what a long period reads for its whole
    months."""

    month = models.DateField(_("month"))  # its first day
    customer = models.ForeignKey(
        "orders.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the key starts with the customer
    )
    currency = models.CharField(_("currency"), max_length=3)
    orders = models.IntegerField(_("orders"), default=0)
    shipped_orders = models.IntegerField(_("shipped orders"), default=0)
    net_revenue = _rollup_amount(_("net revenue"))

    class Meta:
        verbose_name = _("monthly sales to a customer")
        verbose_name_plural = _("monthly sales to customers")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "month", "currency"], name="orders_customersalesmonth_key"
            ),
        ]
        indexes = [models.Index(fields=["month"], name="orders_custsalesmonth_month")]

    def __str__(self) -> str:
        return f"{self.month} {self.customer_id} {self.orders}"


class CustomerSalesTotal(models.Model):
    """A customer's CustomerSalesDay rows summed over all days, per currency, as bounds: the
    orders, and the net revenue of the days whose net revenue is positive. No period's figures
    can exceed them, so the top customers of a long period only sum the customers whose bound
    reaches the 100th best (orders.selectors.report_customers)."""

    customer = models.ForeignKey(
        "orders.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the key starts with the customer
    )
    currency = models.CharField(_("currency"), max_length=3)
    orders = models.IntegerField(_("orders"), default=0)
    revenue_bound = _rollup_amount(_("net revenue of the days with a positive one"))

    class Meta:
        verbose_name = _("total sales to a customer")
        verbose_name_plural = _("total sales to customers")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "currency"], name="orders_customersalestotal_key"
            ),
        ]
        indexes = [
            models.Index(F("currency"), F("revenue_bound").desc(), name="orders_custtotal_revenue"),
            models.Index(F("currency"), F("orders").desc(), name="orders_custtotal_orders"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.orders}"


class CustomerSalesWindow(models.Model):
    """Bounds over the `months` shop-local months ending with `month` (one of WINDOW_MONTHS):
    a customer's CustomerSalesDay rows of those months summed as in CustomerSalesTotal (the
    orders, and the net revenue of the days whose net revenue is positive). A period that lies
    in those months cannot exceed them: the top customers of 30 days (2 months) or a year (13
    months) only sum the customers whose window reaches the 100th best
    (orders.selectors.report_customers). Only windows with orders have a row."""

    customer = models.ForeignKey(
        "orders.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the key starts with the customer
    )
    months = models.PositiveSmallIntegerField(_("months in the window"))
    month = models.DateField(_("last month of the window"))  # its first day
    currency = models.CharField(_("currency"), max_length=3)
    orders = models.IntegerField(_("orders"), default=0)
    revenue_bound = _rollup_amount(_("net revenue of the days with a positive one"))

    class Meta:
        verbose_name = _("sales to a customer over a few months")
        verbose_name_plural = _("sales to customers over a few months")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "months", "month", "currency"],
                name="orders_customersaleswindow_key",
            ),
        ]
        indexes = [
            models.Index(
                F("currency"),
                F("months"),
                F("month"),
                F("revenue_bound").desc(),
                name="orders_custwindow_revenue",
            ),
            models.Index(
                F("currency"),
                F("months"),
                F("month"),
                F("orders").desc(),
                name="orders_custwindow_orders",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.months} {self.customer_id} {self.orders}"
