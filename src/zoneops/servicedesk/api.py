"""API of the service desk: the catalogue, filing, every step of an order, its timeline."""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from zoneops.accounts.models import Department, User
from zoneops.core import clock
from zoneops.core.access import Perm, has_perm, is_enterprise_user
from zoneops.core.errors import InvalidInput
from zoneops.core.web import request_user
from zoneops.enterprises.models import Enterprise
from zoneops.servicedesk import selectors, services
from zoneops.servicedesk.models import OrderAttachment, OrderEvent, OrderRating, ServiceOrder, ServiceType

router = Router(tags=["service desk"])


class ServiceTypeOut(Schema):
    id: int
    guarantee: str
    code: str
    name: str
    name_en: str
    department_id: int
    accept_days: int
    reply_days: int
    resolve_days: int
    fields: list[dict[str, Any]]


@router.get("/catalogue", response=list[ServiceTypeOut])
def catalogue(request: HttpRequest) -> Any:
    """The six guarantees' sub-types with their departments, fields and deadlines in working days."""
    return selectors.catalogue(user=request_user(request))


class EventOut(Schema):
    at: dt.datetime
    actor: str | None
    action: str
    status_after: str
    note: str

    @staticmethod
    def resolve_actor(obj: OrderEvent) -> str | None:
        return obj.actor.get_username() if obj.actor else None


class OrderOut(Schema):
    id: int
    number: str
    enterprise_id: int
    service_type: str
    guarantee: str
    title: str
    description: str
    extra: dict[str, Any]
    status: str
    department_id: int | None
    handler_id: int | None
    submitted_on: dt.date
    accept_due: dt.date
    reply_due: dt.date | None
    resolve_due: dt.date | None
    deadline_provisional: bool
    answered_on: dt.date | None
    closed_on: dt.date | None
    rating: int | None
    escalation_level: int
    deadline_state: str

    @staticmethod
    def resolve_deadline_state(obj: ServiceOrder) -> str:
        return services.deadline_state(order=obj, today=clock.today(zone=obj.zone))

    @staticmethod
    def resolve_service_type(obj: ServiceOrder) -> str:
        return obj.service_type.code

    @staticmethod
    def resolve_guarantee(obj: ServiceOrder) -> str:
        return obj.service_type.guarantee


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    uploaded_at: dt.datetime
    url: str

    @staticmethod
    def resolve_url(obj: OrderAttachment) -> str:
        return reverse("servicedesk:attachment", kwargs={"attachment_id": obj.pk})


class RatingOut(Schema):
    rating: int
    comment: str
    rated_at: dt.datetime
    followed_up_at: dt.datetime | None


class OrderDetail(OrderOut):
    accepted_on: dt.date | None
    replied_on: dt.date | None
    reopened_on: dt.date | None
    paused_days: int
    extension_days: int
    extension_requested_days: int | None
    extension_reason: str
    resolve_working_days: int | None
    answered_on_time: bool | None
    rating_comment: str
    duplicate_of_id: int | None
    supervision_item_id: int | None
    timeline: list[EventOut]
    attachments: list[AttachmentOut]
    # Every rating given, a reopened order's earlier ones too, with the follow-up of the bad ones.
    ratings: list[RatingOut]

    @staticmethod
    def resolve_timeline(obj: ServiceOrder) -> list[OrderEvent]:
        return list(obj.events.all())

    @staticmethod
    def resolve_attachments(obj: ServiceOrder) -> list[OrderAttachment]:
        return list(obj.attachments.all())

    @staticmethod
    def resolve_ratings(obj: ServiceOrder) -> list[OrderRating]:
        return list(obj.ratings.all())


@router.get("", response=list[OrderOut])
@paginate(PageNumberPagination)
def order_list(request: HttpRequest, status: str | None = None, department_id: int | None = None) -> Any:
    """Orders the caller may see: an enterprise its own; a department its department's; dispatchers,
    the supervision office and leaders all."""
    return selectors.orders(user=request_user(request), status=status, department_id=department_id)


class OrderIn(Schema):
    service_type_id: int
    title: str
    description: str
    extra: dict[str, Any] = {}
    enterprise_id: int | None = None


def _type_and_enterprise(user: User, payload: OrderIn) -> tuple[ServiceType, Enterprise]:
    service_type = ServiceType.objects.filter(zone=user.zone, pk=payload.service_type_id, active=True).first()
    if service_type is None:
        raise InvalidInput.single("service_type_id", _("No such service in the zone."))
    enterprise_id = user.enterprise_id if is_enterprise_user(user) else payload.enterprise_id
    enterprise = (
        Enterprise.objects.filter(zone=user.zone, pk=enterprise_id).first() if enterprise_id else None
    )
    if enterprise is None:
        raise InvalidInput.single("enterprise_id", _("No enterprise with this id in the zone."))
    return service_type, enterprise


@router.post("", response={201: OrderDetail})
def order_create(request: HttpRequest, payload: OrderIn) -> Status[ServiceOrder]:
    """File an order (an enterprise for itself; a dispatcher names the enterprise)."""
    user = request_user(request)
    if not (is_enterprise_user(user) or has_perm(user, Perm.ORDER_DISPATCH)):
        raise PermissionDenied(_("Your role may not do this."))
    service_type, enterprise = _type_and_enterprise(user, payload)
    order = services.order_file(
        actor=user,
        enterprise=enterprise,
        service_type=service_type,
        title=payload.title,
        description=payload.description,
        extra=payload.extra,
    )
    return Status(201, selectors.order_get(user=user, order_id=order.pk))


class DuplicateOut(Schema):
    id: int
    number: str
    title: str
    status: str


@router.get("/duplicates", response=list[DuplicateOut])
def duplicates(
    request: HttpRequest, title: str, description: str = "", enterprise_id: int | None = None
) -> Any:
    """Open orders of the enterprise that look like this one (asked while filing)."""
    user = request_user(request)
    wanted = user.enterprise_id if is_enterprise_user(user) else enterprise_id
    enterprise = Enterprise.objects.filter(zone=user.zone, pk=wanted).first() if wanted else None
    if enterprise is None:
        raise InvalidInput.single("enterprise_id", _("No enterprise with this id in the zone."))
    return selectors.possible_duplicates(
        user=user, enterprise=enterprise, title=title, description=description
    )


@router.post("/{order_id}/attachments", response={201: AttachmentOut})
def attachment_create(
    request: HttpRequest, order_id: int, file: File[UploadedFile]
) -> Status[OrderAttachment]:
    """Attach a PDF, an image or an Office document (at most 20 MB; its bytes decide the type)."""
    user = request_user(request)
    order = selectors.order_get(user=user, order_id=order_id)
    if file.size is not None and file.size > services.ATTACHMENT_MAX_BYTES:
        raise InvalidInput.single("file", _("The file is larger than 20 MB."))
    attachment = services.attachment_add(actor=user, order=order, name=file.name or "", content=file.read())
    return Status(201, attachment)


@router.get("/{order_id}", response=OrderDetail)
def order_detail(request: HttpRequest, order_id: int) -> ServiceOrder:
    """One order with its timeline."""
    return selectors.order_get(user=request_user(request), order_id=order_id)


class ActionIn(Schema):
    note: str = ""
    department_id: int | None = None
    handler_id: int | None = None
    rating: int | None = None
    duplicate_of: int | None = None
    days: int | None = None
    approve: bool | None = None


Action = Literal[
    "accept",
    "refuse",
    "dispatch",
    "merge",
    "start",
    "return",
    "wait",
    "resume",
    "request_extension",
    "decide_extension",
    "answer",
    "confirm",
    "close",
    "rate",
    "reopen",
    "follow_up",
]


@router.post("/{order_id}/{action}", response=OrderDetail)
def order_action(request: HttpRequest, order_id: int, action: Action, payload: ActionIn) -> ServiceOrder:
    """A step of the order: ``accept``, ``refuse``, ``dispatch`` (department, handler), ``merge``
    (duplicate_of), ``start``, ``return``, ``wait`` / ``resume`` (the clock pauses), ``answer``,
    ``confirm``, ``close``, ``rate`` (1–5 and a comment), ``reopen``, ``request_extension`` (days and a
    reason in ``note``), ``decide_extension`` (``approve``), ``follow_up`` (the general office's call
    after a bad rating, in ``note``). A step the order's state does not allow answers 409."""
    user = request_user(request)
    order = selectors.order_get(user=user, order_id=order_id)
    department = (
        Department.objects.filter(zone_id=order.zone_id, pk=payload.department_id).first()
        if payload.department_id
        else None
    )
    if payload.department_id and department is None:
        raise InvalidInput.single("department_id", _("No department with this id in the zone."))
    handler = (
        User.objects.filter(zone_id=order.zone_id, pk=payload.handler_id).first()
        if payload.handler_id
        else None
    )
    duplicate = (
        selectors.orders(user=user).filter(pk=payload.duplicate_of).first() if payload.duplicate_of else None
    )
    services.order_act(
        actor=user,
        order=order,
        action=action,
        note=payload.note,
        department=department,
        handler=handler,
        rating=payload.rating,
        duplicate_of=duplicate,
        days=payload.days,
        approve=payload.approve,
    )
    return selectors.order_get(user=user, order_id=order_id)
