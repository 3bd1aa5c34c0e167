"""Shipping: the carrier accounts we send parcels with, their cached master data, the parcels
(shipments) of our orders, their status history and every carrier callback as it arrived.

    CarrierAccount    one account with Giao Hàng Nhanh or Viettel Post for one pickup warehouse
                      (secrets encrypted, its own API base URL, the sender address)
    CarrierPlace      the carrier's provinces, districts and wards (cached, refreshed nightly),
                      with folded names for matching our addresses
    AddressCodeFix    a staff fix: this address (normalised) is these carrier codes
    Shipment          one parcel of an order; `reference` is ours, unique, and the idempotency
                      key the carrier receives (GHN client_order_code, VTP ORDER_NUMBER)
    ShipmentEvent     one status change reported by the carrier (unique per event key)
    CarrierCallback   a webhook body kept as received: applied, rejected (bad auth) or
                      quarantined with the reason

States are shipping.adapters.base.ParcelState, plus two of ours: "pending" (our row is
committed, the carrier has not confirmed the parcel yet) and "refused" (the carrier refused the
request; nothing was created).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.db import choices_check
from common.secrets import EncryptedTextField
from shipping.adapters.base import ParcelState

MONEY = {"max_digits": 14, "decimal_places": 2}


class Carrier(models.TextChoices):
    GHN = "ghn", _("Giao Hàng Nhanh")
    VIETTEL_POST = "viettel_post", _("Viettel Post")


# The live hosts (../shared/api/carriers_einvoice.md A.1, B.1): the defaults of a new account.
LIVE_BASE_URLS = {
    Carrier.GHN: "https://online-gateway.ghn.vn/shiip/public-api",
    Carrier.VIETTEL_POST: "https://partner.viettelpost.vn/v2",
}
LIVE_PRINT_URLS = {
    Carrier.GHN: "https://online-gateway.ghn.vn",
    Carrier.VIETTEL_POST: "https://digitalize.viettelpost.vn/DigitalizePrint/report.do",
}


class CarrierAccount(models.Model):
    """One carrier account. The sender address is kept as our place names (resolved to the
    carrier's codes like any address); Viettel Post also needs its warehouse ids."""

    Carrier = Carrier

    carrier = models.CharField(_("carrier"), max_length=16, choices=Carrier.choices)
    name = models.CharField(_("name"), max_length=120)
    base_url = models.URLField(_("API base URL"), max_length=200)
    print_base_url = models.URLField(_("label print URL"), max_length=200, blank=True)
    token = EncryptedTextField(_("API token"), blank=True)
    password = EncryptedTextField(_("password"), blank=True)
    shop_id = models.CharField(_("shop id"), max_length=32, blank=True)
    username = models.CharField(_("username"), max_length=120, blank=True)
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        verbose_name=_("pickup warehouse"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    group_address_id = models.CharField(_("Viettel Post warehouse id"), max_length=32, blank=True)
    customer_id = models.CharField(_("Viettel Post customer id"), max_length=32, blank=True)
    webhook_secret = EncryptedTextField(_("webhook secret"), blank=True)
    # The sender: who the carrier picks up from (our names; resolved like any address).
    sender_name = models.CharField(_("sender name"), max_length=200, blank=True)
    sender_phone = models.CharField(_("sender phone"), max_length=20, blank=True)
    sender_street = models.CharField(_("sender street address"), max_length=255, blank=True)
    sender_province = models.CharField(_("sender province"), max_length=100, blank=True)
    sender_district = models.CharField(_("sender district"), max_length=100, blank=True)
    sender_ward = models.CharField(_("sender ward"), max_length=100, blank=True)
    # Parcel defaults while the catalogue has no weights or sizes.
    default_weight_g = models.PositiveIntegerField(_("default weight (g)"), default=500)
    default_length_cm = models.PositiveSmallIntegerField(_("default length (cm)"), default=20)
    default_width_cm = models.PositiveSmallIntegerField(_("default width (cm)"), default=15)
    default_height_cm = models.PositiveSmallIntegerField(_("default height (cm)"), default=10)
    active = models.BooleanField(_("active"), default=True)
    connected_at = models.DateTimeField(_("connected"), null=True, blank=True)
    master_data_refreshed_at = models.DateTimeField(
        _("master data refreshed"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("carrier account")
        verbose_name_plural = _("carrier accounts")
        permissions = [("manage_carriers", _("Can manage carrier accounts"))]
        constraints = [
            choices_check("carrier", Carrier, "shipping_account_carrier_valid"),
            models.UniqueConstraint(
                fields=["carrier", "name"], name="shipping_account_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PlaceLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    WARD = "ward", _("Ward")


class CarrierPlace(models.Model):
    """One entry of a carrier's master data. `folded` is common.text.fold(name); `key` is the
    folded name without its kind ("tinh", "quan", "phuong"...); `aliases` more keys (GHN's
    NameExtension). `province_code` is the province of a district or ward (2-level lookups)."""

    Level = PlaceLevel

    carrier = models.CharField(_("carrier"), max_length=16, choices=Carrier.choices)
    level = models.CharField(_("level"), max_length=8, choices=PlaceLevel.choices)
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    parent_code = models.CharField(_("parent code"), max_length=32, blank=True)
    province_code = models.CharField(_("province code"), max_length=32, blank=True)
    folded = models.CharField(max_length=200)
    key = models.CharField(max_length=200)
    aliases = models.JSONField(default=list, blank=True)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("carrier place")
        verbose_name_plural = _("carrier places")
        constraints = [
            models.UniqueConstraint(
                fields=["carrier", "level", "code"], name="shipping_place_code_unique"
            ),
            choices_check("carrier", Carrier, "shipping_place_carrier_valid"),
            choices_check("level", PlaceLevel, "shipping_place_level_valid"),
        ]
        indexes = [
            models.Index(
                fields=["carrier", "level", "parent_code"], name="shipping_place_parent_idx"
            ),
            models.Index(
                fields=["carrier", "level", "province_code"], name="shipping_place_province_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AddressCodeFix(models.Model):
    """Staff said: for this carrier, this address (`address_key`, the folded province |
    district | ward) is these codes. Looked up before any name matching."""

    carrier = models.CharField(_("carrier"), max_length=16, choices=Carrier.choices)
    address_key = models.CharField(_("address"), max_length=320)
    province_code = models.CharField(_("province code"), max_length=32)
    district_code = models.CharField(_("district code"), max_length=32, blank=True)
    ward_code = models.CharField(_("ward code"), max_length=32)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("address fix")
        verbose_name_plural = _("address fixes")
        constraints = [
            models.UniqueConstraint(
                fields=["carrier", "address_key"], name="shipping_address_fix_unique"
            ),
            choices_check("carrier", Carrier, "shipping_address_fix_carrier_valid"),
        ]

    def __str__(self) -> str:
        return self.address_key


class ShipmentState(models.TextChoices):
    PENDING = "pending", _("Sending to the carrier")
    REFUSED = "refused", _("Refused by the carrier")
    CREATED = ParcelState.CREATED.value, _("Waiting for pickup")
    PICKING = ParcelState.PICKING.value, _("Courier on the way")
    PICKED_UP = ParcelState.PICKED_UP.value, _("Picked up")
    IN_TRANSIT = ParcelState.IN_TRANSIT.value, _("In transit")
    DELIVERING = ParcelState.DELIVERING.value, _("Out for delivery")
    DELIVERED = ParcelState.DELIVERED.value, pgettext_lazy("parcel", "Delivered")
    DELIVERY_FAILED = ParcelState.DELIVERY_FAILED.value, _("Delivery failed")
    WAITING_ACTION = ParcelState.WAITING_ACTION.value, _("On hold: decision needed")
    RETURNING = ParcelState.RETURNING.value, _("Returning")
    RETURNED = ParcelState.RETURNED.value, _("Returned to sender")
    CANCELLED = ParcelState.CANCELLED.value, pgettext_lazy("parcel", "Cancelled")
    LOST = ParcelState.LOST.value, _("Lost")
    DAMAGED = ParcelState.DAMAGED.value, _("Damaged")
    EXCEPTION = ParcelState.EXCEPTION.value, _("Problem at the carrier")


# A shipment in one of these no longer holds its order: another one may be created.
CLOSED_STATES = frozenset({ShipmentState.REFUSED, ShipmentState.CANCELLED})


class ServiceLevel(models.TextChoices):
    EXPRESS = "express", _("Express")
    ECONOMY = "economy", _("Economy")


class ShipmentPayer(models.TextChoices):
    SHOP = "shop", _("Shop pays shipping")
    BUYER = "buyer", _("Buyer pays shipping")


class Viewing(models.TextChoices):
    ALLOW_VIEWING = "allow_viewing", _("Allow viewing, no try-on")
    NO_VIEWING = "no_viewing", _("No viewing")
    TRY_ON = "try_on", _("Allow try-on")


class Shipment(models.Model):
    State = ShipmentState

    order = models.ForeignKey(
        "orders.Order", verbose_name=_("order"), on_delete=models.PROTECT, related_name="+"
    )
    account = models.ForeignKey(
        CarrierAccount,
        verbose_name=_("carrier account"),
        on_delete=models.PROTECT,
        related_name="shipments",
    )
    reference = models.CharField(_("our reference"), max_length=50, unique=True)
    service_code = models.CharField(_("service code"), max_length=32)
    service_name = models.CharField(_("service"), max_length=120, blank=True)
    service_level = models.CharField(
        _("service level"), max_length=8, choices=ServiceLevel.choices, blank=True
    )
    cod_amount = models.DecimalField(_("COD amount"), default=0, **MONEY)  # type: ignore[arg-type]
    insurance_value = models.DecimalField(_("declared value"), default=0, **MONEY)  # type: ignore[arg-type]
    weight_g = models.PositiveIntegerField(_("weight (g)"))
    length_cm = models.PositiveSmallIntegerField(_("length (cm)"))
    width_cm = models.PositiveSmallIntegerField(_("width (cm)"))
    height_cm = models.PositiveSmallIntegerField(_("height (cm)"))
    payer = models.CharField(_("who pays shipping"), max_length=8, choices=ShipmentPayer.choices)
    viewing = models.CharField(_("viewing on delivery"), max_length=16, choices=Viewing.choices)
    note = models.CharField(_("note for the courier"), max_length=500, blank=True)
    # Sender, receiver (with the carrier's codes) and items as first sent, so a retry after a
    # timeout sends exactly the same parcel.
    request_data = models.JSONField(default=dict, blank=True, editable=False)
    tracking_number = models.CharField(_("tracking number"), max_length=40, blank=True)
    fee = models.DecimalField(_("shipping fee"), null=True, blank=True, **MONEY)  # type: ignore[arg-type]
    sort_code = models.CharField(_("sort code"), max_length=40, blank=True)
    expected_delivery = models.DateTimeField(_("expected delivery"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=ShipmentState.choices, default=ShipmentState.PENDING
    )
    carrier_status = models.CharField(_("carrier status"), max_length=40, blank=True)
    last_event_at = models.DateTimeField(_("last event"), null=True, blank=True)
    # What the carrier said when it refused, or why staff must act.
    problem = models.CharField(_("problem"), max_length=500, blank=True)
    needs_action = models.BooleanField(_("needs action"), default=False)
    # A create request was sent this many times; >0 means the carrier may hold the parcel.
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sending_since = models.DateTimeField(null=True, blank=True, editable=False)
    cod_received_at = models.DateTimeField(_("COD received"), null=True, blank=True)
    cod_received_amount = models.DecimalField(
        _("COD received amount"),
        null=True,
        blank=True,
        **MONEY,  # type: ignore[arg-type]
    )
    # A returned parcel received back: the orders app's Return that restocked it, and its COD
    # marked not collected (the buyer never paid it).
    order_return = models.ForeignKey(
        "orders.Return",
        verbose_name=pgettext_lazy("returned parcel", "return"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cod_not_collected_at = models.DateTimeField(_("COD not collected"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        constraints = [
            choices_check("state", ShipmentState, "shipping_shipment_state_valid"),
            choices_check("payer", ShipmentPayer, "shipping_shipment_payer_valid"),
            choices_check("viewing", Viewing, "shipping_shipment_viewing_valid"),
            # One live parcel per order at a time (a cancelled or refused one frees it).
            models.UniqueConstraint(
                fields=["order"],
                condition=~Q(state__in=["refused", "cancelled"]),
                name="shipping_shipment_one_open_per_order",
            ),
            models.UniqueConstraint(
                fields=["account", "tracking_number"],
                condition=~Q(tracking_number=""),
                name="shipping_shipment_tracking_unique",
            ),
            models.CheckConstraint(
                condition=Q(cod_amount__gte=0, insurance_value__gte=0),
                name="shipping_shipment_amounts_not_negative",
            ),
            models.CheckConstraint(condition=Q(weight_g__gte=1), name="shipping_weight_positive"),
        ]
        indexes = [
            models.Index(fields=["order", "created_at"], name="shipping_shipment_order_idx"),
            models.Index(fields=["created_at", "id"], name="shipping_shipment_created_idx"),
            models.Index(
                fields=["needs_action", "created_at", "id"],
                condition=Q(needs_action=True),
                name="shipping_shipment_action_idx",
            ),
            models.Index(fields=["state", "created_at", "id"], name="shipping_shipment_state_idx"),
        ]

    def __str__(self) -> str:
        return self.tracking_number or self.reference

    @property
    def is_open(self) -> bool:
        return self.state not in CLOSED_STATES


class ShipmentEvent(models.Model):
    """A status change the carrier reported. `key` (tracking | carrier status | time) makes a
    replayed callback a no-op; `moved` says whether it changed the shipment's state (an event
    older than the last applied one is history only)."""

    shipment = models.ForeignKey(
        Shipment, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    key = models.CharField(max_length=120)
    state = models.CharField(_("state"), max_length=16, choices=ShipmentState.choices)
    carrier_status = models.CharField(_("carrier status"), max_length=40)
    occurred_at = models.DateTimeField(_("time"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    moved = models.BooleanField(default=False)
    raw = models.JSONField(default=dict, blank=True)
    callback = models.ForeignKey(
        "CarrierCallback", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        verbose_name = _("parcel event")
        verbose_name_plural = _("parcel events")
        constraints = [
            models.UniqueConstraint(fields=["shipment", "key"], name="shipping_event_key_unique"),
        ]
        indexes = [
            models.Index(fields=["shipment", "occurred_at", "id"], name="shipping_event_time_idx"),
        ]

    def __str__(self) -> str:
        return self.key


class CallbackResult(models.TextChoices):
    PENDING = "pending", _("Waiting")
    APPLIED = "applied", _("Applied")
    REJECTED = "rejected", _("Rejected: bad credentials")
    QUARANTINED = "quarantined", _("Needs attention")


class CarrierCallback(models.Model):
    Result = CallbackResult

    account = models.ForeignKey(
        CarrierAccount,
        verbose_name=_("carrier account"),
        on_delete=models.CASCADE,
        related_name="callbacks",
    )
    body = models.TextField(_("as received"))
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    result = models.CharField(
        _("result"), max_length=12, choices=CallbackResult.choices, default=CallbackResult.PENDING
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)

    class Meta:
        verbose_name = _("carrier callback")
        verbose_name_plural = _("carrier callbacks")
        constraints = [
            choices_check("result", CallbackResult, "shipping_callback_result_valid"),
        ]
        indexes = [
            models.Index(fields=["account", "received_at"], name="shipping_callback_recv_idx"),
            models.Index(
                fields=["result", "received_at"],
                condition=Q(result__in=["pending", "quarantined"]),
                name="shipping_callback_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.received_at:%Y-%m-%d %H:%M:%S}"


# COD statements and receipts, customer notices (a module of their own beside these).
from shipping.models_cod import CodReceipt, CodStatement, ShipmentNotice  # noqa: E402, F401
