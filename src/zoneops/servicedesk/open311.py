"""Open311 GeoReport v2 under ``/open311/v2/``: discovery, services, service definitions, requests (search
and create), one request, tokens; each in ``.json`` and ``.xml``.

Mapping: a jurisdiction is a zone (``jurisdiction_id`` = the zone's code, optional while the installation
hosts one zone); a service is a sub-type of the six guarantees; a request is a service order. ``status``
is ``open`` until the order is answered (then ``closed``), with the detailed state in ``status_notes``;
``expected_datetime`` is the resolution deadline; ``agency_responsible`` is the department.

Discovery, services and service definitions are public. Requests are enterprises' affairs: a key,
issued to one enterprise, scopes what it can file and read — it files for that enterprise and reads
that enterprise's requests, in full; without a valid key they are refused (403, the spec's error list).
A token look-up answers only the request's id, to the client that got the token with its POST. Contacts'
names, phones and e-mails sent with a POST are not stored, and nothing personal is ever returned.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Max, Min, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from zoneops.accounts.models import Zone
from zoneops.core import clock
from zoneops.core.errors import InvalidInput
from zoneops.servicedesk import services
from zoneops.servicedesk.models import OPEN_STATES, Open311Key, ServiceOrder, ServiceType

FORMATS = ("json", "xml")
SEARCH_DAYS = 90  # the spec's default window and the longest allowed between start_date and end_date
SEARCH_LIMIT = 1000
DATATYPES = {"number": "number", "date": "datetime", "choice": "singlevaluelist", "text": "string"}


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


# --- output ---------------------------------------------------------------------------------------


# Characters XML 1.0 cannot carry (C0 controls but tab, newline and carriage return; U+FFFE, U+FFFF): a
# description may hold them (JSON escapes them), the XML document leaves them out to stay well-formed.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# The element name of one entry of each list the spec's XML shows.
_XML_ITEMS = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}


def _xml_value(parent: ET.Element, tag: str, value: Any) -> None:
    element = ET.SubElement(parent, tag)
    if isinstance(value, bool):
        element.text = "true" if value else "false"
    elif isinstance(value, list):
        child_tag = {
            "attributes": "attribute",
            "values": "value",
            "endpoints": "endpoint",
            "formats": "format",
        }[tag]
        for item in value:
            if isinstance(item, Mapping):
                _xml_object(element, child_tag, item)
            else:
                _xml_value(element, child_tag, item)
    elif value is not None:
        element.text = _XML_ILLEGAL.sub("", str(value))


def _xml_object(parent: ET.Element | None, tag: str, fields: Mapping[str, Any]) -> ET.Element:
    element = ET.Element(tag) if parent is None else ET.SubElement(parent, tag)
    for key, value in fields.items():
        _xml_value(element, key, value)
    return element


def _respond(data: Any, fmt: str, *, root: str = "", item: str = "", status: int = 200) -> HttpResponse:
    """JSON as the spec shows it; XML with the spec's element names (a list as ``root`` of ``item``)."""
    if fmt == "json":
        return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})
    if isinstance(data, list):
        element = ET.Element(root)
        for entry in data:
            _xml_object(element, item, entry)
    else:
        element = _xml_object(None, root, data)
    body = ET.tostring(element, encoding="unicode")
    return HttpResponse(
        f'<?xml version="1.0" encoding="utf-8"?>\n{body}',
        status=status,
        content_type="text/xml; charset=utf-8",
    )


def _error(fmt: str, status: int, description: str) -> HttpResponse:
    errors = [{"code": status, "description": description}]
    return _respond(errors, fmt if fmt in FORMATS else "json", root="errors", item="error", status=status)


# --- lookups --------------------------------------------------------------------------------------


def _zone(request: HttpRequest, key: Open311Key | None) -> Zone:
    code = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id") or ""
    if key is not None:
        if code and code != key.zone.code:
            raise Open311Error(
                403, _("This API key does not belong to jurisdiction %(code)s.") % {"code": code}
            )
        return key.zone
    if code:
        zone = Zone.objects.filter(code=code).first()
        if zone is None:
            raise Open311Error(404, _("No jurisdiction %(code)s.") % {"code": code})
        return zone
    zones = list(Zone.objects.order_by("pk")[:2])
    if len(zones) != 1:
        raise Open311Error(400, _("jurisdiction_id: name the zone (this installation hosts several)."))
    return zones[0]


def _key(request: HttpRequest, *, missing: str = "") -> Open311Key | None:
    """The live key the request carries; None without one, unless ``missing`` says why one is needed."""
    raw = request.POST.get("api_key") or request.GET.get("api_key") or ""
    if not raw:
        if missing:
            raise Open311Error(403, missing)
        return None
    key = services.open311_key_check(raw)
    if key is None:
        raise Open311Error(403, _("api_key: this API key is not valid or has been revoked."))
    return key


def _reader(request: HttpRequest) -> Open311Key:
    """The key a read of requests needs: its enterprise's requests are all it reads."""
    key = _key(request, missing=_("api_key: an API key is required to read requests."))
    assert key is not None
    return key


def _service_name(service_type: ServiceType) -> str:
    english = translation.get_language() == "en"
    return service_type.name_en if english and service_type.name_en else service_type.name


def _service(service_type: ServiceType) -> dict[str, Any]:
    group = str(service_type.get_guarantee_display())
    return {
        "service_code": service_type.code,
        "service_name": _service_name(service_type),
        "description": _("Handled by %(department)s; resolved within %(days)s working days.")
        % {"department": service_type.department.name, "days": service_type.resolve_days},
        "metadata": bool(service_type.fields),
        "type": "realtime",
        "keywords": ",".join(filter(None, [service_type.guarantee, service_type.name, service_type.name_en])),
        "group": group,
    }


def _definition(service_type: ServiceType) -> dict[str, Any]:
    attributes = []
    for order, field in enumerate(service_type.fields, start=1):
        kind = field.get("type", "text")
        attribute: dict[str, Any] = {
            "variable": True,
            "code": field["name"],
            "datatype": DATATYPES.get(kind, "string"),
            "required": bool(field.get("required")),
            "datatype_description": _("YYYY-MM-DD") if kind == "date" else "",
            "order": order,
            "description": field.get("label", field["name"]),
        }
        if kind == "choice":
            attribute["values"] = [{"key": c, "name": c} for c in field.get("choices", [])]
        attributes.append(attribute)
    return {"service_code": service_type.code, "attributes": attributes}


def _moment(day: dt.date | None, *, end_of_day: bool = False) -> str | None:
    if day is None:
        return None
    moment = dt.datetime.combine(
        day, dt.time(23, 59, 59) if end_of_day else dt.time(0), tzinfo=clock.SHANGHAI
    )
    return moment.isoformat()


def _status_notes(order: ServiceOrder) -> str:
    label = str(order.get_status_display())
    answers = [e for e in order.events.all() if e.action in ("answer", "refuse", "merge")]
    return f"{label}: {answers[-1].note}" if answers and answers[-1].note else label


def _request(order: ServiceOrder) -> dict[str, Any]:
    """One order as a GeoReport request, for its own enterprise's key."""
    events = list(order.events.all())
    updated = events[-1].at if events else order.updated_at
    return {
        "service_request_id": order.number,
        "status": "open" if order.status in OPEN_STATES else "closed",
        "status_notes": _status_notes(order),
        "service_name": _service_name(order.service_type),
        "service_code": order.service_type.code,
        "description": order.description[:4000],
        "agency_responsible": order.department.name if order.department else "",
        "service_notice": _("Answer due within %(days)s working days of acceptance.")
        % {"days": order.service_type.resolve_days},
        "requested_datetime": events[0].at.astimezone(clock.SHANGHAI).isoformat()
        if events
        else _moment(order.submitted_on),
        "updated_datetime": updated.astimezone(clock.SHANGHAI).isoformat(),
        "expected_datetime": _moment(order.resolve_due, end_of_day=True),
        "address": order.zone.name,
        # Orders are about an enterprise, not a spot on the map: no coordinates, no media.
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _orders(key: Open311Key) -> QuerySet[ServiceOrder]:
    return (
        ServiceOrder.objects.filter(zone_id=key.zone_id, enterprise_id=key.enterprise_id)
        .select_related("service_type", "department", "zone")
        .prefetch_related("events")
    )


def _parse_moment(text: str, field: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(
            400, _("%(field)s: use a W3C date-time such as 2022-05-01T00:00:00Z.") % {"field": field}
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=clock.SHANGHAI)


# --- endpoints ------------------------------------------------------------------------------------


def _endpoint(view: Any, methods: Sequence[str] = ("GET",)) -> Any:
    """Format and method checks, and the spec's error list, for every endpoint."""

    def wrapped(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
        if fmt not in FORMATS:
            return _error("json", 404, _("Use .json or .xml."))
        if request.method not in methods:
            refused = _error(
                fmt,
                405,
                _("Method %(method)s is not allowed here; use %(allowed)s.")
                % {"method": request.method, "allowed": ", ".join(methods)},
            )
            refused["Allow"] = ", ".join(methods)
            return refused
        try:
            _refuse_nul(request, kwargs)
            response: HttpResponse = view(request, fmt, **kwargs)
        except Open311Error as exc:
            return _error(fmt, exc.status, exc.description)
        return response

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return csrf_exempt(wrapped)


def _refuse_nul(request: HttpRequest, path_arguments: Mapping[str, Any]) -> None:
    """No argument may hold a NUL character: PostgreSQL text cannot, and no code, id or text needs one."""
    named = {"code": "service_code", "number": "service_request_id"}  # as the spec names the path's parts
    arguments = [
        *request.GET.lists(),
        *request.POST.lists(),
        *((named.get(k, k), [v]) for k, v in path_arguments.items()),
    ]
    for name, values in arguments:
        if "\x00" in name or any("\x00" in str(value) for value in values):
            raise Open311Error(400, _("%(field)s: must not contain NUL characters.") % {"field": name})


def _changeset(request: HttpRequest) -> str:
    """When the catalogue the endpoint serves last changed (a service added, edited or withdrawn): the
    named jurisdiction's, or the installation's; before it has any service, when its zones last did."""
    types, zones = ServiceType.objects.all(), Zone.objects.all()
    if request.GET.get("jurisdiction_id"):
        zone = _zone(request, None)
        types, zones = types.filter(zone=zone), zones.filter(pk=zone.pk)
    changed = types.aggregate(last=Max("updated_at"))["last"]
    if changed is None:
        changed = zones.aggregate(last=Max("updated_at"))["last"]
    if changed is None:
        raise Open311Error(404, _("No jurisdiction is served here yet."))
    return str(changed.astimezone(clock.SHANGHAI).isoformat(timespec="seconds"))


def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311-discovery", kwargs={"fmt": fmt})).rsplit("/", 1)[0]
    changeset = _changeset(request)
    data = {
        "changeset": changeset,
        "contact": _("The zone's enterprise service office (general office)."),
        "key_service": _("API keys are issued to enterprises by the zone's general office."),
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return _respond(data, fmt, root="discovery")


def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    zone = _zone(request, _key(request))
    types = ServiceType.objects.filter(zone=zone, active=True).select_related("department")
    return _respond(
        [_service(t) for t in types.order_by("guarantee", "code")], fmt, root="services", item="service"
    )


def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    zone = _zone(request, _key(request))
    service_type = ServiceType.objects.filter(zone=zone, code=code, active=True).first()
    if service_type is None:
        raise Open311Error(404, _("service_code: no service %(code)s.") % {"code": code})
    return _respond(_definition(service_type), fmt, root="service_definition")


def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _request_create(request, fmt)
    key = _reader(request)
    zone = _zone(request, key)
    rows = _orders(key)
    q = request.GET
    ids = [i.strip() for i in q.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        rows = rows.filter(number__in=ids[:SEARCH_LIMIT])
    else:
        if q.get("service_code"):
            rows = rows.filter(service_type__code__in=[c.strip() for c in q["service_code"].split(",")])
        end = _parse_moment(q["end_date"], "end_date") if q.get("end_date") else clock.now(zone=zone)
        start = (
            _parse_moment(q["start_date"], "start_date")
            if q.get("start_date")
            else end - dt.timedelta(days=SEARCH_DAYS)
        )
        if start > end:
            raise Open311Error(400, _("start_date: must not be after end_date."))
        if end - start > dt.timedelta(days=SEARCH_DAYS):
            raise Open311Error(400, _("start_date: the range may not span more than 90 days."))
        rows = rows.filter(
            submitted_on__gte=start.astimezone(clock.SHANGHAI).date(),
            submitted_on__lte=end.astimezone(clock.SHANGHAI).date(),
        )
        if q.get("start_date") or q.get("end_date"):
            # The client's bounds apply to requested_datetime (the first step's moment), not just its day.
            rows = rows.annotate(requested_at=Min("events__at"))
            if q.get("start_date"):
                rows = rows.filter(requested_at__gte=start)
            if q.get("end_date"):
                rows = rows.filter(requested_at__lte=end)
        statuses = {s.strip() for s in q.get("status", "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, _("status: use open or closed."))
        if statuses == {"open"}:
            rows = rows.filter(status__in=list(OPEN_STATES))
        elif statuses == {"closed"}:
            rows = rows.exclude(status__in=list(OPEN_STATES))
    found = rows.order_by("-submitted_on", "-id")[:SEARCH_LIMIT]
    return _respond([_request(o) for o in found], fmt, root="service_requests", item="request")


def _request_create(request: HttpRequest, fmt: str) -> HttpResponse:
    """POST requests: form-encoded, ``api_key`` required. ``attribute[code]`` fills the service's fields;
    the first line of the description becomes the order's title."""
    key = _key(request, missing=_("api_key: an API key is required to file a request."))
    assert key is not None
    zone = _zone(request, key)
    post = request.POST
    code = post.get("service_code", "")
    if not code:
        raise Open311Error(400, _("service_code: this field is required."))
    service_type = ServiceType.objects.filter(zone=zone, code=code, active=True).first()
    if service_type is None:
        raise Open311Error(404, _("service_code: no service %(code)s.") % {"code": code})
    description = post.get("description", "").strip()
    if not description:
        raise Open311Error(400, _("description: this field is required."))
    attributes = {
        name[len("attribute[") : -1]: value
        for name, value in post.items()
        if name.startswith("attribute[") and name.endswith("]")
    }
    title = post.get("attribute[title]") or description.splitlines()[0]
    attributes.pop("title", None)
    try:
        order = services.open311_order_file(
            key=key,
            service_type=service_type,
            title=title[:200],
            description=description,
            extra=attributes,
        )
    except InvalidInput as exc:
        raise Open311Error(
            400, "; ".join(f"{_attribute_name(e.field)}: {e.message}" for e in exc.errors)
        ) from None
    body = [
        {
            "service_request_id": order.number,
            "token": order.open311_token,
            "service_notice": _("Accepted within %(days)s working days, by %(due)s.")
            % {"days": service_type.accept_days, "due": order.accept_due.isoformat()},
            "account_id": str(key.enterprise_id),
        }
    ]
    return _respond(body, fmt, root="service_requests", item="request", status=201)


def _attribute_name(field: str) -> str:
    return f"attribute[{field.removeprefix('extra.')}]" if field.startswith("extra.") else field


def request_detail(request: HttpRequest, fmt: str, number: str) -> HttpResponse:
    key = _reader(request)
    _zone(request, key)  # a jurisdiction named must be the key's
    order = _orders(key).filter(number=number).first()
    if order is None:
        raise Open311Error(404, _("service_request_id: no request %(id)s.") % {"id": number})
    return _respond([_request(order)], fmt, root="service_requests", item="request")


def token_detail(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    zone = _zone(request, _key(request))
    order = ServiceOrder.objects.filter(zone=zone, open311_token=token).first() if token else None
    if order is None:
        raise Open311Error(404, _("token: no request for this token."))
    return _respond(
        [{"service_request_id": order.number, "token": token}], fmt, root="service_requests", item="request"
    )


def _patterns() -> Sequence[Any]:
    return [
        path("discovery.<str:fmt>", _endpoint(discovery), name="open311-discovery"),
        path("services.<str:fmt>", _endpoint(service_list), name="open311-services"),
        path("services/<str:code>.<str:fmt>", _endpoint(service_definition), name="open311-service"),
        path("requests.<str:fmt>", _endpoint(requests, ("GET", "POST")), name="open311-requests"),
        path("requests/<str:number>.<str:fmt>", _endpoint(request_detail), name="open311-request"),
        path("tokens/<str:token>.<str:fmt>", _endpoint(token_detail), name="open311-token"),
    ]


urlpatterns = _patterns()
