"""Our addresses -> the carrier's codes, by folded-name matching against the cached master
data (CarrierPlace), with the fixes staff made first.

Orders keep the address as names: province / district / ward (the 3-level form) or province /
ward (the 2025 2-level form, no district). Names are compared folded (common.text.fold: no
diacritics, lower case), first whole, then without their kind ("Thành phố", "Quận", "Phường",
"Xã"...), so "TP. Hồ Chí Minh" finds "Hồ Chí Minh" and "HUYỆN LẠC THỦY" finds "Lạc Thủy". In the
2-level form the ward is looked up among all wards of the province; its district (when the
carrier still has districts) comes with it. A name that matches nothing, or several places,
is an error naming the field.

The cache fills lazily (a province's districts, a district's wards are fetched the first time
they are needed) and is refreshed nightly (shipping.services.accounts.master_data_refresh).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.text import fold
from shipping.adapters.base import CarrierAdapter
from shipping.adapters.base import CarrierPlace as Place
from shipping.errors import ShippingError, address_error
from shipping.models import AddressCodeFix, CarrierPlace, PlaceLevel

# Kinds of places, folded, longest first (a name loses at most one of them).
_KINDS = (
    "thanh pho",
    "thi tran",
    "thi xa",
    "dac khu",
    "tinh",
    "quan",
    "huyen",
    "phuong",
    "xa",
    "tp.",
    "tp",
    "tx.",
    "tx",
    "tt.",
    "q.",
    "p.",
    "h.",
)
_PUNCT = re.compile(r"[\s.,\-]+")


def place_key(name: str) -> str:
    """The folded name without its kind and punctuation; numbers without leading zeros."""
    text = fold(name)
    for kind in _KINDS:
        if text.startswith(kind) and len(text) > len(kind):
            rest = text[len(kind) :]
            if kind.endswith(".") or rest[0] in " .":
                text = rest
                break
    key = _PUNCT.sub(" ", text).strip()
    return key.lstrip("0") or key if key.isdigit() else key


def address_key(*, province: str, district: str, ward: str) -> str:
    """The normalised address a staff fix is remembered for."""
    return "|".join(fold(part) for part in (province, district, ward))[:320]


@dataclass(frozen=True)
class PlaceCodes:
    province_code: str
    district_code: str
    ward_code: str
    # The carrier's own names of these places (GHN's name-style sender fields), "" if unknown.
    province_name: str = ""
    district_name: str = ""
    ward_name: str = ""


def _named(carrier: str, codes: PlaceCodes) -> PlaceCodes:
    """The codes with the carrier's names from the cached master data (a staff fix keeps
    codes only)."""
    names = {
        (level, code): name
        for level, code, name in CarrierPlace.objects.filter(
            carrier=carrier, code__in=[codes.province_code, codes.district_code, codes.ward_code]
        ).values_list("level", "code", "name")
    }
    return PlaceCodes(
        codes.province_code,
        codes.district_code,
        codes.ward_code,
        names.get((PlaceLevel.PROVINCE, codes.province_code), ""),
        names.get((PlaceLevel.DISTRICT, codes.district_code), ""),
        names.get((PlaceLevel.WARD, codes.ward_code), ""),
    )


def _match(candidates: Sequence[CarrierPlace], name: str) -> CarrierPlace | None:
    """The one candidate called `name`: whole folded name first, then the key (or an alias).
    None when nothing or several match."""
    folded = fold(name)
    exact = [c for c in candidates if c.folded == folded]
    if len(exact) == 1:
        return exact[0]
    key = place_key(name)
    by_key = [c for c in candidates if c.key == key or key in c.aliases]
    return by_key[0] if len(by_key) == 1 else None


def _rows(carrier: str, places: Iterable[Place], *, province_code: str = "") -> list[CarrierPlace]:
    now = timezone.now()
    rows = []
    for place in places:
        aliases = [place_key(str(a)) for a in place.raw.get("NameExtension") or () if a]
        rows.append(
            CarrierPlace(
                carrier=carrier,
                level=place.level,
                code=str(place.code),
                name=place.name[:200],
                parent_code=str(place.parent_code),
                province_code=province_code
                or (str(place.parent_code) if place.level == PlaceLevel.DISTRICT else ""),
                folded=fold(place.name)[:200],
                key=place_key(place.name)[:200],
                aliases=sorted(set(aliases) - {""})[:20],
                refreshed_at=now,
            )
        )
    return rows


def places_store(carrier: str, places: Iterable[Place], *, province_code: str = "") -> int:
    """Insert or update master data entries; returns how many were written."""
    rows = _rows(carrier, places, province_code=province_code)
    if rows:
        CarrierPlace.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["carrier", "level", "code"],
            update_fields=[
                "name",
                "parent_code",
                "province_code",
                "folded",
                "key",
                "aliases",
                "refreshed_at",
            ],
        )
    return len(rows)


class PlaceCache:
    """The cached master data of one carrier, filled from `adapter` where it is missing."""

    def __init__(self, carrier: str, adapter: CarrierAdapter | None) -> None:
        self.carrier = carrier
        self.adapter = adapter

    def _cached(self, level: str, **filters: str) -> list[CarrierPlace]:
        return list(
            CarrierPlace.objects.filter(carrier=self.carrier, level=level, **filters).order_by(
                "code"
            )
        )

    def provinces(self) -> list[CarrierPlace]:
        rows = self._cached(PlaceLevel.PROVINCE)
        if not rows and self.adapter is not None:
            places_store(self.carrier, self.adapter.provinces())
            rows = self._cached(PlaceLevel.PROVINCE)
        return rows

    def districts(self, province: CarrierPlace) -> list[CarrierPlace]:
        rows = self._cached(PlaceLevel.DISTRICT, parent_code=province.code)
        if not rows and self.adapter is not None:
            fetched = self.adapter.districts(province_code=province.code)
            places_store(self.carrier, fetched, province_code=province.code)
            rows = self._cached(PlaceLevel.DISTRICT, parent_code=province.code)
        return rows

    def wards(self, district: CarrierPlace) -> list[CarrierPlace]:
        rows = self._cached(PlaceLevel.WARD, parent_code=district.code)
        if not rows and self.adapter is not None:
            fetched = self.adapter.wards(district_code=district.code)
            places_store(self.carrier, fetched, province_code=district.province_code)
            rows = self._cached(PlaceLevel.WARD, parent_code=district.code)
        return rows

    def wards_of_province(self, province: CarrierPlace) -> list[CarrierPlace]:
        """Every ward of the province (the 2-level form): its districts' wards, or wards
        listed directly under the province by a carrier without districts."""
        found: list[CarrierPlace] = []
        for district in self.districts(province):
            found.extend(self.wards(district))
        found.extend(self._cached(PlaceLevel.WARD, parent_code=province.code))
        return found


def address_resolve(
    *,
    carrier: str,
    adapter: CarrierAdapter | None,
    province: str,
    district: str,
    ward: str,
    side: str = "receiver",
) -> PlaceCodes:
    """The carrier's codes for our place names; ShippingAddressError naming the field."""
    fix = AddressCodeFix.objects.filter(
        carrier=carrier, address_key=address_key(province=province, district=district, ward=ward)
    ).first()
    if fix is not None:
        return _named(carrier, PlaceCodes(fix.province_code, fix.district_code, fix.ward_code))
    if not province.strip():
        raise address_error("province", province, side=side)
    if not ward.strip():
        raise address_error("ward", ward, side=side)
    cache = PlaceCache(carrier, adapter)
    found_province = _match(cache.provinces(), province)
    if found_province is None:
        raise address_error("province", province, side=side)
    districts = cache.districts(found_province)
    if district.strip() and districts:
        found_district = _match(districts, district)
        if found_district is None:
            raise address_error("district", district, side=side)
        found_ward = _match(cache.wards(found_district), ward)
    else:
        found_ward = _match(cache.wards_of_province(found_province), ward)
    if found_ward is None:
        raise address_error("ward", ward, side=side)
    district_code = found_ward.parent_code if found_ward.parent_code != found_province.code else ""
    return _named(carrier, PlaceCodes(found_province.code, district_code, found_ward.code))


def address_fix_save(
    *,
    carrier: str,
    province: str,
    district: str,
    ward: str,
    codes: PlaceCodes,
    user_id: int | None,
) -> AddressCodeFix:
    """Remember that this address is these codes (replacing an earlier fix). The codes must
    be cached places of the carrier that belong together; ShippingError otherwise."""
    places = CarrierPlace.objects.filter(carrier=carrier)
    ward_place = places.filter(level=PlaceLevel.WARD, code=codes.ward_code).first()
    parent = codes.district_code or codes.province_code
    if (
        not places.filter(level=PlaceLevel.PROVINCE, code=codes.province_code).exists()
        or ward_place is None
        or ward_place.parent_code != parent
        or (
            codes.district_code
            and not places.filter(
                level=PlaceLevel.DISTRICT,
                code=codes.district_code,
                parent_code=codes.province_code,
            ).exists()
        )
    ):
        raise ShippingError(_("Choose the province, district and ward from the carrier's lists."))
    key = address_key(province=province, district=district, ward=ward)
    with transaction.atomic():
        fix, _created = AddressCodeFix.objects.update_or_create(
            carrier=carrier,
            address_key=key,
            defaults={
                "province_code": codes.province_code,
                "district_code": codes.district_code,
                "ward_code": codes.ward_code,
                "created_by_id": user_id,
                "created_at": timezone.now(),
            },
        )
    return fix


@dataclass(frozen=True)
class PlaceOptions:
    """What the address-fix form offers: the carrier's provinces, the districts of the chosen
    province, the wards of the chosen district (or of the province, without districts)."""

    provinces: list[CarrierPlace]
    districts: list[CarrierPlace]
    wards: list[CarrierPlace]


def place_options(
    *,
    carrier: str,
    adapter: CarrierAdapter | None,
    province_code: str = "",
    district_code: str = "",
) -> PlaceOptions:
    cache = PlaceCache(carrier, adapter)
    provinces = sorted(cache.provinces(), key=lambda p: p.folded)
    province = next((p for p in provinces if p.code == province_code), None)
    districts: list[CarrierPlace] = []
    wards: list[CarrierPlace] = []
    if province is not None:
        districts = sorted(cache.districts(province), key=lambda d: d.folded)
        district = next((d for d in districts if d.code == district_code), None)
        if district is not None:
            wards = cache.wards(district)
        elif not districts:
            wards = cache.wards_of_province(province)
    return PlaceOptions(provinces, districts, sorted(wards, key=lambda w: w.folded))
