"""common.db.choice_label: a stored code shown with its label, an unknown one as it is."""

from __future__ import annotations

import pytest
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from common.db import choice_label


class Colour(models.TextChoices):
    RED = "red", _("Red")
    SKY = "sky", "Sky blue"


@pytest.mark.parametrize(
    ("code", "label"),
    [("red", "Red"), ("sky", "Sky blue"), ("", ""), ("purple", "purple"), (None, "None")],
)
def test_label_of_a_code_or_the_code_itself(code, label):
    with override("en"):
        assert choice_label(Colour, code) == label


def test_label_is_a_plain_string_in_the_active_language():
    with override("en"):
        result = choice_label(Colour, "red")
    assert type(result) is str
    assert result == "Red"
