"""Viettel Post sandbox: master data (legacy 3 levels; every place of the demo's customers
among them), services, the fee table and the status names. Ids follow VTP's shapes (PROVINCE_ID
1 = Hà Nội with PROVINCE_CODE "HNI"); names are upper-case Vietnamese as the carrier sends them.
"""

from __future__ import annotations

from dataclasses import dataclass

# (PROVINCE_ID, PROVINCE_CODE, PROVINCE_NAME, region)
PROVINCES: tuple[tuple[int, str, str, str], ...] = (
    (1, "HNI", "HÀ NỘI", "north"),
    (2, "HCM", "HỒ CHÍ MINH", "south"),
    (3, "HPG", "HẢI PHÒNG", "north"),
    (32, "DNG", "ĐÀ NẴNG", "central"),
    (40, "KHA", "KHÁNH HÒA", "central"),
)
# (DISTRICT_ID, DISTRICT_VALUE, DISTRICT_NAME, PROVINCE_ID)
DISTRICTS: tuple[tuple[int, str, str, int], ...] = (
    (4, "001", "QUẬN BA ĐÌNH", 1),
    (5, "002", "QUẬN HOÀN KIẾM", 1),
    (9, "005", "QUẬN CẦU GIẤY", 1),
    (28, "018", "HUYỆN GIA LÂM", 1),
    (43, "760", "QUẬN 1", 2),
    (50, "770", "QUẬN 3", 2),
    (55, "771", "QUẬN 10", 2),
    (61, "769", "THÀNH PHỐ THỦ ĐỨC", 2),
    (101, "303", "QUẬN HỒNG BÀNG", 3),
    (102, "304", "QUẬN NGÔ QUYỀN", 3),
    (490, "490", "QUẬN HẢI CHÂU", 32),
    (491, "491", "QUẬN THANH KHÊ", 32),
    (530, "568", "THÀNH PHỐ NHA TRANG", 40),
)
# (WARDS_ID, WARDS_NAME, DISTRICT_ID)
WARDS: tuple[tuple[int, str, int], ...] = (
    (1, "PHƯỜNG PHÚC XÁ", 4),
    (2, "PHƯỜNG TRÚC BẠCH", 4),
    (3, "PHƯỜNG ĐIỆN BIÊN", 4),
    (40, "PHƯỜNG HÀNG BẠC", 5),
    (41, "PHƯỜNG HÀNG TRỐNG", 5),
    (160, "PHƯỜNG DỊCH VỌNG", 9),
    (161, "PHƯỜNG NGHĨA ĐÔ", 9),
    (162, "PHƯỜNG QUAN HOA", 9),
    (520, "THỊ TRẤN TRÂU QUỲ", 28),
    (521, "XÃ BÁT TRÀNG", 28),
    (700, "PHƯỜNG BẾN NGHÉ", 43),
    (701, "PHƯỜNG BẾN THÀNH", 43),
    (702, "PHƯỜNG ĐA KAO", 43),
    (703, "PHƯỜNG TÂN ĐỊNH", 43),
    (730, "PHƯỜNG VÕ THỊ SÁU", 50),
    (731, "PHƯỜNG 9", 50),
    (740, "PHƯỜNG 7", 55),
    (741, "PHƯỜNG 12", 55),
    (760, "PHƯỜNG THẢO ĐIỀN", 61),
    (761, "PHƯỜNG AN PHÚ", 61),
    (1100, "PHƯỜNG HOÀNG VĂN THỤ", 101),
    (1101, "PHƯỜNG MINH KHAI", 101),
    (1120, "PHƯỜNG MÁY TƠ", 102),
    (1121, "PHƯỜNG LẠCH TRAY", 102),
    (1122, "PHƯỜNG MÁY CHAI", 102),
    (4900, "PHƯỜNG THẠCH THANG", 490),
    (4901, "PHƯỜNG HẢI CHÂU I", 490),
    (4910, "PHƯỜNG TAM THUẬN", 491),
    (4911, "PHƯỜNG XUÂN HÀ", 491),
    (4912, "PHƯỜNG THẠC GIÁN", 491),
    (5300, "PHƯỜNG LỘC THỌ", 530),
    (5301, "PHƯỜNG VĨNH NGUYÊN", 530),
)
PROVINCE_REGION = {p[0]: p[3] for p in PROVINCES}
DISTRICT_PROVINCE = {d[0]: d[3] for d in DISTRICTS}
WARD_DISTRICT = {w[0]: w[2] for w in WARDS}


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    base: tuple[int, int, int]  # first 500 g: same province, same region, across regions
    step: int  # each further 500 g
    hours: tuple[int, int, int]  # lead time (THOI_GIAN / KPI_HT)
    intra_only: bool = False


SERVICES: dict[str, Service] = {
    s.code: s
    for s in (
        Service("VCN", "Chuyển phát nhanh", (22000, 32000, 38000), 5000, (24, 36, 48)),
        Service("VTK", "Chuyển phát tiết kiệm", (18000, 26000, 30000), 3000, (48, 72, 120)),
        Service("VHT", "Phát hỏa tốc", (45000, 0, 0), 8000, (12, 0, 0), intra_only=True),
        Service("SCOD", "Giao hàng thu tiền (SCOD)", (20000, 28000, 33000), 4000, (36, 48, 96)),
    )
}
COD_RATE_PER_MILLE = 10  # 1 % of MONEY_COLLECTION
VAT_PERCENT = 8


def route(sender_province: int, receiver_province: int) -> int:
    """0 inside one province, 1 inside one region, 2 across regions."""
    if sender_province == receiver_province:
        return 0
    same = PROVINCE_REGION[sender_province] == PROVINCE_REGION[receiver_province]
    return 1 if same else 2


def chargeable_weight(weight: int, length: int, width: int, height: int) -> int:
    """Grams: the larger of the real weight and the volume weight (cm³ / 6000 kg)."""
    return max(weight, (length * width * height) // 6)


def _percent(amount: int, rate: int, per: int = 100) -> int:
    return (amount * rate * 2 + per) // (2 * per)  # half up


def fee(service: Service, leg: int, weight: int, collection: int) -> dict[str, int]:
    """The fee lines of getPrice/createOrder (whole dong)."""
    steps = max(0, -(-(weight - 500) // 500))
    main = service.base[leg] + steps * service.step
    cod = _percent(collection, COD_RATE_PER_MILLE, 1000) if collection > 0 else 0
    total_fee = main + cod
    vat = _percent(total_fee, VAT_PERCENT)
    return {
        "MONEY_FEE": main,
        "MONEY_COLLECTION_FEE": cod,
        "MONEY_FEE_OTHER": 0,
        "MONEY_TOTAL_FEE": total_fee,
        "MONEY_VAT": vat,
        "MONEY_TOTAL": total_fee + vat,
        "KPI_HT": service.hours[leg],
    }


STATUS_NAMES: dict[int, str] = {
    -100: "Đơn mới, chưa duyệt",
    100: "Tiếp nhận đơn hàng từ đối tác",
    101: "ViettelPost yêu cầu hủy đơn hàng",
    102: "Đơn hàng chờ xử lý",
    103: "Giao cho bưu cục",
    104: "Giao cho bưu tá đi nhận",
    105: "Bưu tá đã nhận hàng",
    106: "Đối tác yêu cầu lấy lại hàng",
    107: "Đối tác yêu cầu hủy qua API",
    200: "Nhận từ bưu tá - bưu cục gốc",
    201: "Hủy nhập phiếu gửi",
    202: "Sửa phiếu gửi",
    300: "Đóng bảng kê đi",
    301: "Đóng túi gói",
    302: "Đóng chuyến thư",
    303: "Đóng tuyến xe",
    400: "Nhận bảng kê đến",
    401: "Nhận túi gói",
    402: "Nhận chuyến thư",
    403: "Nhận chuyến xe",
    500: "Giao bưu tá đi phát",
    501: "Phát thành công",
    502: "Chuyển hoàn bưu cục gốc",
    503: "Hủy - theo yêu cầu khách hàng",
    504: "Thành công - chuyển trả người gửi",
    505: "Tồn - thông báo chuyển hoàn bưu cục gốc",
    506: "Tồn - khách nghỉ, không có nhà",
    507: "Tồn - khách đến bưu cục nhận",
    508: "Phát tiếp",
    509: "Chuyển tiếp bưu cục khác",
    510: "Hủy phân công phát",
    515: "Bưu cục phát duyệt hoàn",
    550: "Khách hàng yêu cầu phát tiếp",
}
BEFORE_PICKUP = frozenset({-100, 100, 102, 103, 104})
CANCELLED = frozenset({101, 107, 201, 503})
# Control scenarios: the statuses a parcel goes through (from where it stands).
SCENARIOS: dict[str, tuple[int, ...]] = {
    "deliver": (100, 103, 104, 105, 200, 300, 400, 500, 501),
    "fail": (100, 103, 104, 105, 200, 300, 400, 500, 506, 505),
    "return": (100, 103, 104, 105, 200, 300, 400, 500, 506, 505, 515, 502, 504),
    "redeliver": (508, 500, 501),
}
RETURN_STATUSES = frozenset({515, 502, 504})
