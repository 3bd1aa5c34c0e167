"""Products, their option attributes, the variant matrix, images, categories and brands.

  variants      what a variant row is; option matrix, SKU rules, search text
  plan          which rows the product editor shows after the options change
  checks        the rules options and variant rows pass before anything is saved
  products      product_create and product_update
  images        product images and their thumbnails
  categories    the category tree and brands

The names callers use are re-exported here: `from inventory.services.catalogue import ...`.
"""

from inventory.services.catalogue.categories import (
    brand_save,
    category_ensure_path,
    category_full_name,
    category_save,
)
from inventory.services.catalogue.images import (
    THUMBNAIL_SIZE,
    make_thumbnail,
    product_image_add,
    product_image_delete,
    product_image_move,
    product_images_add,
)
from inventory.services.catalogue.plan import PlanRow, option_value_renames, variant_plan
from inventory.services.catalogue.products import (
    product_create,
    product_refresh_search_text,
    product_update,
)
from inventory.services.catalogue.variants import (
    DEFAULT_VAT_RATE,
    MAX_OPTIONS,
    MAX_VARIANTS,
    SKU_RE,
    VariantError,
    VariantInput,
    VariantUpdate,
    default_vat_rate,
    options_pad,
    options_trim,
    search_text_for,
    sku_suggest,
    sku_validate,
    variant_matrix,
    vat_error,
    vat_rates,
)

__all__ = [
    "DEFAULT_VAT_RATE",
    "MAX_OPTIONS",
    "MAX_VARIANTS",
    "SKU_RE",
    "THUMBNAIL_SIZE",
    "PlanRow",
    "VariantError",
    "VariantInput",
    "VariantUpdate",
    "brand_save",
    "category_ensure_path",
    "category_full_name",
    "category_save",
    "default_vat_rate",
    "make_thumbnail",
    "option_value_renames",
    "options_pad",
    "options_trim",
    "product_create",
    "product_image_add",
    "product_image_delete",
    "product_image_move",
    "product_images_add",
    "product_refresh_search_text",
    "product_update",
    "search_text_for",
    "sku_suggest",
    "sku_validate",
    "variant_matrix",
    "variant_plan",
    "vat_error",
    "vat_rates",
]
