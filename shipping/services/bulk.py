"""Parcels for many orders at once (the order list's "Create parcels"): one carrier account
and one service level for all, each parcel with the defaults of the Shipping panel (weight and
sizes from the order's variants, COD = the order's balance, the shop pays shipping), and a
result per order: its tracking number, or why not. Above REQUEST_MAX orders it is a background job
(common.jobs) whose file is the per-order report (CSV)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from common.jobs import JobOutput, JobProgress, job_run, job_start
from common.models import BackgroundJob, JobKind
from common.spreadsheets import CSV_TYPE, TEXT, Column, Table, csv_stream
from orders.models import Order
from shipping.errors import ShippingError
from shipping.models import CarrierAccount, ServiceLevel, ShipmentState
from shipping.services.parcels import ParcelSpec, parcel_defaults
from shipping.services.shipments import ServiceChoice, shipment_create, shipment_quote

REQUEST_MAX = 20  # orders handled in the request; more go to a background job
MAX_ORDERS = 500
TASK = "shipping.bulk_create"


@dataclass(frozen=True)
class ParcelResult:
    order_id: int
    number: str
    ok: bool
    tracking_number: str = ""
    message: str = ""


# One bulk run's service per route and parcel: orders to the same ward with the same parcel
# get the same services, so the carrier is asked once (its live fee comes with each create).
RouteServices = dict[tuple[object, ...], ServiceChoice]


def _route_key(order: Order, spec: ParcelSpec) -> tuple[object, ...]:
    return (
        order.ship_country,
        order.ship_scheme,
        order.ship_province,
        order.ship_district,
        order.ship_ward,
        spec.weight_g,
        spec.length_cm,
        spec.width_cm,
        spec.height_cm,
    )


def _service(order_id: int, account_id: int, spec: ParcelSpec, level: str) -> ServiceChoice:
    options = shipment_quote(order_id=order_id, account_id=account_id, spec=spec)
    for option in options:
        if option.level == level:
            return ServiceChoice(code=option.code, name=option.name, level=option.level)
    raise ShippingError(
        _("The carrier offers no %(level)s service on this route.")
        % {"level": str(ServiceLevel(level).label).lower()}
    )


def shipment_bulk_one(
    *,
    order: Order,
    account: CarrierAccount,
    level: str,
    user_id: int | None,
    route_services: RouteServices | None = None,
) -> ParcelResult:
    """One order's parcel with the defaults; never raises for a shipping reason.
    `route_services` keeps the service chosen per route and parcel across one run."""
    chosen = {} if route_services is None else route_services
    try:
        defaults = parcel_defaults(order=order, account=account)
        spec = ParcelSpec(service_code="", **asdict(defaults))
        key = _route_key(order, spec)
        service = chosen.get(key) or _service(order.pk, account.pk, spec, level)
        chosen[key] = service
        shipment = shipment_create(
            order_id=order.pk,
            account_id=account.pk,
            spec=ParcelSpec(**{**asdict(spec), "service_code": service.code}),
            service=service,
            user_id=user_id,
        )
    except ShippingError as error:
        return ParcelResult(order.pk, order.number, ok=False, message=str(error))
    if not shipment.tracking_number or shipment.state in (
        ShipmentState.PENDING,
        ShipmentState.REFUSED,
    ):
        reason = shipment.problem or _("The carrier has not confirmed the parcel yet.")
        return ParcelResult(order.pk, order.number, ok=False, message=reason)
    return ParcelResult(order.pk, order.number, ok=True, tracking_number=shipment.tracking_number)


def shipments_bulk_create(
    *,
    order_ids: Sequence[int],
    account_id: int,
    level: str,
    user_id: int | None,
    progress: Callable[[int], None] | None = None,
) -> list[ParcelResult]:
    """A parcel for each order, in the order given; a result for each."""
    if level not in ServiceLevel.values:
        raise ShippingError(_("Choose express or economy."))
    account = CarrierAccount.objects.filter(pk=account_id, active=True).first()
    if account is None:
        raise ShippingError(_("Choose an active carrier account."))
    orders = Order.objects.in_bulk(list(order_ids))
    results = []
    route_services: RouteServices = {}
    for done, order_id in enumerate(order_ids, start=1):
        order = orders.get(order_id)
        if order is None:
            results.append(ParcelResult(order_id, "", ok=False, message=_("Not found.")))
        else:
            results.append(
                shipment_bulk_one(
                    order=order,
                    account=account,
                    level=level,
                    user_id=user_id,
                    route_services=route_services,
                )
            )
        if progress is not None:
            progress(done)
    return results


def bulk_summary(results: Sequence[ParcelResult]) -> str:
    made = sum(1 for r in results if r.ok)
    failed = len(results) - made
    return ngettext(
        "%(made)d parcel created, %(failed)d refused.",
        "%(made)d parcels created, %(failed)d refused.",
        made,
    ) % {"made": made, "failed": failed}


# --- As a background job ----------------------------------------------------------------------


def shipments_bulk_start(
    *, owner_id: int | None, order_ids: Sequence[int], account_id: int, level: str
) -> BackgroundJob:
    count = len(order_ids)
    return job_start(
        kind=JobKind.PARCELS,
        owner_id=owner_id,
        task_name=TASK,
        params={"order_ids": list(order_ids), "account_id": account_id, "level": level},
        title=ngettext("Parcels for %(count)d order", "Parcels for %(count)d orders", count)
        % {"count": count},
    )


def shipments_bulk_run(*, job_id: int) -> str:
    return job_run(job_id=job_id, work=_work)


def _work(job: BackgroundJob, progress: JobProgress, target: IO[bytes]) -> JobOutput:
    order_ids = [int(pk) for pk in job.params["order_ids"]]
    progress(0, len(order_ids), force=True)
    results = shipments_bulk_create(
        order_ids=order_ids,
        account_id=int(job.params["account_id"]),
        level=str(job.params["level"]),
        user_id=job.owner_id,
        progress=lambda done: progress(done),
    )
    table = Table(
        sheet=_("Parcels"),
        columns=[
            Column(_("Order"), TEXT),
            Column(_("Result"), TEXT),
            Column(_("Tracking number"), TEXT),
            Column(_("Reason"), TEXT),
        ],
        rows=[
            (
                r.number,
                pgettext("bulk parcel result", "Created") if r.ok else _("Refused"),
                r.tracking_number,
                r.message,
            )
            for r in results
        ],
    )
    for piece in csv_stream(table):
        target.write(piece.encode("utf-8"))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return JobOutput(
        message=bulk_summary(results),
        download_name=f"parcels-{stamp}.csv",
        content_type=CSV_TYPE,
    )
