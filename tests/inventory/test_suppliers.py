import pytest
from django.urls import reverse

from common.taxcodes import VN_WEIGHTS, th_check_digit, vn_check_digit
from inventory.errors import InventoryError
from inventory.models import Supplier
from inventory.services.suppliers import InvalidTaxCode, supplier_save, tax_code_parse
from tests.inventory.factories import SupplierFactory, VariantFactory, WarehouseFactory
from tests.inventory.factories_purchasing import make_order

# Published tax codes of well-known companies (check digits verified by hand, see the module).
VN_PUBLISHED = ["0100112437", "0100109106", "0300588569", "0101248141"]
TH_PUBLISHED = ["0107544000108", "0107542000011"]


@pytest.mark.parametrize("code", VN_PUBLISHED)
def test_vietnamese_check_digit_matches_published_codes(code):
    assert vn_check_digit(code[:9]) == int(code[9])
    assert tax_code_parse(code).value == code
    assert tax_code_parse(code).country == "VN"


@pytest.mark.parametrize("code", TH_PUBLISHED)
def test_thai_check_digit_matches_published_ids(code):
    assert th_check_digit(code[:12]) == int(code[12])
    assert tax_code_parse(code).country == "TH"


@pytest.mark.parametrize(
    ("raw", "expected", "country"),
    [
        (" 0100112437 ", "0100112437", "VN"),
        ("0100112437-001", "0100112437-001", "VN"),
        ("0100112437 - 015", "0100112437-015", "VN"),
        ("0-1075-44000-10-8", "0107544000108", "TH"),
        ("0 1075 44000 10 8", "0107544000108", "TH"),
    ],
)
def test_tax_codes_are_normalised(raw, expected, country):
    parsed = tax_code_parse(raw)
    assert (parsed.value, parsed.country) == (expected, country)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            "0100112438",
            "The tax code 0100112438 has a wrong check digit: please check the 10 digits.",
        ),
        (
            "0100112438-001",
            "The tax code 0100112438-001 has a wrong check digit: please check the 10 digits.",
        ),
        ("0100112437-000", "A branch number runs from 001 to 999."),
        (
            "0107544000109",
            "The tax id 0107544000109 has a wrong check digit: please check the 13 digits.",
        ),
        (
            "01001124",
            "Enter a Vietnamese tax code (10 digits, or 10 digits-3 digits for a branch) "
            "or a Thai tax id (13 digits).",
        ),
        (
            "0100112437-01",
            "Enter a Vietnamese tax code (10 digits, or 10 digits-3 digits for a branch) "
            "or a Thai tax id (13 digits).",
        ),
        (
            "01075-44000-108",
            "Enter a Vietnamese tax code (10 digits, or 10 digits-3 digits for a branch) "
            "or a Thai tax id (13 digits).",
        ),
    ],
)
def test_invalid_tax_codes_are_explained(raw, message):
    with pytest.raises(InvalidTaxCode) as error:
        tax_code_parse(raw)
    assert str(error.value) == message


def test_a_vietnamese_sum_divisible_by_11_has_no_valid_check_digit():
    # 9 digits whose weighted sum is a multiple of 11: 10 - 0 = 10 fits no digit; never issued.
    body = next(
        f"{n:09d}"
        for n in range(100000000, 100100000)
        if sum(int(d) * w for d, w in zip(f"{n:09d}", VN_WEIGHTS, strict=True)) % 11 == 0
    )
    assert vn_check_digit(body) is None
    with pytest.raises(InvalidTaxCode):
        tax_code_parse(body + "0")


@pytest.mark.parametrize("raw", ["๐๑๐๐๑๑๒๔๓๗", "0100112437-๐๐๑", "๐๑๐๗๕๔๔๐๐๐๑๐๘", "٠١٠٠١١٢٤٣٧"])
def test_tax_codes_in_other_scripts_digits_are_refused(raw):
    # Python's \d and int() read Thai and Arabic-Indic digits; a supplier's tax code holds 0-9.
    with pytest.raises(InvalidTaxCode) as error:
        tax_code_parse(raw)
    assert str(error.value) == (
        "Enter a Vietnamese tax code (10 digits, or 10 digits-3 digits for a branch) "
        "or a Thai tax id (13 digits)."
    )


@pytest.mark.django_db
class TestSupplierSave:
    def test_create_normalises_the_tax_code(self):
        supplier = supplier_save(
            data={"name": "  Công ty TNHH Dệt May Hòa Bình ", "tax_code": "0100112437 - 002"}
        )
        supplier.refresh_from_db()
        assert (supplier.name, supplier.tax_code, supplier.is_active) == (
            "Công ty TNHH Dệt May Hòa Bình",
            "0100112437-002",
            True,
        )

    def test_duplicate_name_whatever_the_case_is_refused(self):
        SupplierFactory(name="Bangkok Silk")
        with pytest.raises(InventoryError) as error:
            supplier_save(data={"name": "BANGKOK SILK"})
        assert str(error.value) == "Another supplier is already called BANGKOK SILK."
        assert Supplier.objects.count() == 1

    def test_invalid_tax_code_saves_nothing(self):
        with pytest.raises(InvalidTaxCode):
            supplier_save(data={"name": "X", "tax_code": "0100112438"})
        assert Supplier.objects.count() == 0


@pytest.mark.django_db
class TestSupplierPages:
    def test_create_and_edit(self, client, login_as):
        login_as("accountant")
        response = client.post(
            reverse("inventory:supplier_create"),
            {
                "name": "บริษัท สยามผ้าไหม จำกัด",
                "contact_name": "คุณสมศรี",
                "phone": "+66 2 123 4567",
                "email": "sales@siamsilk.example",
                "tax_code": "0-1075-44000-10-8",
                "address": "99 ถนนสุขุมวิท กรุงเทพฯ",
                "payment_terms": "30 วัน",
                "notes": "",
                "is_active": "on",
            },
        )
        assert response.status_code == 302
        supplier = Supplier.objects.get()
        assert (supplier.name, supplier.tax_code, supplier.payment_terms) == (
            "บริษัท สยามผ้าไหม จำกัด",
            "0107544000108",
            "30 วัน",
        )
        response = client.post(
            reverse("inventory:supplier_edit", args=[supplier.pk]),
            {"name": "บริษัท สยามผ้าไหม จำกัด", "tax_code": ""},
        )
        assert response.status_code == 302
        supplier.refresh_from_db()
        assert (supplier.tax_code, supplier.is_active, supplier.phone) == ("", False, "")

    def test_form_errors_change_nothing(self, client, login_as):
        login_as("manager")
        existing = SupplierFactory(name="Hòa Bình", tax_code="0100112437")
        response = client.post(
            reverse("inventory:supplier_edit", args=[existing.pk]),
            {"name": "Hòa Bình", "tax_code": "0100112438", "is_active": "on"},
        )
        assert response.status_code == 200
        assert response.context["form"].errors["tax_code"] == [
            "The tax code 0100112438 has a wrong check digit: please check the 10 digits."
        ]
        response = client.post(
            reverse("inventory:supplier_create"), {"name": "hòa bình", "is_active": "on"}
        )
        assert response.context["form"].errors["name"] == [
            "Another supplier already has this name."
        ]
        existing.refresh_from_db()
        assert existing.tax_code == "0100112437"
        assert Supplier.objects.count() == 1

    def test_list_search_and_open_orders(self, client, login_as):
        login_as("accountant")
        hoa_binh = SupplierFactory(name="Công ty Hòa Bình", phone="0909123456")
        SupplierFactory(name="Siam Silk", tax_code="0107544000108")
        SupplierFactory(name="Old Supplier", is_active=False)
        warehouse = WarehouseFactory()
        make_order(supplier=hoa_binh, warehouse=warehouse, lines=[(VariantFactory(), 5, "1000")])
        make_order(
            supplier=hoa_binh,
            warehouse=warehouse,
            lines=[(VariantFactory(), 5, "1000")],
            confirm=True,
        )

        def names(params):
            response = client.get(reverse("inventory:supplier_list"), params)
            return [s.name for s in response.context["page"].items]

        assert names({}) == ["Công ty Hòa Bình", "Siam Silk", "Old Supplier"]
        assert names({"q": "0909"}) == ["Công ty Hòa Bình"]
        assert names({"q": "0107544"}) == ["Siam Silk"]
        assert names({"q": "hòa"}) == ["Công ty Hòa Bình"]
        assert names({"active": "0"}) == ["Old Supplier"]
        listed = client.get(reverse("inventory:supplier_list")).context["page"].items
        assert [s.open_orders for s in listed] == [1, 0, 0]  # the draft is not open yet
        fragment = client.get(
            reverse("inventory:supplier_list"), {"q": "siam"}, HTTP_HX_REQUEST="true"
        ).content.decode()
        assert fragment.lstrip().startswith('<section id="supplier-table"')

    def test_list_query_count_is_constant(self, client, login_as, django_assert_num_queries):
        login_as("owner")
        SupplierFactory()
        with django_assert_num_queries(3) as first:
            client.get(reverse("inventory:supplier_list"))
        for _ in range(20):
            SupplierFactory()
        with django_assert_num_queries(len(first.captured_queries)):
            client.get(reverse("inventory:supplier_list"))

    @pytest.mark.parametrize("name", ["supplier_list", "supplier_create", "supplier_edit"])
    def test_sales_may_not_open_suppliers(self, client, login_as, name):
        login_as("sales")
        supplier = SupplierFactory()
        args = [supplier.pk] if name == "supplier_edit" else []
        assert client.get(reverse(f"inventory:{name}", args=args)).status_code == 403

    def test_warehouse_staff_may_read_but_not_edit(self, client, login_as):
        login_as("warehouse")
        supplier = SupplierFactory()
        assert client.get(reverse("inventory:supplier_list")).status_code == 200
        url = reverse("inventory:supplier_edit", args=[supplier.pk])
        assert client.post(url, {"name": "Changed"}).status_code == 403
        supplier.refresh_from_db()
        assert supplier.name != "Changed"


@pytest.mark.django_db
def test_supplier_and_warehouse_lists_show_phones_in_the_one_form(client, login_as, settings):
    from django.urls import reverse

    from tests.inventory.factories import SupplierFactory, WarehouseFactory

    settings.SHOP_CURRENCY = "VND"
    SupplierFactory(name="Xưởng may Bình Minh", phone="028.3822.1234")
    WarehouseFactory(code="HN01", name="Kho Hà Nội", phone="+84913456789")
    login_as("owner")
    suppliers = client.get(reverse("inventory:supplier_list")).content.decode()
    assert '<a href="tel:028.3822.1234">028 3822 1234</a>' in suppliers
    warehouses = client.get(reverse("inventory:warehouse_list")).content.decode()
    assert '<span class="muted">0913 456 789</span>' in warehouses
