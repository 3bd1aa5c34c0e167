from django.urls import path

from orders.views import placeholder

urlpatterns = [path("orders/", placeholder.order_list, name="order_list")]
