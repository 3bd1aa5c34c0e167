from django.urls import path

from orders.views import placeholder

urlpatterns = [path("customers/", placeholder.customer_list, name="customer_list")]
