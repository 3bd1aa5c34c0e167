import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
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


def test_person_in_charge_is_picked_by_full_name_with_the_login_only_for_namesakes(
    client, login_as, make_user
):
    login_as("warehouse", first_name="Hùng", last_name="Lê")
    make_user("warehouse", username="an1", first_name="An", last_name="Nguyễn")
    make_user("sales", username="an2", first_name="An", last_name="Nguyễn")
    make_user("sales", username="nobody")
    gone = make_user("sales", username="gone", first_name="Old", last_name="Hand")
    type(gone).objects.filter(pk=gone.pk).update(is_active=False)
    response = client.get(reverse("inventory:warehouse_create"))
    field = response.context["form"].fields["person_in_charge"]
    labels = [label for _value, label in field.choices]
    assert labels == ["---------", "nobody", "An Nguyễn (an1)", "An Nguyễn (an2)", "Hùng Lê"]


def test_list_shows_full_names_and_the_login_only_to_tell_namesakes_apart(
    client, login_as, make_user
):
    login_as("warehouse")
    an1 = make_user("warehouse", username="an1", first_name="An", last_name="Nguyễn")
    make_user("sales", username="an2", first_name="An", last_name="Nguyễn")
    lan = make_user("owner", username="lan", first_name="Lan", last_name="Trần")
    Warehouse.objects.create(code="HCM01", name="Kho chính", person_in_charge=an1)
    Warehouse.objects.create(code="HN01", name="Hà Nội", kind="branch", person_in_charge=lan)
    html = client.get(reverse("inventory:warehouse_list")).content.decode()
    assert 'data-testid="warehouse-keeper">An Nguyễn <span class="muted mono">an1</span>' in html
    assert 'data-testid="warehouse-keeper">Lan Trần</td>' in html


def _post(client, url, **data):
    return client.post(url, {"code": "SUB1", "name": "Kệ A", "kind": "sub", **data})


def test_a_sub_warehouse_belongs_to_a_main_or_branch_warehouse(client, login_as):
    login_as("warehouse")
    main = Warehouse.objects.create(code="HCM01", name="Kho chính", kind="main")
    response = _post(client, reverse("inventory:warehouse_create"), parent=main.pk)
    assert response.status_code == 302
    sub = Warehouse.objects.get(code="SUB1")
    assert (sub.kind, sub.parent) == ("sub", main)
    html = client.get(reverse("inventory:warehouse_list")).content.decode()
    assert 'data-testid="warehouse-parent"><span class="mono">HCM01</span> Kho chính</td>' in html


def test_sub_warehouse_parent_is_required_and_must_be_main_or_branch(client, login_as):
    login_as("warehouse")
    main = Warehouse.objects.create(code="HCM01", name="Kho chính", kind="main")
    other_sub = Warehouse.objects.create(code="SUB0", name="Kệ 0", kind="sub", parent=main)
    url = reverse("inventory:warehouse_create")
    response = _post(client, url)
    assert response.context["form"].errors["parent"] == [
        "Choose the main or branch warehouse this sub-warehouse belongs to."
    ]
    response = _post(client, url, parent=other_sub.pk)
    assert response.context["form"].errors["parent"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    response = _post(client, url, kind="branch", parent=main.pk)
    assert response.context["form"].errors["parent"] == [
        "Only a sub-warehouse belongs to a parent warehouse."
    ]
    assert list(Warehouse.objects.order_by("code").values_list("code", flat=True)) == [
        "HCM01",
        "SUB0",
    ]


def test_a_warehouse_with_subs_cannot_become_a_sub_or_its_own_parent(client, login_as):
    login_as("warehouse")
    main = Warehouse.objects.create(code="HCM01", name="Kho chính", kind="main")
    branch = Warehouse.objects.create(code="HN01", name="Hà Nội", kind="branch")
    Warehouse.objects.create(code="SUB0", name="Kệ 0", kind="sub", parent=main)
    response = client.post(
        reverse("inventory:warehouse_edit", args=[main.pk]),
        {"code": "HCM01", "name": "Kho chính", "kind": "sub", "parent": branch.pk},
    )
    assert response.context["form"].errors["kind"] == [
        "Sub-warehouses belong to this warehouse: it cannot become one."
    ]
    main.refresh_from_db()
    assert (main.kind, main.parent_id) == ("main", None)
    main.kind, main.parent = "sub", main
    with pytest.raises(ValidationError) as refused:
        main.full_clean()
    assert refused.value.message_dict["kind"] == [
        "Sub-warehouses belong to this warehouse: it cannot become one."
    ]


def test_the_database_refuses_a_parent_on_a_non_sub_or_on_itself():
    main = Warehouse.objects.create(code="HCM01", name="Kho chính", kind="main")
    with pytest.raises(IntegrityError), transaction.atomic():
        Warehouse.objects.create(code="HN01", name="Hà Nội", kind="branch", parent=main)
    sub = Warehouse.objects.create(code="SUB0", name="Kệ 0", kind="sub", parent=main)
    with pytest.raises(IntegrityError), transaction.atomic():
        Warehouse.objects.filter(pk=sub.pk).update(parent=sub)
    assert Warehouse.objects.get(pk=sub.pk).parent_id == main.pk
