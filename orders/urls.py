"""Staff pages of the orders app: /orders/... and /customers/... (namespace "orders").

Each area keeps its routes in its own module, included here."""

from orders.urls_customers import urlpatterns as customer_urls
from orders.urls_detail import urlpatterns as detail_urls
from orders.urls_form import urlpatterns as form_urls
from orders.urls_list import urlpatterns as list_urls
from orders.urls_reports import urlpatterns as report_urls
from orders.urls_websites import urlpatterns as website_urls

app_name = "orders"

urlpatterns = [
    *list_urls,
    *form_urls,
    *detail_urls,
    *customer_urls,
    *website_urls,
    *report_urls,
]
