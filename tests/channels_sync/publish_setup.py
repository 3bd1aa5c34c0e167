"""Shared by the publishing tests: a 3-option product with images, a publish input, a send."""

from __future__ import annotations

from decimal import Decimal

from channels_sync.adapters.publishing import AttributeChoice
from channels_sync.models import Publication
from channels_sync.services.publishing import PublicationInput, publication_queue
from inventory.models import Product
from inventory.services.catalogue import VariantInput, product_create
from inventory.services.catalogue.images import product_images_add
from tests.inventory.factories_catalogue import image_upload

COLOURS, SIZES, MATERIALS = ("Đỏ", "Xanh"), ("M", "L"), ("Cotton", "Linen")


def three_option_product(
    *,
    prefix: str = "POLO",
    name: str = "Áo polo nam cổ bẻ",
    images: int = 2,
    stock: dict[int, int] | None = None,
) -> Product:
    """2 colours x 2 sizes x 2 materials = 8 variants, 300 g, 30x20x3 cm, `images` images;
    `stock`: warehouse id -> units of each variant."""
    variants = [
        VariantInput(
            sku=f"{prefix}-{'DX'[n]}-{s}-{m[0]}",
            options=(c, s, m),
            sale_price=Decimal("249000") + (Decimal("20000") if m == "Linen" else 0),
            weight_grams=300,
            length_cm=30,
            width_cm=20,
            height_cm=3,
            initial_stock=stock or {},
        )
        for n, c in enumerate(COLOURS)
        for s in SIZES
        for m in MATERIALS
    ]
    product = product_create(
        name=name,
        options=[("Màu", list(COLOURS)), ("Size", list(SIZES)), ("Chất liệu", list(MATERIALS))],
        variants=variants,
    )
    product.description = "Áo polo vải cá sấu, thấm hút mồ hôi, form regular."
    product.save(update_fields=["description"])
    colours = ("#c62828", "#1565c0", "#2e7d32")
    product_images_add(
        product=product,
        uploads=[image_upload(f"polo-{n}.png", (600, 600), colours[n % 3]) for n in range(images)],
    )
    return product


def publish_input(product: Product, **changes) -> PublicationInput:  # type: ignore[no-untyped-def]
    values = {
        "category_id": "100111",
        "category_path": "Thời Trang Nam > Áo > Áo thun",
        "brand_id": "1101",
        "brand_name": "Coolmate",
        "attributes": (AttributeChoice("100134", ("7001",)),),
        "weight_grams": 300,
        "length_cm": 30,
        "width_cm": 20,
        "height_cm": 3,
        "image_ids": tuple(product.images.order_by("position").values_list("pk", flat=True)),
        "plan": {},
        "live": True,
    }
    values.update(changes)
    return PublicationInput(**values)  # type: ignore[arg-type]


def send(run_jobs, publication: Publication) -> Publication:  # type: ignore[no-untyped-def]
    """Queue the publication and run its send job; the publication as the job left it."""
    with run_jobs():
        assert publication_queue(publication_id=publication.pk) is True
    publication.refresh_from_db()
    return publication
