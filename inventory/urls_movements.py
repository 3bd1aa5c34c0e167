from django.urls import URLPattern, path

from inventory.views import counts, transfers

urlpatterns: list[URLPattern] = [
    path("transfers/", transfers.transfer_list, name="transfer_list"),
    path("transfers/new/", transfers.transfer_create, name="transfer_create"),
    path("transfers/<int:pk>/", transfers.transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/edit/", transfers.transfer_edit, name="transfer_edit"),
    path("transfers/<int:pk>/send/", transfers.transfer_send, name="transfer_send"),
    path("transfers/<int:pk>/receive/", transfers.transfer_receive, name="transfer_receive"),
    path("transfers/<int:pk>/cancel/", transfers.transfer_cancel, name="transfer_cancel"),
    path("counts/", counts.count_list, name="count_list"),
    path("counts/new/", counts.count_create, name="count_create"),
    path("counts/<int:pk>/", counts.count_detail, name="count_detail"),
    path("counts/<int:pk>/scan/", counts.count_scan, name="count_scan"),
    path("counts/<int:pk>/lines/<int:line_pk>/", counts.count_line_set, name="count_line_set"),
    path("counts/<int:pk>/post/", counts.count_post, name="count_post"),
    path("counts/<int:pk>/cancel/", counts.count_cancel, name="count_cancel"),
]
