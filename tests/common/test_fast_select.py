import pytest
from django import forms

from common.templatetags.ui import fast_select
from inventory.forms_stock import StockFilterForm
from tests.inventory.factories import BrandFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


def normalise(html: str) -> str:
    return " ".join(html.replace(">", "> ").split())


@pytest.mark.parametrize("data", [{}, {"state": "low"}, {"brand": "__brand__"}])
def test_same_markup_as_the_django_widget(data):
    brand = BrandFactory(name='Siam <Home> & "Co"')
    WarehouseFactory(code="HCM01")
    if data.get("brand") == "__brand__":
        data = {"brand": str(brand.pk)}
    form = StockFilterForm(data or None)
    for name in ("warehouse", "brand", "state", "category"):
        assert normalise(fast_select(form[name])) == normalise(str(form[name]))


def test_escapes_labels_and_marks_the_choice():
    class F(forms.Form):
        pick = forms.ChoiceField(choices=[("a", "<b>A</b>"), ("b", "B & b")])

    html = fast_select(F({"pick": "b"})["pick"])
    assert '<option value="a">&lt;b&gt;A&lt;/b&gt;</option>' in html
    assert '<option value="b" selected>B &amp; b</option>' in html
