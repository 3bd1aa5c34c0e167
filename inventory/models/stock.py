"""Stock levels per variant and warehouse, and the ledger of movements that explains them.

Invariants (checked by the constraints here and kept by inventory.services.stock):
  0 <= reserved <= on_hand for every StockLevel row, so available = on_hand - reserved >= 0;
  on_hand and reserved always equal the sums of their StockMovement deltas.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.expressions import CombinedExpression
from django.utils.translation import gettext_lazy as _

from inventory.models.catalogue import Variant
from inventory.models.fields import MONEY
from inventory.models.warehouses import Warehouse


class StockLevel(models.Model):
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="stock_levels")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stock_levels")
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    # Overrides the variant's threshold for this warehouse when set.
    low_stock_threshold = models.PositiveIntegerField(
        _("low-stock threshold"), null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.UniqueConstraint(
                fields=["variant", "warehouse"], name="inventory_stocklevel_unique"
            ),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="inventory_on_hand_gte_0"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="inventory_reserved_gte_0"),
            models.CheckConstraint(
                condition=Q(reserved__lte=models.F("on_hand")),
                name="inventory_reserved_lte_on_hand",
            ),
        ]
        indexes = [models.Index(fields=["warehouse", "variant"])]

    def __str__(self) -> str:
        return f"{self.variant_id}@{self.warehouse_id}: {self.on_hand}/{self.reserved}"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


def available_units(relation: str = "") -> CombinedExpression:
    """Units available (on hand minus reserved) as an SQL expression, the one definition every
    query uses: of a StockLevel row, or through `relation` ("stock_levels__" from a Variant)."""
    return F(f"{relation}on_hand") - F(f"{relation}reserved")


class MovementKind(models.TextChoices):
    INITIAL = "initial", _("Initial stock")
    RECEIPT = "receipt", _("Goods receipt")
    RESERVATION = "reservation", _("Reservation")
    RELEASE = "release", _("Release of reservation")
    SHIPMENT = "shipment", _("Shipment")
    RETURN = "return", _("Return to stock")
    DAMAGE = "damage", _("Damage write-off")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    COUNT = "count", _("Stock count adjustment")
    ADJUSTMENT = "adjustment", _("Manual adjustment")


# Why the services moved stock, stored as a code (StockMovement.reason_code) and worded in the
# reader's language when shown (StockMovement.reason_text): %(document)s is the movement's
# source document, the other values come from reason_args. `reason` keeps what staff typed.
MOVEMENT_REASONS = {
    "count": _("Count %(document)s"),
    "import": _("Import %(document)s"),
    "transfer_to": _("To %(warehouse)s"),
    "transfer_from": _("From %(warehouse)s"),
    "transfer_cancelled": _("Returned: transfer cancelled"),
    "return_damaged": _("Damaged return %(number)s"),
}


class StockMovement(models.Model):
    """One ledger row: a change of on_hand and/or reserved, with who, when and why."""

    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="movements")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("kind"), max_length=16, choices=MovementKind.choices)
    on_hand_delta = models.IntegerField(_("on-hand change"), default=0)
    reserved_delta = models.IntegerField(_("reserved change"), default=0)
    on_hand_after = models.IntegerField(_("on hand after"))
    reserved_after = models.IntegerField(_("reserved after"))
    unit_cost = models.DecimalField(null=True, blank=True, **MONEY)  # type: ignore[arg-type]
    reason = models.CharField(_("reason"), max_length=255, blank=True)  # as staff typed it
    reason_code = models.CharField(_("reason code"), max_length=32, blank=True)
    reason_args = models.JSONField(_("reason details"), default=dict, blank=True)
    # The document that caused it: ("purchase_receipt", "12"), ("order", "SO-1001")...
    source_type = models.CharField(_("source type"), max_length=32, blank=True)
    source_id = models.CharField(_("source"), max_length=64, blank=True)
    source_label = models.CharField(_("document"), max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("at"), db_index=False)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        constraints = [
            models.CheckConstraint(
                condition=~Q(on_hand_delta=0, reserved_delta=0), name="inventory_movement_not_empty"
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "initial",
                        "receipt",
                        "reservation",
                        "release",
                        "shipment",
                        "return",
                        "damage",
                        "transfer_out",
                        "transfer_in",
                        "count",
                        "adjustment",
                    ]
                ),
                name="inventory_movement_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(reason_code__in=["", *MOVEMENT_REASONS]),
                name="inventory_movement_reason_code_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["variant", "warehouse", "id"]),
            models.Index(fields=["source_type", "source_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.on_hand_delta:+d}/{self.reserved_delta:+d}"

    @property
    def reason_text(self) -> str:
        """The reason in the active language: a service's code worded now, or staff's text."""
        template = MOVEMENT_REASONS.get(self.reason_code)
        if template is None:
            return self.reason
        values = {"document": self.source_label or self.source_id}
        values.update({str(k): str(v) for k, v in (self.reason_args or {}).items()})
        try:
            return str(template) % values
        except (KeyError, TypeError, ValueError):
            return self.reason
