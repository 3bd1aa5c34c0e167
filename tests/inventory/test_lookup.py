import pytest
from django.urls import reverse

from inventory.services.stock import stock_receive, stock_reserve
from tests.inventory.factories import ProductFactory, VariantFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


def test_lookup_puts_exact_sku_or_barcode_first_and_shows_availability(client, login_as):
    login_as("sales")
    wh = WarehouseFactory()
    shirt = ProductFactory(name="Áo sơ mi")
    exact = VariantFactory(product=shirt, sku="SM-1", barcode="8930000000017", option1="S")
    VariantFactory(product=shirt, sku="SM-10", option1="M")
    VariantFactory(product=ProductFactory(name="Quần"), sku="Q-1")
    VariantFactory(product=shirt, sku="SM-2", option1="L", is_active=False)
    stock_receive(variant_id=exact.pk, warehouse_id=wh.pk, quantity=5)
    stock_reserve(variant_id=exact.pk, warehouse_id=wh.pk, quantity=2)

    response = client.get(reverse("inventory:variant_lookup"), {"q": "sm-1"})
    assert [v.sku for v in response.context["variants"]] == ["SM-1", "SM-10"]
    assert response.context["variants"][0].available_total == 3
    assert f'data-pick-value="{exact.pk}"' in response.content.decode()

    by_barcode = client.get(reverse("inventory:variant_lookup"), {"q": "8930000000017"})
    assert [v.sku for v in by_barcode.context["variants"]] == ["SM-1"]

    by_name = client.get(reverse("inventory:variant_lookup"), {"q": "ao so mi"})
    assert [v.sku for v in by_name.context["variants"]] == ["SM-1", "SM-10"]


def test_lookup_needs_catalogue_access(client):
    assert client.get(reverse("inventory:variant_lookup"), {"q": "x"}).status_code == 302
