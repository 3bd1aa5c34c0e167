"""A parcel's weight and sizes default from the variants of the order (issue 13: "weight and
dimensions defaulted from the variants, with volumetric weight shown"): in the Shipping
panel's form, and in the parcels made in bulk (over real HTTP against the GHN sandbox)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.models import Variant
from shipping.models import Shipment
from shipping.services.bulk import shipments_bulk_create
from shipping.services.parcels import parcel_defaults

HX = {"HTTP_HX_REQUEST": "true"}


def _sizes(variant, **values) -> None:
    Variant.objects.filter(pk=variant.pk).update(**values)


@pytest.mark.django_db
def test_the_parcel_weighs_and_measures_what_the_variants_say(two_line_order, ghn_account):
    order, shirt, mug = two_line_order
    _sizes(shirt, weight_grams=250, length_cm=30, width_cm=20, height_cm=3)
    _sizes(mug, weight_grams=400, length_cm=12, width_cm=12, height_cm=10)

    defaults = parcel_defaults(order=order, account=ghn_account)

    # 250 + 400 g; the longest and the widest, the heights stacked.
    assert (defaults.weight_g, defaults.length_cm, defaults.width_cm, defaults.height_cm) == (
        650,
        30,
        20,
        13,
    )


@pytest.mark.django_db
def test_units_count_and_a_blank_catalogue_keeps_the_account_defaults(ship_order, ghn_account):
    order = ship_order()  # 2 x TS-M, no weight or sizes in the catalogue
    blank = parcel_defaults(order=order, account=ghn_account)
    assert (blank.weight_g, blank.length_cm, blank.width_cm, blank.height_cm) == (500, 20, 15, 10)

    _sizes(ship_order.variant, weight_grams=300)  # a weight, still no sizes
    weighed = parcel_defaults(order=order, account=ghn_account)
    assert (weighed.weight_g, weighed.length_cm, weighed.width_cm, weighed.height_cm) == (
        600,
        20,
        15,
        10,
    )

    _sizes(ship_order.variant, length_cm=35, width_cm=25, height_cm=4)
    boxed = parcel_defaults(order=order, account=ghn_account)
    assert (boxed.length_cm, boxed.width_cm, boxed.height_cm) == (35, 25, 8)


@pytest.mark.django_db
def test_a_heavy_order_is_capped_at_what_the_form_takes(ship_order, ghn_account):
    order = ship_order()
    _sizes(ship_order.variant, weight_grams=60_000, length_cm=150, width_cm=90, height_cm=120)

    defaults = parcel_defaults(order=order, account=ghn_account)

    assert (defaults.weight_g, defaults.length_cm, defaults.width_cm, defaults.height_cm) == (
        100_000,
        150,
        90,
        200,
    )


@pytest.mark.django_db
def test_the_panel_form_starts_from_the_variants_with_their_volumetric_weight(
    client, login_as, ghn_account, ship_order
):
    order = ship_order()
    _sizes(ship_order.variant, weight_grams=350, length_cm=30, width_cm=25, height_cm=5)
    login_as("warehouse")

    panel = client.get(reverse("shipping:panel", args=[order.pk]), **HX)

    form = panel.context["form"]
    assert (
        form.initial["weight_g"],
        form.initial["length_cm"],
        form.initial["width_cm"],
        form.initial["height_cm"],
    ) == (700, 30, 25, 10)
    assert panel.context["volumetric"] == 1500  # 30 x 25 x 10 cm / 5000
    assert 'name="weight_g" value="700"' in panel.content.decode()


@pytest.mark.django_db
def test_parcels_made_in_bulk_weigh_what_the_variants_say(ghn_sandbox, ghn_account, ship_order):
    order = ship_order()
    _sizes(ship_order.variant, weight_grams=900, length_cm=30, width_cm=20, height_cm=6)

    (result,) = shipments_bulk_create(
        order_ids=[order.pk], account_id=ghn_account.pk, level="economy", user_id=None
    )

    assert result.ok, result.message
    shipment = Shipment.objects.get(order=order)
    assert (shipment.weight_g, shipment.length_cm, shipment.width_cm, shipment.height_cm) == (
        1800,
        30,
        20,
        12,
    )
    fields = ghn_sandbox.parcels[shipment.tracking_number].fields
    assert (fields["weight"], fields["length"], fields["width"], fields["height"]) == (
        1800,
        30,
        20,
        12,
    )
    assert shipment.cod_amount == Decimal(330000)
