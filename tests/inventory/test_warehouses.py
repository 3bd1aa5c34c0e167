import pytest
from django.urls import reverse

from inventory.models import Warehouse

pytestmark = pytest.mark.django_db


def test_create_and_edit_a_warehouse(client, login_as):
    keeper = login_as("warehouse")
    response = client.post(
        reverse("inventory:warehouse_create"),
        {
            "code": " hcm-01 ",
            "name": "Kho chính",
            "kind": "main",
            "address": "12 Nguyễn Văn Bảo, TP. Hồ Chí Minh",
            "person_in_charge": keeper.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    warehouse = Warehouse.objects.get()
    assert (warehouse.code, warehouse.kind, warehouse.person_in_charge) == (
        "HCM-01",
        "main",
        keeper,
    )
    response = client.post(
        reverse("inventory:warehouse_edit", args=[warehouse.pk]),
        {"code": "HCM-01", "name": "Kho chính HCM", "kind": "main"},
    )
    assert response.status_code == 302
    warehouse.refresh_from_db()
    assert (warehouse.name, warehouse.is_active) == ("Kho chính HCM", False)


def test_codes_are_unique_whatever_the_case(client, login_as):
    login_as("warehouse")
    Warehouse.objects.create(code="HN01", name="Hà Nội")
    response = client.post(
        reverse("inventory:warehouse_create"), {"code": "hn01", "name": "Khác", "kind": "branch"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["Another warehouse already uses this code."]
    assert Warehouse.objects.count() == 1


def test_invalid_code_is_explained(client, login_as):
    login_as("warehouse")
    response = client.post(
        reverse("inventory:warehouse_create"), {"code": "HN 01!", "name": "X", "kind": "main"}
    )
    assert response.context["form"].errors["code"] == [
        "Use 1 to 20 letters, digits, hyphens or underscores."
    ]


def test_list_orders_main_first_and_queries_stay_constant(
    client, login_as, django_assert_max_num_queries
):
    user = login_as("warehouse")
    for i, kind in enumerate(["sub", "branch", "main"] * 5):
        Warehouse.objects.create(code=f"W{i:02}", name=f"W{i}", kind=kind, person_in_charge=user)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("inventory:warehouse_list"))
    kinds = [w.kind for w in response.context["warehouses"]]
    assert kinds == ["main"] * 5 + ["branch"] * 5 + ["sub"] * 5
