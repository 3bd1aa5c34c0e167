from __future__ import annotations

from decimal import Decimal

import factory

from common.text import fold
from inventory.models import Brand, Category, Product, Supplier, Variant, Warehouse


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse

    code = factory.Sequence(lambda n: f"WH{n:03d}")
    name = factory.Sequence(lambda n: f"Kho {n}")
    kind = Warehouse.Kind.MAIN


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Danh mục {n}")
    full_name = factory.LazyAttribute(lambda o: o.name)


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"Brand {n}")


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    name = factory.Sequence(lambda n: f"Nhà cung cấp {n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Áo thun {n}")


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Variant

    product = factory.SubFactory(ProductFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    cost_price = Decimal("80000")
    sale_price = Decimal("150000")
    vat_rate = Decimal("10")
    barcode = ""
    option1 = ""
    option2 = ""
    option3 = ""
    search_text = factory.LazyAttribute(
        lambda o: fold(
            " ".join(
                p for p in (o.sku, o.barcode, o.product.name, o.option1, o.option2, o.option3) if p
            )
        )
    )
