"""What went wrong in a publication, in the staff's language: our codes and the platform error
names worth mapping (marketplaces.md 7.1.6, TikTok's numeric codes of 7.3.5); an unknown code
shows the platform's own words."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ATTRIBUTES = _("The platform needs more or other category attributes: check them and send again.")
CATEGORY = _("This category cannot be used in this shop: pick another one.")
BRAND = _("The platform needs another brand for this category.")
LOGISTICS = _("The shop's shipping channels refuse this product (weight, size or price).")
SELLER_SKU = _("A seller SKU is already used on the shop by another product: change the SKU.")
IMAGES = _("The platform refuses an image (size, format or where it is stored).")
VARIATIONS = _("The platform refuses the variations: choose another way to map the options.")

MESSAGES = {
    # ours
    "no_images": _("Choose at least one image."),
    "busy": _("The product is being sent to this shop right now; wait for the result."),
    "not_published": _("The product is not on this shop yet: publish it first."),
    "saved_not_sent": _(
        "Choices saved. The product is already on this shop: “Push changes” sends name, "
        "description, images and prices."
    ),
    "publishing_not_supported": _("Publishing to this platform is not available yet."),
    "no_logistics": _("The shop has no usable shipping channel on the platform."),
    "too_many_dimensions": VARIATIONS,
    "too_many_variants": _("Too many variants for one listing: split the product."),
    "too_many_options": _("Too many options in one variation: split the product."),
    "option_too_long": _("An option name is too long for the platform: split instead of merging."),
    "network": _("Could not reach the platform; send again later."),
    "rate_limited": _("The platform asked us to slow down; send again in a minute."),
    "reconnect_needed": _("The shop's authorisation has ended: connect the shop again."),
    "internal": _("An error on our side while sending; what was created is kept: send again."),
    # Shopee (7.1.6)
    "error_less_required_attribute": ATTRIBUTES,
    "error_invalid_attribute": ATTRIBUTES,
    "error_invalid_attribute_value": ATTRIBUTES,
    "error_value_id_must_equal_zero": ATTRIBUTES,
    "error_value_name_required": ATTRIBUTES,
    "error_invalid_category": CATEGORY,
    "error_category_is_block": CATEGORY,
    "error_forbidden_category": CATEGORY,
    "error_invalid_brand": BRAND,
    "error_less_required_brand": BRAND,
    "error_brand_forbidden": BRAND,
    "error_invalid_logistic_info": LOGISTICS,
    "error_invalid_price_for_logistic": LOGISTICS,
    "error_image_num_min": _("The platform needs more images."),
    "error_name_length_limit": _("The product name is too long for this category."),
    "error_item_name_is_too_short": _("The product name is too short for the platform."),
    "error_title_character_forbidden": _("The product name has characters the platform refuses."),
    "error_desc_length_min_limit": _("The description is too short for the platform."),
    "error_desc_hash_tag_over_limit": _("The description has more than 18 hashtags."),
    "error_price_exceed_min_limitt": _("A price is below the platform's minimum."),
    "error_price_exceed_max_limitt": _("A price is above the platform's maximum."),
    "error_invalid_price": _("A price is not accepted by the platform."),
    "error_reach_shop_item_limit": _("The shop has reached its number of products."),
    "error_repeated_mtsku": _("The platform says a similar product is already in the shop."),
    "error_tier_opt_too_many": VARIATIONS,
    "error_model_count_over_limit": VARIATIONS,
    "error_model_duplicate_name": VARIATIONS,
    "error_model_duplicate_tier_variation_index": VARIATIONS,
    # Lazada (7.2.5): numeric codes; the generic 500/501 is read from its detail first
    "package_required": _("Lazada needs the package weight, length, width and height."),
    "201": CATEGORY,
    "4134": CATEGORY,
    "4110": ATTRIBUTES,
    "4125": ATTRIBUTES,
    "4167": ATTRIBUTES,
    "4115": ATTRIBUTES,
    "4140": ATTRIBUTES,
    "4142": BRAND,
    "4130": BRAND,
    "4168": BRAND,
    "4156": BRAND,
    "4105": SELLER_SKU,
    "4126": SELLER_SKU,
    "4141": SELLER_SKU,
    "4135": SELLER_SKU,
    "4109": VARIATIONS,
    "4112": VARIATIONS,
    "4113": VARIATIONS,
    "4143": VARIATIONS,
    "4144": VARIATIONS,
    "4145": VARIATIONS,
    "4161": VARIATIONS,
    "209": VARIATIONS,
    "4138": IMAGES,
    "4139": IMAGES,
    "4153": IMAGES,
    "4169": IMAGES,
    "4164": LOGISTICS,
    "4165": LOGISTICS,
    "4148": _("The shop has reached its number of products."),
    "4129": _("The product name has characters the platform refuses."),
    "4154": _("The platform asked us to slow down; send again in a minute."),
}
TITLE = _("The product name does not meet the platform's rules (length or words).")
DESCRIPTION = _("The description does not meet the platform's rules (length or images).")
PACKAGE = _("The platform needs a package weight and size it accepts.")
WAREHOUSE = _("The shop's warehouse on the platform cannot take this product.")
PRICE = MESSAGES["error_invalid_price"]
TIKTOK = {
    ATTRIBUTES: ("12052104", "12052182", "12052240", "12052247"),
    CATEGORY: (
        *("12052023", "12052024", "12052230", "12052217"),
        *("12052220", "12052223", "12052225", "12052226"),
    ),
    BRAND: ("12052201", "12052208"),
    TITLE: ("12052051", "12052261", "12052931"),
    DESCRIPTION: ("12052013", "12052015", *(str(c) for c in range(12052344, 12052351))),
    IMAGES: ("12052028", *(str(c) for c in range(12052300, 12052307))),
    VARIATIONS: ("12052525", "12052550", "12052560", "12052528", "12052522"),
    MESSAGES["too_many_variants"]: ("12052050",),
    PRICE: ("12052073", "12052570"),
    WAREHOUSE: ("12052097", "12052530", "12052531"),
    PACKAGE: ("12052181", "12052915", "12019011", "12019012"),
    _("A SKU is longer than the platform allows or has spaces."): ("12052054",),
    _("A stock quantity is outside the range the platform accepts."): ("12052055",),
    _("The shop reached the platform's daily number of new listings: send again tomorrow."): (
        "12052093",
    ),
    _("The shop is not active on the platform or has not finished its onboarding."): (
        "12052700",
        "12052995",
    ),
}
MESSAGES.update({code: text for text, codes in TIKTOK.items() for code in codes})
MESSAGES["no_warehouse"] = _("The shop has no sales warehouse on the platform.")
PLATFORM = pgettext_lazy("publication", "The platform refused the product: %(message)s")


def publish_error_text(code: str, message: str = "") -> str:
    """The sentence for `code` in the active language; the platform's words for the rest."""
    if not code:
        return ""
    known = MESSAGES.get(code)
    if known is not None:
        text = str(known)
        detailed = code.startswith("error_") or code.isdigit()
        return f"{text} ({message})" if message and detailed else text
    return str(PLATFORM) % {"message": message or code}
