"""Customer pages: list (search, tag, sort, pages, htmx), detail, create / edit, addresses,
merge, permissions and query counts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import Customer, CustomerAddress, CustomerPhone, Order, OrderEvent, Tag
from orders.services.customers import CustomerInput, customer_create
from orders.services.orders.transitions import order_complete, order_confirm, order_ship
from tests.orders.factories import (
    BANGKOK_ADDRESS,
    WarehouseFactory,
    make_customer,
    make_order,
    stocked_variant,
)

pytestmark = pytest.mark.django_db

LIST = reverse("orders:customer_list")
CREATE = reverse("orders:customer_create")


def detail_url(customer):
    return reverse("orders:customer_detail", args=[customer.pk])


def names(response):
    return [row.customer.name for row in response.context["rows"]]


def phones_of(customer):
    return list(
        CustomerPhone.objects.filter(customer=customer)
        .order_by("-is_primary", "e164")
        .values_list("e164", "is_primary")
    )


def addresses_of(customer):
    return list(
        CustomerAddress.objects.filter(customer=customer)
        .order_by("pk")
        .values_list("street", "scheme", "district", "postcode", "is_default")
    )


def customer_at(name, phones, days_ago, **fields):
    return customer_create(
        data=CustomerInput(name=name, phones=phones, **fields),
        now=timezone.now() - timedelta(days=days_ago),
    )


@pytest.fixture
def shop(settings):
    settings.SHOP_CURRENCY = "VND"
    settings.LANGUAGE_CODE = "en"
    warehouse = WarehouseFactory()
    return {"warehouse": warehouse, "variant": stocked_variant(warehouse, 100, price="100000")}


def completed_order(customer, shop, quantity=1):
    order = make_order(customer, shop["warehouse"], [(shop["variant"], quantity)])
    order_confirm(order_id=order.pk, user_id=None)
    order_ship(order_id=order.pk, user_id=None)
    return order_complete(order_id=order.pk, user_id=None)


# --- List -------------------------------------------------------------------------------------


def test_list_search_filter_sort(client, login_as, shop):
    login_as("accountant")
    an = customer_at("Nguyễn Văn An", ["+84912345678"], 3, tags=["VIP"])
    bich = customer_at("Trần Thị Bích", ["0987 111 222"], 2, company="Công ty ABC")
    cuong = customer_at("Lê Cường", ["0977 333 444"], 1, tags=["vip", "Sỉ"], emails=["c@x.vn"])
    merged = customer_at("Nguyễn An cũ", ["0912 345 678"], 0)
    merged.merged_into = an
    merged.save(update_fields=["merged_into"])
    completed_order(bich, shop, 3)
    completed_order(bich, shop)
    completed_order(an, shop, 5)

    def found(**params):
        return names(client.get(LIST, params))

    assert found() == ["Lê Cường", "Trần Thị Bích", "Nguyễn Văn An"]  # newest; merged hidden
    assert found(q="345 678") == ["Nguyễn Văn An"]
    assert found(q="0912-345") == ["Nguyễn Văn An"]
    assert found(q="nguyen") == ["Nguyễn Văn An"]
    assert found(q="NGUYỄN an") == ["Nguyễn Văn An"]
    assert found(q="abc") == ["Trần Thị Bích"]
    assert found(q="c@x.vn") == ["Lê Cường"]
    assert found(q="nobody") == []
    vip = Tag.objects.get(name="VIP")
    assert found(tag=vip.pk) == ["Lê Cường", "Nguyễn Văn An"]
    assert found(tag=vip.pk, q="cuong") == ["Lê Cường"]
    assert found(sort="revenue") == ["Nguyễn Văn An", "Trần Thị Bích", "Lê Cường"]
    assert found(sort="orders") == ["Trần Thị Bích", "Nguyễn Văn An", "Lê Cường"]
    assert found(sort="bogus", tag="x") == ["Lê Cường", "Trần Thị Bích", "Nguyễn Văn An"]

    response = client.get(LIST, {"sort": "revenue"})
    rows = [
        (r.customer.name, r.phone, r.more_phones, r.customer.orders_count, r.customer.revenue)
        for r in response.context["rows"]
    ]
    assert rows == [
        ("Nguyễn Văn An", "0912 345 678", 0, 1, Decimal("500000")),
        ("Trần Thị Bích", "0987 111 222", 0, 2, Decimal("400000")),
        ("Lê Cường", "0977 333 444", 0, 0, Decimal("0")),
    ]
    html = response.content.decode()
    assert "₫500,000" in html
    assert "Công ty ABC" in html
    assert 'data-search=""' in html
    assert 'hx-trigger="input changed delay:250ms' in html
    assert cuong.pk  # created


def test_list_pages_without_count(client, login_as, django_assert_num_queries):
    login_as("sales")
    now = timezone.now()
    Customer.objects.bulk_create(
        Customer(name=f"Khách {n:02d}", created_at=now - timedelta(minutes=n)) for n in range(52)
    )
    first = client.get(LIST)
    assert names(first) == [f"Khách {n:02d}" for n in range(50)]
    assert first.context["page"].has_next is True
    second = client.get(LIST, {"page": 2})
    assert names(second) == ["Khách 50", "Khách 51"]
    assert second.context["page"].has_next is False
    assert "?page=1" in second.content.decode()
    with django_assert_num_queries(8) as captured:
        client.get(LIST, {"page": 2})
    assert not any("COUNT(" in q["sql"] for q in captured.captured_queries)


def test_list_htmx_returns_the_table_partial(client, login_as):
    login_as("sales")
    customer_at("Nguyễn Văn An", ["0912345678"], 1)
    customer_at("Trần Bích", ["0987111222"], 0)
    response = client.get(LIST, {"q": "345"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="customer-table"')
    assert "Nguyễn Văn An" in html
    assert "Trần Bích" not in html
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_list_query_count_does_not_grow_with_rows(client, login_as, django_assert_num_queries):
    login_as("manager")

    def make(count, offset):
        for n in range(count):
            customer_at(
                f"Khách {offset + n}",
                [f"09{offset + n:08d}", f"03{offset + n:08d}"],
                n,
                tags=["VIP", f"T{n}"],
            )

    make(3, 0)
    # session, user, 2 x permissions, tag choices, customers, phones, tags
    with django_assert_num_queries(8):
        response = client.get(LIST)
    assert len(response.context["rows"]) == 3
    make(27, 100)
    with django_assert_num_queries(8):
        response = client.get(LIST)
    assert len(response.context["rows"]) == 30
    assert response.context["rows"][0].more_phones == 1


# --- Detail -----------------------------------------------------------------------------------


def test_detail_shows_customer_orders_addresses_and_duplicates(client, login_as, shop):
    login_as("warehouse")
    an = make_customer(
        "Nguyễn Văn An",
        phones=("0912 345 678", "+66 81 234 5678"),
        emails=["an@example.vn"],
        company="Công ty ABC",
        tax_code="0100109106",
        tags=["VIP"],
        notes="Gọi trước khi giao",
    )
    dup = make_customer("An Nguyễn", phones=("+84912345678",))
    other = make_customer("Somebody", phones=("0987654321",))
    completed_order(an, shop, 2)
    open_order = make_order(an, shop["warehouse"], [(shop["variant"], 1)])
    make_order(other, shop["warehouse"], [(shop["variant"], 1)])

    response = client.get(detail_url(an))
    assert response.status_code == 200
    context = response.context
    assert [(p.display, p.is_primary) for p in context["phones"]] == [
        ("0912 345 678", True),
        ("+66 81 234 5678", False),
    ]
    assert [o.number for o in context["orders"].items] == [
        open_order.number,
        Order.objects.filter(customer=an).order_by("id").first().number,
    ]
    assert [d.customer.name for d in context["duplicates"]] == ["An Nguyễn"]
    assert context["duplicates"][0].shared == ["0912 345 678"]
    html = response.content.decode()
    for text in ("Công ty ABC", "0100109106", "an@example.vn", "VIP", "Gọi trước khi giao"):
        assert text in html
    assert "₫200,000" in html  # lifetime revenue
    assert '<div id="customer-followups" class="customer-followups"></div>' in html
    assert "12 Lê Lợi" in html
    # warehouse staff only read: no edit, no merge, no address actions
    assert reverse("orders:customer_edit", args=[an.pk]) not in html
    assert reverse("orders:customer_merge", args=[an.pk, dup.pk]) not in html
    assert reverse("orders:customer_address_add", args=[an.pk]) not in html


def test_detail_orders_pages_and_htmx(client, login_as):
    login_as("sales")
    customer = make_customer()
    warehouse = WarehouseFactory()
    variant = stocked_variant(warehouse, 0)
    orders = [make_order(customer, None, [(variant, 1)]) for _ in range(21)]
    first = client.get(detail_url(customer))
    assert [o.pk for o in first.context["orders"].items] == [o.pk for o in orders[::-1][:20]]
    assert first.context["orders"].has_next is True
    fragment = client.get(detail_url(customer), {"page": 2}, HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert html.lstrip().startswith('<section id="customer-orders"')
    assert orders[0].number in html
    assert orders[1].number not in html


def test_detail_query_count_does_not_grow_with_orders(client, login_as, django_assert_num_queries):
    login_as("manager")
    warehouse = WarehouseFactory()
    variant = stocked_variant(warehouse, 0)
    small = make_customer("Small", phones=("0912345678",), tags=["A"])
    make_customer("Small twin", phones=("0912345678",))
    big = make_customer(
        "Big", phones=("0987654321", "0977000111"), tags=["A", "B"], addresses=[BANGKOK_ADDRESS]
    )
    make_customer("Big twin", phones=("0987654321",))
    make_customer("Big triplet", phones=("0977000111",))
    for _ in range(3):
        make_order(small, None, [(variant, 1)])
    for _ in range(30):
        make_order(big, None, [(variant, 2)])
    # session, user, 2 x permissions, customer, phones, tags, addresses, orders,
    # duplicates, duplicates' phones
    with django_assert_num_queries(11):
        response = client.get(detail_url(small))
    assert len(response.context["orders"].items) == 3
    with django_assert_num_queries(11):
        response = client.get(detail_url(big))
    assert len(response.context["orders"].items) == 20
    assert len(response.context["duplicates"]) == 2


def test_merged_customer_page_points_to_the_target(client, login_as):
    login_as("sales")
    target = make_customer("Kept", phones=("0912345678",))
    dup = make_customer("Gone", phones=("0912345678",))
    dup.merged_into = target
    dup.save(update_fields=["merged_into"])
    response = client.get(detail_url(dup))
    html = response.content.decode()
    assert f'was merged into <a href="{detail_url(target)}">Kept</a>' in html
    assert reverse("orders:customer_edit", args=[dup.pk]) not in html
    edit = client.get(reverse("orders:customer_edit", args=[dup.pk]))
    assert edit.status_code == 302
    assert edit["Location"] == detail_url(dup)


def test_detail_404(client, login_as):
    login_as("sales")
    assert client.get(reverse("orders:customer_detail", args=[999999])).status_code == 404


# --- Create and edit --------------------------------------------------------------------------


def customer_post(**overrides):
    data = {
        "name": "Trần Thị Bích",
        "company": "Công ty ABC",
        "country": "VN",
        "tax_code": "0100109106-001",
        "phones": ["", "0912 345 678", "+66 81-234-5678"],
        "primary_phone": "1",
        "emails": "Bich@Example.vn, bich2@example.vn",
        "tags": "VIP, Khách mới",
        "notes": "Thích giao buổi sáng",
        "address-scheme": "vn_3level",
        "address-recipient_name": "",
        "address-recipient_phone": "",
        "address-street": "12 Lê Lợi",
        "address-ward": "Phường Bến Nghé",
        "address-district": "Quận 1",
        "address-province": "TP. Hồ Chí Minh",
        "address-postcode": "",
    }
    data.update(overrides)
    return data


def test_create_with_two_phones_and_address(client, login_as):
    login_as("sales")
    Tag.objects.create(name="vip")
    response = client.post(CREATE, customer_post())
    customer = Customer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(customer)
    assert (
        customer.name,
        customer.company,
        customer.tax_code,
        customer.emails,
        customer.notes,
    ) == (
        "Trần Thị Bích",
        "Công ty ABC",
        "0100109106-001",
        ["bich@example.vn", "bich2@example.vn"],
        "Thích giao buổi sáng",
    )
    assert phones_of(customer) == [("+84912345678", True), ("+66812345678", False)]
    assert sorted(customer.tags.values_list("name", flat=True)) == ["Khách mới", "vip"]
    assert Tag.objects.count() == 2
    assert list(
        customer.addresses.values_list(
            "recipient_name", "recipient_phone", "country", "scheme", "district", "is_default"
        )
    ) == [("Trần Thị Bích", "+84912345678", "VN", "vn_3level", "Quận 1", True)]


def test_create_thai_customer_reads_local_numbers_in_thailand(client, login_as):
    login_as("sales")
    response = client.post(
        CREATE,
        customer_post(
            name="Somchai",
            country="TH",
            tax_code="1234567890121",
            phones=["081-234-5678"],
            primary_phone="0",
            **{
                "address-scheme": "th",
                "address-street": "99/1 Sukhumvit",
                "address-ward": "Khlong Toei Nuea",
                "address-district": "Watthana",
                "address-province": "Bangkok",
                "address-postcode": "10110",
            },
        ),
    )
    customer = Customer.objects.get()
    assert response.status_code == 302
    assert phones_of(customer) == [("+66812345678", True)]
    assert customer.tax_code == "1234567890121"
    assert addresses_of(customer) == [("99/1 Sukhumvit", "th", "Watthana", "10110", True)]


def test_create_without_address(client, login_as):
    login_as("sales")
    data = customer_post(tax_code="", emails="", tags="")
    for key in ("street", "ward", "district", "province"):
        data[f"address-{key}"] = ""
    data["address-recipient_name"] = "Someone"  # a recipient alone is not an address
    response = client.post(CREATE, data)
    customer = Customer.objects.get()
    assert response.status_code == 302
    assert customer.addresses.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"tax_code": "0100109107"},
            "tax_code",
            "0100109107 is not a valid Vietnamese tax code: the check digit does not match.",
        ),
        ({"name": "  "}, "name", "This field is required."),
        ({"emails": "bich@, ok@example.vn"}, "emails", "bich@ is not an e-mail address."),
        (
            {"phones": ["12"], "primary_phone": "0"},
            "phones",
            "Correct the phone numbers marked below.",
        ),
        ({"address-district": ""}, "district", "Choose the district."),
        ({"address-scheme": "th", "address-postcode": ""}, "postcode", "Enter the postcode."),
    ],
)
def test_create_refusals_save_nothing(client, login_as, overrides, field, message):
    login_as("sales")
    response = client.post(CREATE, customer_post(**overrides))
    assert response.status_code == 200
    forms = (response.context["form"], response.context["address_form"])
    errors = {name: list(errs) for form in forms for name, errs in form.errors.items()}
    assert errors == {field: [message]}
    assert message in response.content.decode()
    assert Customer.objects.count() == 0
    assert CustomerPhone.objects.count() == 0
    assert CustomerAddress.objects.count() == 0
    assert Tag.objects.count() == 0


def test_invalid_phone_is_shown_on_its_row_with_the_others_normalised(client, login_as):
    login_as("sales")
    response = client.post(
        CREATE, customer_post(phones=["0912 345 678", "12345"], primary_phone="0")
    )
    rows = [(r.value, r.normalised, r.error, r.is_primary) for r in response.context["phone_rows"]]
    assert rows == [
        ("0912 345 678", "0912 345 678", "", True),
        ("12345", "", "12345 is not a valid phone number in VN.", False),
        ("", "", "", False),
        ("", "", "", False),
    ]
    assert Customer.objects.count() == 0


def test_phone_check_normalises_and_links_customers_having_it(client, login_as):
    login_as("sales")
    an = make_customer("Nguyễn Văn An", phones=("0912345678",))
    url = reverse("orders:customer_phone_check")
    html = client.get(url, {"phones": "0912-345-678", "country": "VN"}).content.decode()
    assert "+84 912 345 678" in html
    assert f'<a href="{detail_url(an)}"' in html
    assert "Nguyễn Văn An" in html
    own = client.get(url, {"phones": "0912345678", "customer": an.pk}).content.decode()
    assert "+84 912 345 678" in own
    assert detail_url(an) not in own
    thai = client.get(url, {"phones": "081-234-5678", "country": "TH"}).content.decode()
    assert "+66 81 234 5678" in thai
    bad = client.get(url, {"phones": "12"}).content.decode()
    assert '<small class="error">12 is not a valid phone number in VN.</small>' in bad


def test_create_with_a_phone_of_another_customer_warns_and_saves(client, login_as):
    login_as("sales")
    make_customer("Nguyễn Văn An", phones=("0912345678",))
    response = client.post(CREATE, customer_post(), follow=True)
    created = Customer.objects.get(name="Trần Thị Bích")
    assert response.redirect_chain == [(detail_url(created), 302)]
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        "Customer Trần Thị Bích created.",
        "A phone number of Trần Thị Bích also belongs to Nguyễn Văn An: see the possible "
        "duplicates on this page.",
    ]
    assert [d.customer.name for d in response.context["duplicates"]] == ["Nguyễn Văn An"]


def test_edit(client, login_as):
    login_as("sales")
    customer = make_customer(
        "Nguyễn Văn An", phones=("0912345678", "0987654321"), tags=["VIP", "Sỉ"]
    )
    url = reverse("orders:customer_edit", args=[customer.pk])
    form = client.get(url).context["form"]
    assert form.initial["phones"] == ["0912 345 678", "0987 654 321"]
    assert form.initial["tags"] == "Sỉ, VIP"
    response = client.post(
        url,
        {
            "name": "Nguyễn Văn Anh",
            "company": "",
            "country": "VN",
            "tax_code": "",
            "phones": ["0912 345 678", "0987 654 321", "0977 111 222"],
            "primary_phone": "1",
            "emails": "anh@example.vn",
            "tags": "VIP",
            "notes": "",
        },
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.name == "Nguyễn Văn Anh"
    assert customer.emails == ["anh@example.vn"]
    assert phones_of(customer) == [
        ("+84987654321", True),
        ("+84912345678", False),
        ("+84977111222", False),
    ]
    assert list(customer.tags.values_list("name", flat=True)) == ["VIP"]
    assert "nguyen van anh" in customer.search_text


def test_edit_invalid_tax_code_changes_nothing(client, login_as):
    login_as("sales")
    customer = make_customer("An", phones=("0912345678",), tax_code="0100109106")
    response = client.post(
        reverse("orders:customer_edit", args=[customer.pk]),
        {"name": "Other", "country": "VN", "tax_code": "123", "phones": ["0987654321"]},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "tax_code": [
            "123 is not a Vietnamese tax code: it has 10 digits (13 with a branch suffix), or 12 "
            "for a personal identification number."
        ]
    }
    customer.refresh_from_db()
    assert (customer.name, customer.tax_code) == ("An", "0100109106")
    assert phones_of(customer) == [("+84912345678", True)]


# --- Addresses --------------------------------------------------------------------------------


def address_post(**overrides):
    data = {
        "scheme": "vn_2level",
        "recipient_name": "Bích",
        "recipient_phone": "0987 654 321",
        "street": "5 Nguyễn Huệ",
        "ward": "Phường Sài Gòn",
        "district": "Quận 1",  # hidden for the 2-level form: not saved
        "province": "TP. Hồ Chí Minh",
        "postcode": "70000",  # hidden in Vietnam: not saved
    }
    data.update(overrides)
    return data


def test_address_add_edit_delete(client, login_as):
    login_as("sales")
    customer = make_customer()  # with HCM_ADDRESS, the default
    first = customer.addresses.get()
    add = reverse("orders:customer_address_add", args=[customer.pk])

    form = client.get(add, HTTP_HX_REQUEST="true")
    html = form.content.decode()
    assert html.lstrip().startswith('<section id="customer-addresses"')
    assert f'hx-post="{add}"' in html
    assert form.context["address_form"].initial["recipient_name"] == "Nguyễn Văn An"

    response = client.post(add, address_post(make_default="on"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<section id="customer-addresses"')
    assert "Address added." in response.content.decode()  # toast, out of band
    second = customer.addresses.order_by("pk").last()
    assert addresses_of(customer) == [
        ("12 Lê Lợi", "vn_3level", "Quận 1", "", False),
        ("5 Nguyễn Huệ", "vn_2level", "", "", True),
    ]
    assert second.recipient_phone == "+84987654321"

    edit = reverse("orders:customer_address_edit", args=[customer.pk, first.pk])
    assert client.get(edit, HTTP_HX_REQUEST="true").context["editing"] == first.pk
    response = client.post(
        edit,
        address_post(
            scheme="th",
            street="99/1 Sukhumvit",
            ward="Khlong Toei Nuea",
            district="Watthana",
            province="Bangkok",
            postcode="10110",
            recipient_phone="081-234-5678",
            make_default="on",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url(customer) + "#customer-addresses"
    first.refresh_from_db()
    assert (first.country, first.recipient_phone) == ("TH", "+66812345678")
    assert addresses_of(customer) == [
        ("99/1 Sukhumvit", "th", "Watthana", "10110", True),
        ("5 Nguyễn Huệ", "vn_2level", "", "", False),
    ]

    delete = reverse("orders:customer_address_delete", args=[customer.pk, first.pk])
    response = client.post(delete, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert addresses_of(customer) == [("5 Nguyễn Huệ", "vn_2level", "", "", True)]
    assert "99/1 Sukhumvit" not in response.content.decode()


def test_address_errors_change_nothing(client, login_as):
    login_as("sales")
    customer = make_customer()
    other = make_customer("Other", phones=("0987654321",))
    before = addresses_of(customer)
    add = reverse("orders:customer_address_add", args=[customer.pk])
    response = client.post(add, address_post(street=""), HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert response.context["address_form"].errors == {"street": ["This field is required."]}
    assert response.context["editing"] == "new"
    response = client.post(add, address_post(scheme="th", postcode="1011"), HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert response.context["address_form"].errors == {
        "__all__": ["1011 is not a postcode of this country."]
    }
    assert addresses_of(customer) == before
    foreign = other.addresses.get()
    edit = reverse("orders:customer_address_edit", args=[customer.pk, foreign.pk])
    assert client.post(edit, address_post()).status_code == 404
    delete = reverse("orders:customer_address_delete", args=[customer.pk, foreign.pk])
    client.post(delete)
    assert other.addresses.count() == 1


# --- Merge ------------------------------------------------------------------------------------


def test_merge_confirm_then_merge(client, login_as, shop):
    user = login_as("manager")
    target = make_customer("Nguyễn Văn An", phones=("0912345678",), tags=["VIP"])
    dup = make_customer(
        "An Nguyễn",
        phones=("0912345678", "0977111222"),
        emails=["an@example.vn"],
        tags=["Sỉ"],
        company="ABC",
    )
    completed_order(target, shop, 1)
    moved = completed_order(dup, shop, 2)
    open_order = make_order(dup, shop["warehouse"], [(shop["variant"], 1)])
    url = reverse("orders:customer_merge", args=[target.pk, dup.pk])

    detail = client.get(detail_url(target)).content.decode()
    assert url in detail

    confirm = client.get(url)
    preview = confirm.context["preview"]
    assert preview.orders_total == 2
    assert [o.number for o in preview.orders] == [open_order.number, moved.number]
    assert [p.display for p in preview.phones_moving] == ["0977 111 222"]
    assert [p.display for p in preview.phones_dropped] == ["0912 345 678"]
    assert preview.emails_added == ["an@example.vn"]
    assert [t.name for t in preview.tags_added] == ["Sỉ"]
    assert preview.company_filled == "ABC"
    # Three orders (two completed, one open): the open one counts, its revenue does not.
    assert (preview.orders_count_after, preview.revenue_after) == (3, Decimal("300000"))
    assert Order.objects.filter(customer=dup).count() == 2  # GET changed nothing

    response = client.post(url, follow=True)
    assert response.redirect_chain == [(detail_url(target), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "An Nguyễn was merged into Nguyễn Văn An."
    ]
    target.refresh_from_db()
    dup.refresh_from_db()
    assert set(Order.objects.filter(customer=target).values_list("pk", flat=True)) == {
        moved.pk,
        open_order.pk,
        Order.objects.filter(customer=target).order_by("pk").first().pk,
    }
    assert (target.orders_count, target.revenue) == (3, Decimal("300000"))
    assert (dup.merged_into_id, dup.orders_count, dup.revenue) == (target.pk, 0, Decimal("0"))
    assert phones_of(target) == [("+84912345678", True), ("+84977111222", False)]
    assert OrderEvent.objects.filter(order=moved, user=user, data__merged=True).count() == 1
    page = client.get(detail_url(dup)).content.decode()
    assert f'was merged into <a href="{detail_url(target)}">Nguyễn Văn An</a>' in page
    # a second merge of the same pair is refused with the service's sentence
    again = client.post(url, follow=True)
    assert [str(m) for m in again.context["messages"]] == [
        "An Nguyễn was merged into another customer; use that one."
    ]


def test_merge_is_for_managers_only(client, login_as):
    login_as("sales")
    target = make_customer("A", phones=("0912345678",))
    dup = make_customer("B", phones=("0912345678",))
    url = reverse("orders:customer_merge", args=[target.pk, dup.pk])
    assert url not in client.get(detail_url(target)).content.decode()
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    dup.refresh_from_db()
    assert dup.merged_into_id is None


# --- Permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["warehouse", "accountant"])
@pytest.mark.parametrize(
    ("name", "method", "args"),
    [
        ("customer_create", "get", ""),
        ("customer_create", "post", ""),
        ("customer_edit", "get", "c"),
        ("customer_edit", "post", "c"),
        ("customer_address_add", "post", "c"),
        ("customer_address_edit", "post", "ca"),
        ("customer_address_delete", "post", "ca"),
        ("customer_merge", "get", "cd"),
        ("customer_merge", "post", "cd"),
    ],
)
def test_read_only_roles_get_403(client, login_as, role, name, method, args):
    login_as(role)
    customer = make_customer("A", phones=("0912345678",))
    dup = make_customer("B", phones=("0912345678",))
    values = {"c": customer.pk, "a": customer.addresses.get().pk, "d": dup.pk}
    url = reverse(f"orders:{name}", args=[values[k] for k in args])
    response = getattr(client, method)(url, customer_post() if method == "post" else None)
    assert response.status_code == 403
    assert Customer.objects.count() == 2
    assert addresses_of(customer) == [("12 Lê Lợi", "vn_3level", "Quận 1", "", True)]
    assert customer.name == Customer.objects.get(pk=customer.pk).name


def test_reading_needs_view_customer(client, make_user, login_as):
    user = login_as("warehouse")
    customer = make_customer()
    assert client.get(LIST).status_code == 200
    assert client.get(detail_url(customer)).status_code == 200
    user.groups.clear()
    for url in (
        LIST,
        detail_url(customer),
        reverse("orders:customer_addresses", args=[customer.pk]),
        reverse("orders:customer_phone_check"),
    ):
        assert client.get(url).status_code == 403


def test_every_customer_view_declares_its_permission():
    from orders.urls_customers import urlpatterns

    expected = {
        "customer_list": ("orders.view_customer",),
        "customer_create": ("orders.add_customer",),
        "customer_phone_check": ("orders.view_customer",),
        "customer_detail": ("orders.view_customer",),
        "customer_edit": ("orders.change_customer",),
        "customer_addresses": ("orders.view_customer",),
        "customer_address_add": ("orders.change_customer",),
        "customer_address_edit": ("orders.change_customer",),
        "customer_address_delete": ("orders.change_customer",),
        "customer_invoice_details": ("orders.change_customer",),
        "customer_merge": ("orders.merge_customer",),
    }
    assert {p.name: p.callback.required_perms for p in urlpatterns} == expected
