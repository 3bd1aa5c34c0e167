from django.urls import URLPattern, path

from inventory.views import catalogue, imports

urlpatterns: list[URLPattern] = [
    path("products/", catalogue.product_list, name="product_list"),
    path("products/new/", catalogue.product_create, name="product_create"),
    path("products/export/", imports.product_export, name="product_export"),
    path("products/import/", imports.product_import, name="product_import"),
    path(
        "products/import/<str:token>/",
        imports.product_import_review,
        name="product_import_review",
    ),
    path(
        "products/import/<str:token>/discard/",
        imports.product_import_discard,
        name="product_import_discard",
    ),
    path("products/figures/", catalogue.variant_figures, name="variant_figures"),
    path("products/<int:pk>/", catalogue.product_detail, name="product_detail"),
    path("products/<int:pk>/edit/", catalogue.product_edit, name="product_edit"),
    path("products/<int:pk>/images/", catalogue.product_image_upload, name="product_image_upload"),
    path(
        "products/<int:pk>/images/<int:image_id>/move/",
        catalogue.product_image_move,
        name="product_image_move",
    ),
    path(
        "products/<int:pk>/images/<int:image_id>/delete/",
        catalogue.product_image_delete,
        name="product_image_delete",
    ),
    path("media/<path:path>", catalogue.product_media, name="product_media"),
    path("categories/", catalogue.category_list, name="category_list"),
    path("categories/new/", catalogue.category_create, name="category_create"),
    path("categories/<int:pk>/", catalogue.category_edit, name="category_edit"),
    path("brands/", catalogue.brand_list, name="brand_list"),
    path("brands/new/", catalogue.brand_create, name="brand_create"),
    path("brands/<int:pk>/", catalogue.brand_edit, name="brand_edit"),
]
