"""Suppliers and their tax codes.

Tax codes are checked by their shape, which also tells the country:
  - Vietnam (mã số thuế): 10 digits, or 10 digits + "-" + 3 digits for a dependent branch
    ("0100112437-001"). Digit 10 is a check digit over the first nine with the weights
    31, 29, 23, 19, 17, 13, 7, 5, 3: check = 10 - (sum mod 11). Checked against published codes
    (Vietcombank 0100112437, Viettel 0100109106, Vinamilk 0300588569, FPT 0101248141). When the
    formula gives 10 (sum divisible by 11) no digit can hold it; such codes are accepted with a
    final 0, as several published validators do, rather than refusing a real supplier's code.
    The branch number 000 is not a branch and is refused.
  - Thailand (เลขประจำตัวผู้เสียภาษี): 13 digits, optionally grouped 1-4-5-2-1 with hyphens or spaces;
    digit 13 = (11 - (sum of digit_i * (13 - i) for the first 12) mod 11) mod 10. Checked
    against PTT 0107544000108 and CP ALL 0107542000011. Stored as the 13 digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from common.taxcodes import th_check_digit, vn_check_digit
from inventory.errors import InventoryError
from inventory.models import Supplier

# re.ASCII: \d is 0-9 only; "๐๑๒" or "١٢٣" are digits to Python but in no tax code.
_VN_RE = re.compile(r"^(\d{10})(?:-(\d{3}))?$", re.ASCII)
_TH_RE = re.compile(r"^\d{13}$|^\d-\d{4}-\d{5}-\d{2}-\d$", re.ASCII)
_SPACES = re.compile(r"\s+")


class InvalidTaxCode(InventoryError):
    """The tax code has neither Vietnamese nor Thai shape, or its check digit is wrong."""


@dataclass(frozen=True)
class TaxCode:
    value: str  # normalised: "0100112437", "0100112437-001" or "0107544000108"
    country: str  # "VN" or "TH"


def tax_code_parse(raw: str) -> TaxCode:
    """Normalise and check a tax code; raise InvalidTaxCode with a message for staff."""
    text = raw.strip()
    compact = _SPACES.sub("", text)
    vn = _VN_RE.match(compact)
    if vn:
        main, branch = vn.group(1), vn.group(2)
        if int(main[9]) != vn_check_digit(main[:9]):
            raise InvalidTaxCode(
                _("The tax code %(code)s has a wrong check digit: please check the 10 digits.")
                % {"code": compact}
            )
        if branch == "000":
            raise InvalidTaxCode(_("A branch number runs from 001 to 999."))
        return TaxCode(value=compact, country="VN")
    # Thai ids are often written 0 1075 44000 10 8 or 0-1075-44000-10-8.
    grouped = _SPACES.sub("-", text)
    if _TH_RE.match(compact) or _TH_RE.match(grouped):
        digits = compact.replace("-", "")
        if int(digits[12]) != th_check_digit(digits[:12]):
            raise InvalidTaxCode(
                _("The tax id %(code)s has a wrong check digit: please check the 13 digits.")
                % {"code": digits}
            )
        return TaxCode(value=digits, country="TH")
    raise InvalidTaxCode(
        _(
            "Enter a Vietnamese tax code (10 digits, or 10 digits-3 digits for a branch) "
            "or a Thai tax id (13 digits)."
        )
    )


SUPPLIER_FIELDS = (
    "name",
    "contact_name",
    "phone",
    "email",
    "tax_code",
    "address",
    "payment_terms",
    "notes",
    "is_active",
)


def supplier_save(*, supplier: Supplier | None = None, data: dict[str, Any]) -> Supplier:
    """Create or update a supplier from cleaned data; the tax code is normalised and checked.

    Raises InventoryError (name taken, tax code invalid); nothing is saved then.
    """
    target = supplier or Supplier()
    for field in SUPPLIER_FIELDS:
        if field in data:
            value = data[field]
            setattr(target, field, value.strip() if isinstance(value, str) else value)
    if target.tax_code:
        target.tax_code = tax_code_parse(target.tax_code).value
    clash = Supplier.objects.filter(name__iexact=target.name)
    if target.pk:
        clash = clash.exclude(pk=target.pk)
    if clash.exists():
        raise InventoryError(
            _("Another supplier is already called %(name)s.") % {"name": target.name}
        )
    try:
        target.full_clean(validate_constraints=False)
    except ValidationError as error:
        raise InventoryError(" ".join(error.messages)) from error
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError as error:  # the same name saved by someone else a moment ago
        raise InventoryError(
            _("Another supplier is already called %(name)s.") % {"name": target.name}
        ) from error
    return target
