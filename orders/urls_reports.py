"""Sales report pages: /reports/... (namespace "orders"); included by orders/urls.py."""

from django.urls import path

from orders.views import reports as views

urlpatterns = [
    path("reports/", views.reports, name="reports"),
    path("reports/best-sellers/", views.report_best_sellers, name="report_best_sellers"),
    path("reports/top-customers/", views.report_top_customers, name="report_top_customers"),
    path("reports/sales/", views.report_sales, name="report_sales"),
]
