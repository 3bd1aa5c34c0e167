from django.http import HttpRequest, HttpResponse

from common.auth import require_perm


@require_perm("orders.view_order")
def order_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


@require_perm("orders.view_customer")
def customer_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
