"""GHN sandbox: master data (the legacy 3-level form: province, district, ward) for six
provinces (every place of the demo's customers among them), the services on a route, and a
deterministic fee and lead-time table.

The ids look like GHN's (ProvinceID 201 = Hà Nội, 202 = TP Hồ Chí Minh, DistrictID 1442 =
Quận 1, WardCode strings) but only the few places below exist here.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

ICT = timezone(timedelta(hours=7), "ICT")
MAX_LIGHT_WEIGHT = 50_000  # grams, service type 2
MAX_SIDE = 200  # cm
MAX_COD = 50_000_000  # create's cod_amount
MAX_FEE_COD = 5_000_000  # the fee page's cod_value (A.6)
MAX_INSURANCE = 5_000_000
LIGHT, HEAVY = 2, 5  # service_type_id: e-commerce (light) and traditional (heavy)


@dataclass(frozen=True)
class Province:
    id: int
    name: str
    code: str
    region: int  # 1 north, 2 central, 3 south
    extensions: tuple[str, ...]


@dataclass(frozen=True)
class District:
    id: int
    province_id: int
    name: str
    code: str
    type: int  # 1 urban district (quận), 3 rural district (huyện)
    extensions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ward:
    code: str
    district_id: int
    name: str
    locked: bool = False


PROVINCES = (
    Province(201, "Hà Nội", "HN", 1, ("Hà Nội", "TP. Hà Nội", "Thành phố Hà Nội", "Ha Noi")),
    Province(
        202,
        "Hồ Chí Minh",
        "HCM",
        3,
        ("Hồ Chí Minh", "TP. Hồ Chí Minh", "TP Hồ Chí Minh", "Thành phố Hồ Chí Minh", "HCM"),
    ),
    Province(203, "Đà Nẵng", "DN", 2, ("Đà Nẵng", "TP. Đà Nẵng", "Thành phố Đà Nẵng", "Da Nang")),
    Province(220, "Cần Thơ", "CT", 3, ("Cần Thơ", "TP. Cần Thơ", "Thành phố Cần Thơ", "Can Tho")),
    Province(
        224,
        "Hải Phòng",
        "HP",
        1,
        ("Hải Phòng", "TP. Hải Phòng", "Thành phố Hải Phòng", "Hai Phong"),
    ),
    Province(244, "Khánh Hòa", "KH", 2, ("Khánh Hòa", "Tỉnh Khánh Hòa", "Khánh Hoà", "Khanh Hoa")),
)

DISTRICTS = (
    District(1484, 201, "Quận Ba Đình", "0101", 1, ("Ba Đình", "Q. Ba Đình")),
    District(1489, 201, "Quận Hoàn Kiếm", "0102", 1, ("Hoàn Kiếm", "Q. Hoàn Kiếm")),
    District(1485, 201, "Quận Cầu Giấy", "0105", 1, ("Cầu Giấy", "Q. Cầu Giấy")),
    District(1442, 202, "Quận 1", "0201", 1, ("Q1", "Q.1", "Quận 1")),
    District(1444, 202, "Quận 3", "0203", 1, ("Q3", "Q.3", "Quận 3")),
    District(1447, 202, "Quận Phú Nhuận", "0215", 1, ("Phú Nhuận", "Q. Phú Nhuận")),
    District(1452, 202, "Quận 10", "0210", 1, ("Q10", "Q.10", "Quận 10")),
    District(1462, 202, "Huyện Củ Chi", "0220", 3, ("Củ Chi", "H. Củ Chi")),
    District(1526, 203, "Quận Hải Châu", "0401", 1, ("Hải Châu", "Q. Hải Châu")),
    District(1527, 203, "Quận Thanh Khê", "0402", 1, ("Thanh Khê", "Q. Thanh Khê")),
    District(1530, 203, "Huyện Hòa Vang", "0406", 3, ("Hòa Vang", "H. Hòa Vang")),
    District(1572, 220, "Quận Ninh Kiều", "5501", 1, ("Ninh Kiều", "Q. Ninh Kiều")),
    District(1588, 224, "Quận Ngô Quyền", "0302", 1, ("Ngô Quyền", "Q. Ngô Quyền")),
    District(1534, 244, "Thành phố Nha Trang", "5601", 1, ("Nha Trang", "TP. Nha Trang")),
)

WARDS = (
    Ward("1A0101", 1484, "Phường Phúc Xá"),
    Ward("1A0102", 1484, "Phường Trúc Bạch"),
    Ward("1A0103", 1484, "Phường Vĩnh Phúc"),
    Ward("1A0201", 1489, "Phường Phúc Tân"),
    Ward("1A0202", 1489, "Phường Đồng Xuân"),
    Ward("1A0203", 1489, "Phường Hàng Mã"),
    Ward("1A0501", 1485, "Phường Nghĩa Đô"),
    Ward("1A0502", 1485, "Phường Dịch Vọng"),
    Ward("1A0503", 1485, "Phường Quan Hoa"),
    Ward("20101", 1442, "Phường Tân Định"),
    Ward("20102", 1442, "Phường Đa Kao"),
    Ward("20103", 1442, "Phường Bến Nghé"),
    Ward("20104", 1442, "Phường Bến Thành"),
    Ward("20301", 1444, "Phường 1"),
    Ward("20302", 1444, "Phường 2"),
    Ward("20308", 1444, "Phường Võ Thị Sáu"),
    Ward("20701", 1447, "Phường 1"),
    Ward("20709", 1447, "Phường 9"),
    Ward("20799", 1447, "Phường 20", locked=True),
    Ward("21007", 1452, "Phường 7"),
    Ward("21012", 1452, "Phường 12"),
    Ward("220701", 1462, "Thị trấn Củ Chi"),
    Ward("220702", 1462, "Xã Tân An Hội"),
    Ward("40101", 1526, "Phường Thạch Thang"),
    Ward("40102", 1526, "Phường Hải Châu I"),
    Ward("40201", 1527, "Phường Tam Thuận"),
    Ward("40202", 1527, "Phường Thanh Khê Tây"),
    Ward("40203", 1527, "Phường Thạc Gián"),
    Ward("40601", 1530, "Xã Hòa Bắc"),
    Ward("550101", 1572, "Phường Cái Khế"),
    Ward("550102", 1572, "Phường An Hòa"),
    Ward("30201", 1588, "Phường Máy Chai"),
    Ward("30202", 1588, "Phường Máy Tơ"),
    Ward("560101", 1534, "Phường Lộc Thọ"),
    Ward("560102", 1534, "Phường Vĩnh Nguyên"),
)

PROVINCE_BY_ID = {p.id: p for p in PROVINCES}
DISTRICT_BY_ID = {d.id: d for d in DISTRICTS}
WARD_BY_CODE = {w.code: w for w in WARDS}
STAMP = "2025-06-30T17:00:00Z"  # master data rows carry dates; one for all here


def province_json(p: Province) -> dict[str, object]:
    return {
        "ProvinceID": p.id,
        "ProvinceName": p.name,
        "CountryID": 1,
        "Code": p.code,
        "NameExtension": list(p.extensions),
        "IsEnable": 1,
        "RegionID": p.region,
        "RegionCPN": p.region,
        "CanUpdateCOD": True,
        "Status": 1,
        "UpdatedBy": 0,
        "CreatedAt": STAMP,
        "UpdatedAt": STAMP,
    }


def district_json(d: District) -> dict[str, object]:
    return {
        "DistrictID": d.id,
        "ProvinceID": d.province_id,
        "DistrictName": d.name,
        "Code": d.code,
        "Type": d.type,
        "SupportType": 3,
        "NameExtension": list(d.extensions),
        "IsEnable": 1,
        "CanUpdateCOD": True,
        "Status": 1,
        "CreatedDate": STAMP,
        "UpdatedDate": STAMP,
    }


def ward_json(w: Ward) -> dict[str, object]:
    return {
        "WardCode": w.code,
        "DistrictID": w.district_id,
        "WardName": w.name,
        "NameExtension": [w.name, w.name.removeprefix("Phường ").removeprefix("Xã ")],
        "CanUpdateCOD": True,
        "SupportType": 0 if w.locked else 3,
        "Status": 2 if w.locked else 1,
        "CreatedDate": STAMP,
        "UpdatedDate": STAMP,
    }


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def find_province(name: str) -> Province | None:
    wanted = _plain(name)
    return next(
        (p for p in PROVINCES if wanted in {_plain(x) for x in (p.name, *p.extensions)}), None
    )


def find_district(province: Province, name: str) -> District | None:
    wanted = _plain(name)
    return next(
        (
            d
            for d in DISTRICTS
            if d.province_id == province.id
            and wanted in {_plain(x) for x in (d.name, *d.extensions)}
        ),
        None,
    )


def find_ward(district: District, name: str) -> Ward | None:
    wanted = _plain(name)
    return next(
        (w for w in WARDS if w.district_id == district.id and _plain(w.name) == wanted), None
    )


# -- services, fees, lead time ----------------------------------------------------------------

SERVICES = (
    (53320, "Chuyển phát thương mại điện tử", LIGHT),
    (53321, "Chuyển phát truyền thống", HEAVY),
)
SERVICE_TYPE_BY_ID = {sid: stype for sid, _, stype in SERVICES}


def route_zone(from_district: int, to_district: int) -> str:
    """ "intra" (same province), "region" (same region) or "national"."""
    a, b = DISTRICT_BY_ID[from_district], DISTRICT_BY_ID[to_district]
    if a.province_id == b.province_id:
        return "intra"
    if PROVINCE_BY_ID[a.province_id].region == PROVINCE_BY_ID[b.province_id].region:
        return "region"
    return "national"


def services_for(from_district: int, to_district: int) -> list[tuple[int, str, int]]:
    """Both services on every route, except heavy parcels into a rural district."""
    rural = DISTRICT_BY_ID[to_district].type == 3
    return [s for s in SERVICES if not (rural and s[2] == HEAVY and from_district != to_district)]


# zone -> (first step fee, per extra step); light steps are 500 g, heavy steps 1 kg
LIGHT_TABLE = {"intra": (15_500, 2_500), "region": (22_000, 5_000), "national": (30_000, 5_000)}
HEAVY_TABLE = {"intra": (25_000, 3_000), "region": (35_000, 4_000), "national": (45_000, 6_000)}


def converted_weight(weight: int, length: int, width: int, height: int) -> int:
    """Chargeable grams: the larger of the real and the volumetric weight (L*W*H/5000 kg)."""
    return max(weight, (length * width * height) // 5)


def fee_lines(
    *,
    service_type: int,
    zone: str,
    weight: int,
    rural: bool,
    insurance_value: int,
    cod_value: int,
) -> dict[str, int]:
    step = 500 if service_type == LIGHT else 1000
    first, extra = (LIGHT_TABLE if service_type == LIGHT else HEAVY_TABLE)[zone]
    steps = max(1, -(-weight // step))
    service_fee = first + extra * (steps - 1)
    insurance_fee = insurance_value * 5 // 1000 if insurance_value > 1_000_000 else 0
    cod_fee = cod_value * 5 // 1000 if cod_value > 3_000_000 else 0
    remote = 5_000 if rural else 0
    return {
        "total": service_fee + insurance_fee + cod_fee + remote,
        "service_fee": service_fee,
        "insurance_fee": insurance_fee,
        "pick_station_fee": 0,
        "coupon_value": 0,
        "r2s_fee": 0,
        "return_again": 0,
        "document_return": 0,
        "double_check": 0,
        "cod_fee": cod_fee,
        "pick_remote_areas_fee": 0,
        "deliver_remote_areas_fee": remote,
        "cod_failed_fee": 0,
    }


def lead_days(service_type: int, zone: str) -> int:
    days = {"intra": 1, "region": 2, "national": 3}[zone]
    return days + (2 if service_type == HEAVY else 0)


def expected_delivery(now: datetime, days: int) -> datetime:
    """23:59:59 ICT `days` days after today in Vietnam, as UTC."""
    local_day: date = now.astimezone(ICT).date() + timedelta(days=days)
    end = datetime(local_day.year, local_day.month, local_day.day, 23, 59, 59, tzinfo=ICT)
    return end.astimezone(UTC)


def iso_z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
