from django.urls import URLPattern, path

from inventory.views import purchasing as views
from inventory.views import receipts, reorder, suppliers

urlpatterns: list[URLPattern] = [
    path("suppliers/", suppliers.supplier_list, name="supplier_list"),
    path("suppliers/new/", suppliers.supplier_create, name="supplier_create"),
    path("suppliers/<int:pk>/", suppliers.supplier_edit, name="supplier_edit"),
    path("purchase-orders/", views.purchase_order_list, name="purchase_order_list"),
    path("purchase-orders/new/", views.purchase_order_create, name="purchase_order_create"),
    path("purchase-orders/lines/", views.purchase_order_line, name="purchase_order_line"),
    path("purchase-orders/preview/", views.purchase_order_preview, name="purchase_order_preview"),
    path("purchase-orders/<int:pk>/", views.purchase_order_detail, name="purchase_order_detail"),
    path("purchase-orders/<int:pk>/edit/", views.purchase_order_edit, name="purchase_order_edit"),
    path(
        "purchase-orders/<int:pk>/confirm/",
        views.purchase_order_confirm,
        name="purchase_order_confirm",
    ),
    path(
        "purchase-orders/<int:pk>/cancel/",
        views.purchase_order_cancel,
        name="purchase_order_cancel",
    ),
    path(
        "purchase-orders/<int:pk>/close/", views.purchase_order_close, name="purchase_order_close"
    ),
    path("purchase-orders/<int:pk>/pdf/", views.purchase_order_pdf, name="purchase_order_pdf"),
    path(
        "purchase-orders/<int:pk>/receive/",
        receipts.goods_receipt_create,
        name="goods_receipt_create",
    ),
    path("receipts/", receipts.goods_receipt_list, name="goods_receipt_list"),
    path("receipts/<int:pk>/", receipts.goods_receipt_detail, name="goods_receipt_detail"),
    path("reorder/", reorder.reorder_suggestions, name="reorder_suggestions"),
    path("reorder/drafts/", reorder.reorder_create_drafts, name="reorder_create_drafts"),
    path("reorder/assign/", reorder.reorder_assign_supplier, name="reorder_assign_supplier"),
]
