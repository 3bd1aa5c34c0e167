import pytest
from django.template import Context, Template

from common.phones import format_phone


@pytest.mark.parametrize(
    "stored",
    ["+84913456789", "0913456789", "0913 456 789", "0913-456-789", "84913456789"],
)
def test_a_vietnamese_number_has_one_form_in_a_vietnamese_shop(settings, stored):
    settings.SHOP_CURRENCY = "VND"
    assert format_phone(stored) == "0913 456 789"


def test_landlines_and_foreign_numbers_in_a_vietnamese_shop(settings):
    settings.SHOP_CURRENCY = "VND"
    assert format_phone("+842838221234") == "028 3822 1234"
    # 081 234 5678 would be dialled as a Vietnamese mobile: a Thai number keeps its +66.
    assert format_phone("+66812345678") == "+66 81 234 5678"
    assert format_phone("+6591234567") == "+65 9123 4567"


def test_a_thai_shop_writes_thai_numbers_nationally(settings):
    settings.SHOP_CURRENCY = "THB"
    assert format_phone("+66812345678") == "081 234 5678"
    assert format_phone("081-234-5678") == "081 234 5678"
    assert format_phone("+6621234567") == "02 123 4567"
    assert format_phone("+84913456789") == "+84 913 456 789"


def test_what_is_not_a_valid_number_is_shown_as_typed(settings):
    settings.SHOP_CURRENCY = "VND"
    assert format_phone("") == ""
    assert format_phone(None) == ""
    assert format_phone(" ext. 12 ") == "ext. 12"
    assert format_phone("0281234567") == "0281234567"  # one digit short: not a number


def test_the_template_filter_is_the_same_function(settings):
    settings.SHOP_CURRENCY = "VND"
    html = Template("{{ a|phone }}|{{ b|phone }}|{{ c|phone|default:'—' }}").render(
        Context({"a": "+84913456789", "b": "+66812345678", "c": ""})
    )
    assert html == "0913 456 789|+66 81 234 5678|—"
