from django.urls import path

from inventory.urls_catalogue import urlpatterns as catalogue_urls
from inventory.urls_movements import urlpatterns as movement_urls
from inventory.urls_purchasing import urlpatterns as purchasing_urls
from inventory.views import lookup, stock, warehouses

app_name = "inventory"

urlpatterns = [
    path("warehouses/", warehouses.warehouse_list, name="warehouse_list"),
    path("warehouses/new/", warehouses.warehouse_create, name="warehouse_create"),
    path("warehouses/<int:pk>/", warehouses.warehouse_edit, name="warehouse_edit"),
    path("stock/", stock.stock_overview, name="stock_overview"),
    path("stock/<int:variant_id>/ledger/", stock.variant_ledger, name="variant_ledger"),
    path("stock/<int:variant_id>/adjust/", stock.variant_adjust, name="variant_adjust"),
    path("stock/<int:variant_id>/threshold/", stock.variant_threshold, name="variant_threshold"),
    path("variants/lookup/", lookup.variant_lookup, name="variant_lookup"),
    *catalogue_urls,
    *purchasing_urls,
    *movement_urls,
]
