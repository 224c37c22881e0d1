"""Open311 GeoReport v2 conformance of ``/open311/v2/``: every endpoint's JSON against the upstream JSON
Schemas (open311/schema-validation, copied verbatim to ``data/open311/``, see its README), the XML element
names the spec shows with the same values as the JSON, errors, API keys' scope, personal data, and the
``zoneops open311-key`` command.

The helpers here (schemas, XML comparison, filing) are shared by ``test_open311_client.py`` and
``test_open311_schemathesis.py``."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from django.core import serializers
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.db.models import Max
from django.test import Client
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tests.conftest import demo_user
from zoneops.accounts.models import Zone
from zoneops.core import clock
from zoneops.core.models import AuditEvent, Notification
from zoneops.demo import weihai
from zoneops.enterprises.models import Enterprise
from zoneops.servicedesk.catalogue import DEFAULT
from zoneops.servicedesk.models import Open311Key, OrderEvent, ServiceOrder, ServiceType
from zoneops.servicedesk.services import open311_key_issue, open311_key_revoke, order_act

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
DATA = Path(__file__).parent / "data" / "open311"
SCHEMA_FILES = ("request.json", "requests.json", "service.json", "services.json", "service-definition.json")
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>'
XML_CONTENT_TYPE = "text/xml; charset=utf-8"
# The element of one entry of each list, as the spec's XML examples show them.
XML_LIST_ITEMS = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}
# The spec's fields of a request, in its order.
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


# --- schemas ----------------------------------------------------------------------------------------


def upstream(name: str) -> dict[str, Any]:
    return dict(json.loads((DATA / name).read_text(encoding="utf-8")))


# The upstream files name no draft (Swagger 2.0 builds on draft 4) and refer to each other by file name
# (``"$ref": "request.json"``), so they are registered under those names.
REGISTRY: Registry[Any] = Registry().with_resources(
    (name, Resource.from_contents(upstream(name), default_specification=DRAFT4)) for name in SCHEMA_FILES
)
SWAGGER = upstream("swagger.json")


def swagger_list_of(definition: str) -> dict[str, Any]:
    """A JSON array of one of swagger.json's definitions (RequestResponse, TokenResponse): the spec
    answers a POST and a token look-up with a list, and the JSON Schema files have no schema for either."""
    return {
        "type": "array",
        "items": {"type": "object", "$ref": f"#/definitions/{definition}"},
        "definitions": SWAGGER["definitions"],
    }


# Not upstream (neither the JSON Schemas nor swagger.json describe them): the spec's error list and
# service discovery document, written from the GeoReport v2 and Service Discovery pages.
ERRORS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "additionalProperties": False,
        "properties": {"code": {"type": "integer"}, "description": {"type": "string", "minLength": 1}},
    },
}
DISCOVERY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["changeset", "contact", "key_service", "endpoints"],
    "properties": {
        "changeset": {"type": "string", "format": "date-time"},
        "contact": {"type": "string"},
        "key_service": {"type": "string"},
        "endpoints": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["specification", "url", "changeset", "type", "formats"],
                "properties": {
                    "specification": {"type": "string", "format": "uri"},
                    "url": {"type": "string", "format": "uri"},
                    "changeset": {"type": "string", "format": "date-time"},
                    "type": {"enum": ["production", "test"]},
                    "formats": {"type": "array", "items": {"enum": ["text/xml", "application/json"]}},
                },
            },
        },
    },
}


def schema_errors(instance: Any, schema: Mapping[str, Any]) -> list[str]:
    validator = Draft4Validator(schema, registry=REGISTRY, format_checker=Draft4Validator.FORMAT_CHECKER)
    return sorted(f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance))


def assert_valid(instance: Any, schema: Mapping[str, Any] | str) -> None:
    resolved = upstream(schema) if isinstance(schema, str) else schema
    assert schema_errors(instance, resolved) == []
    # The upstream schemas leave out ``"type": "object"`` for one entry: check it here.
    if isinstance(instance, list):
        assert all(isinstance(entry, dict) for entry in instance)


# --- XML --------------------------------------------------------------------------------------------


def xml_root(response: Any, root: str) -> ET.Element:
    assert response["Content-Type"] == XML_CONTENT_TYPE
    assert response.content.startswith(XML_DECLARATION + b"\n")
    element = ET.fromstring(response.content)  # noqa: S314 (our own server's answer, in a test)
    assert element.tag == root
    return element


def xml_list(response: Any, root: str, item: str) -> list[ET.Element]:
    element = xml_root(response, root)
    assert [child.tag for child in element] == [item] * len(element)
    return list(element)


def _xml_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def assert_xml_matches(element: ET.Element, data: Mapping[str, Any]) -> None:
    """The element has the JSON object's fields as children, in order, with the same values (a list as
    the spec's container of items; null and "" as an empty element)."""
    assert [child.tag for child in element] == list(data)
    for child, (key, value) in zip(element, data.items(), strict=True):
        if isinstance(value, list):
            assert [grandchild.tag for grandchild in child] == [XML_LIST_ITEMS[key]] * len(value)
            for grandchild, entry in zip(child, value, strict=True):
                if isinstance(entry, Mapping):
                    assert_xml_matches(grandchild, entry)
                else:
                    assert grandchild.text == entry
        else:
            assert len(child) == 0
            assert (child.text or "") == _xml_text(value), key


def assert_xml_list_matches(response: Any, root: str, item: str, data: list[dict[str, Any]]) -> None:
    elements = xml_list(response, root, item)
    assert len(elements) == len(data)
    for element, entry in zip(elements, data, strict=True):
        assert_xml_matches(element, entry)


def xml_errors(response: Any) -> list[tuple[str, str]]:
    errors = xml_list(response, "errors", "error")
    assert [[child.tag for child in error] for error in errors] == [["code", "description"]] * len(errors)
    return [(str(error.findtext("code")), str(error.findtext("description"))) for error in errors]


# --- serving outside Django's test client ----------------------------------------------------------


class KeepConnectionsHandler(WSGIHandler):
    """Django's WSGI application, serving each request as Django's test client does.

    Django closes the "old" database connections when a request starts and when it ends; inside a
    test's transaction that closes the test's own connection (on PostgreSQL; an in-memory SQLite ignores
    it). The test client suspends this for its requests; this handler does the same for requests from a
    real HTTP server or another WSGI client, so they run in the test's transaction, rolled back with it."""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request_started.disconnect(close_old_connections)
        try:
            response = super().__call__(environ, start_response)
        finally:
            request_started.connect(close_old_connections)
        close = response.close

        def close_keeping_connections() -> None:
            request_finished.disconnect(close_old_connections)
            try:
                close()
            finally:
                request_finished.connect(close_old_connections)

        response.close = close_keeping_connections
        return response


# --- clients and keys -------------------------------------------------------------------------------


def client() -> Client:
    """Django's test client, asking for English (service names and messages in the source language)."""
    return Client(headers={"Accept-Language": "en"})


def get(path: str, **params: Any) -> Any:
    return client().get(f"{BASE}/{path}", params)


def post(path: str, data: Mapping[str, Any]) -> Any:
    return client().post(f"{BASE}/{path}", dict(data))


def enterprise_of(username: str) -> Enterprise:
    enterprise = demo_user(username).enterprise
    assert enterprise is not None
    return enterprise


def issue_key(username: str) -> str:
    _key, raw = open311_key_issue(actor=None, enterprise=enterprise_of(username))
    return raw


def lease_form(
    key: str, description: str = "新增生产线需要标准厂房\n层高不低于8米", **extra: str
) -> dict[str, str]:
    return {
        "api_key": key,
        "service_code": "factory-lease",
        "description": description,
        "attribute[area_m2]": "8000",
        **extra,
    }


def file_request(key: str, fmt: str = "json", **form: str) -> dict[str, Any]:
    response = post(f"requests.{fmt}", form or lease_form(key))
    assert response.status_code == 201, response.content
    if fmt == "xml":
        (element,) = xml_list(response, "service_requests", "request")
        return {child.tag: child.text for child in element}
    (created,) = response.json()
    return dict(created)


def order_of(created: Mapping[str, Any]) -> ServiceOrder:
    return ServiceOrder.objects.get(number=created["service_request_id"], zone__code=weihai.ZONE_CODE)


@pytest.fixture
def hp_key(db: None) -> str:
    return issue_key("hp")


@pytest.fixture
def weigao_key(db: None) -> str:
    return issue_key("weigao")


def counts() -> tuple[int, int, int, int]:
    """What a refused POST must leave as it was."""
    return (
        ServiceOrder.objects.count(),
        OrderEvent.objects.count(),
        AuditEvent.objects.filter(action="order.submit").count(),
        Notification.objects.count(),
    )


# --- the schemas themselves -------------------------------------------------------------------------


def test_the_format_checker_rejects_bad_dates_and_uris() -> None:
    """Format checking is on: otherwise every date-time below would pass unchecked."""
    good = {
        "service_request_id": "GD2022-00001",
        "status": "open",
        "service_code": "factory-lease",
        "requested_datetime": "2022-05-08T10:00:00+08:00",
    }
    assert schema_errors(good, upstream("request.json")) == []
    assert schema_errors({**good, "requested_datetime": "2022-05-08"}, upstream("request.json")) == [
        "['requested_datetime']: '2022-05-08' is not a 'date-time'"
    ]
    assert len(schema_errors({**good, "media_url": "not a uri"}, upstream("request.json"))) == 1
    assert schema_errors([{**good, "status": "pending"}], upstream("requests.json")) == [
        "[0, 'status']: 'pending' is not one of ['open', 'closed']"
    ]
    assert schema_errors([{"service_code": "x"}], upstream("services.json")) == [
        "[0]: 'metadata' is a required property",
        "[0]: 'service_name' is a required property",
        "[0]: 'type' is a required property",
    ]


# --- discovery, services, service definitions -------------------------------------------------------


def latest_catalogue_change() -> str:
    changed = ServiceType.objects.aggregate(last=Max("updated_at"))["last"]
    assert changed is not None
    return str(changed.astimezone(clock.SHANGHAI).isoformat(timespec="seconds"))


def test_discovery_in_json_and_xml() -> None:
    response = get("discovery.json")
    assert (response.status_code, response["Content-Type"]) == (200, "application/json")
    body = response.json()
    assert_valid(body, DISCOVERY_SCHEMA)
    changeset = latest_catalogue_change()
    assert body["changeset"] == changeset
    assert body["endpoints"] == [
        {
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": "http://testserver/open311/v2",
            "changeset": changeset,
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }
    ]
    xml = get("discovery.xml")
    assert xml.status_code == 200
    root = xml_root(xml, "discovery")
    assert [child.tag for child in root] == ["changeset", "contact", "key_service", "endpoints"]
    assert [e.tag for e in root.iterfind("endpoints/endpoint")] == ["endpoint"]
    assert [f.text for f in root.iterfind("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]
    assert_xml_matches(root, body)


def test_the_discovery_changeset_is_the_latest_change_of_the_catalogue() -> None:
    ServiceType.objects.update(updated_at=dt.datetime(2022, 4, 1, 8, 0, tzinfo=clock.SHANGHAI))
    assert get("discovery.json").json()["changeset"] == "2022-04-01T08:00:00+08:00"
    # A service edited later (its deadline, its fields, withdrawn…) moves it.
    edited = ServiceType.objects.filter(code="bank-loan")
    edited.update(updated_at=dt.datetime(2022, 6, 1, 9, 30, tzinfo=clock.SHANGHAI))
    after = get("discovery.json").json()
    assert after["changeset"] == after["endpoints"][0]["changeset"] == "2022-06-01T09:30:00+08:00"
    assert get("discovery.json", jurisdiction_id=weihai.ZONE_CODE).json()["changeset"] == after["changeset"]
    response = get("discovery.json", jurisdiction_id="nowhere")
    assert (response.status_code, response.json()) == (
        404,
        [{"code": 404, "description": "No jurisdiction nowhere."}],
    )


def test_services_list_the_catalogue_in_json_and_xml() -> None:
    response = get("services.json")
    assert response.status_code == 200
    body = response.json()
    assert_valid(body, "services.json")
    expected = sorted((str(row[0]), row[1]) for row in DEFAULT)
    assert [(s["group"].replace(" ", "_"), s["service_code"]) for s in body] == expected
    assert all(list(service) == list(body[0]) for service in body)
    lease = next(s for s in body if s["service_code"] == "factory-lease")
    assert lease == {
        "service_code": "factory-lease",
        "service_name": "Factory lease",
        "description": "Handled by 投资促进局; resolved within 10 working days.",
        "metadata": True,
        "type": "realtime",
        "keywords": "land,厂房租赁,Factory lease",
        "group": "land",
    }
    assert {s["service_code"]: s["metadata"] for s in body}["planning-permit"] is False
    assert_xml_list_matches(get("services.xml"), "services", "service", body)


def test_services_are_named_in_the_language_asked() -> None:
    chinese = Client(headers={"Accept-Language": "zh-hans"}).get(f"{BASE}/services.json").json()
    assert {s["service_code"]: s["service_name"] for s in chinese}["factory-lease"] == "厂房租赁"


def test_a_service_definition_with_a_required_number() -> None:
    body = get("services/factory-lease.json").json()
    assert_valid(body, "service-definition.json")
    assert body == {
        "service_code": "factory-lease",
        "attributes": [
            {
                "variable": True,
                "code": "area_m2",
                "datatype": "number",
                "required": True,
                "datatype_description": "",
                "order": 1,
                "description": "面积（平方米）",
            }
        ],
    }
    xml = xml_root(get("services/factory-lease.xml"), "service_definition")
    assert [a.findtext("code") for a in xml.iterfind("attributes/attribute")] == ["area_m2"]
    assert_xml_matches(xml, body)


def test_a_service_definition_with_a_list_of_values() -> None:
    body = get("services/listing.json").json()
    assert_valid(body, "service-definition.json")
    (board,) = body["attributes"]
    assert (board["code"], board["datatype"], board["required"]) == ("board", "singlevaluelist", False)
    assert board["values"] == [{"key": c, "name": c} for c in ("主板", "科创板", "创业板", "北交所")]
    xml = xml_root(get("services/listing.xml"), "service_definition")
    assert [v.findtext("key") for v in xml.iterfind("attributes/attribute/values/value")] == [
        "主板",
        "科创板",
        "创业板",
        "北交所",
    ]
    assert_xml_matches(xml, body)


def test_a_service_without_attributes_has_an_empty_definition() -> None:
    body = get("services/planning-permit.json").json()
    assert_valid(body, "service-definition.json")
    assert body == {"service_code": "planning-permit", "attributes": []}
    xml = xml_root(get("services/planning-permit.xml"), "service_definition")
    assert_xml_matches(xml, body)


KEY = "the hp key"  # replaced by a live key of hp's


@pytest.mark.parametrize(
    ("path", "params", "status", "description"),
    [
        ("services/no-such-service", {}, 404, "service_code: no service no-such-service."),
        ("requests/GD1999-99999", {"api_key": KEY}, 404, "service_request_id: no request GD1999-99999."),
        ("requests/GD1999-99999", {}, 403, "api_key: an API key is required to read requests."),
        ("requests", {}, 403, "api_key: an API key is required to read requests."),
        ("tokens/0123456789abcdef0123456789abcdef", {}, 404, "token: no request for this token."),
        ("services", {"jurisdiction_id": "nowhere"}, 404, "No jurisdiction nowhere."),
        ("requests", {"api_key": KEY, "status": "pending"}, 400, "status: use open or closed."),
        (
            "services",
            {"api_key": "not-a-key"},
            403,
            "api_key: this API key is not valid or has been revoked.",
        ),
        (
            "requests",
            {"api_key": "not-a-key"},
            403,
            "api_key: this API key is not valid or has been revoked.",
        ),
        (
            "requests",
            {"api_key": KEY, "start_date": "yesterday"},
            400,
            "start_date: use a W3C date-time such as 2022-05-01T00:00:00Z.",
        ),
    ],
)
def test_errors_are_the_spec_list_in_json_and_xml(
    hp_key: str, path: str, params: dict[str, str], status: int, description: str
) -> None:
    params = {name: hp_key if value == KEY else value for name, value in params.items()}
    response = get(f"{path}.json", **params)
    assert (response.status_code, response["Content-Type"]) == (status, "application/json")
    assert_valid(response.json(), ERRORS_SCHEMA)
    assert response.json() == [{"code": status, "description": description}]
    response = get(f"{path}.xml", **params)
    assert response.status_code == status
    assert xml_errors(response) == [(str(status), description)]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("put", "services", "GET"),
        ("post", "services", "GET"),
        ("delete", "requests", "GET, POST"),
        ("patch", "discovery", "GET"),
        ("post", "requests/GD2022-00001", "GET"),
        ("head", "tokens/0123456789abcdef0123456789abcdef", "GET"),
    ],
)
def test_a_method_not_allowed_is_the_spec_list_in_json_and_xml(method: str, path: str, allowed: str) -> None:
    before = counts()
    for fmt in ("json", "xml"):
        response = getattr(client(), method)(f"{BASE}/{path}.{fmt}")
        assert (response.status_code, response["Allow"]) == (405, allowed)
        description = f"Method {method.upper()} is not allowed here; use {allowed}."
        if method == "head":
            assert response.content == b""  # a HEAD answer carries no body
        elif fmt == "json":
            assert_valid(response.json(), ERRORS_SCHEMA)
            assert response.json() == [{"code": 405, "description": description}]
        else:
            assert xml_errors(response) == [("405", description)]
    assert counts() == before


def test_an_unknown_format_is_not_found() -> None:
    for path in ("services.html", "requests.csv", "services/factory-lease.yaml", "discovery.txt"):
        response = get(path)
        assert (response.status_code, response.json()) == (
            404,
            [{"code": 404, "description": "Use .json or .xml."}],
        )


# --- requests: create, read, token ------------------------------------------------------------------


def test_post_files_a_request_for_the_keys_enterprise(hp_key: str) -> None:
    before = counts()
    created = file_request(hp_key)
    assert_valid([created], swagger_list_of("RequestResponse"))
    assert list(created) == ["service_request_id", "token", "service_notice", "account_id"]
    hp = enterprise_of("hp")
    assert re.fullmatch(r"GD2022-\d{5}", created["service_request_id"])
    assert re.fullmatch(r"[0-9a-f]{32}", created["token"])
    # Filed on Sunday 2022-05-08: acceptance (1 working day) is due on Monday.
    assert created["service_notice"] == "Accepted within 1 working days, by 2022-05-09."
    assert created["account_id"] == str(hp.pk)
    assert counts()[:3] == (before[0] + 1, before[1] + 1, before[2] + 1)
    order = order_of(created)
    assert (order.enterprise_id, order.service_type.code, order.status) == (
        hp.pk,
        "factory-lease",
        "submitted",
    )
    assert (order.title, order.description) == (
        "新增生产线需要标准厂房",
        "新增生产线需要标准厂房\n层高不低于8米",
    )
    assert (order.extra, order.open311_token, order.filed_by_id) == (
        {"area_m2": 8000.0},
        created["token"],
        None,
    )
    assert order.submitted_on == dt.date(2022, 5, 8)
    assert [e.action for e in order.events.all()] == ["submit"]


def test_the_created_request_reads_back_in_json_and_xml(hp_key: str) -> None:
    created = file_request(hp_key)
    number = created["service_request_id"]
    order = order_of(created)
    submitted = order.events.get().at.astimezone(clock.SHANGHAI).isoformat()
    response = get(f"requests/{number}.json", api_key=hp_key)
    assert response.status_code == 200
    body = response.json()
    assert_valid(body, "requests.json")
    assert body == [
        {
            "service_request_id": number,
            "status": "open",
            "status_notes": "submitted",
            "service_name": "Factory lease",
            "service_code": "factory-lease",
            "description": "新增生产线需要标准厂房\n层高不低于8米",
            "agency_responsible": "投资促进局",
            "service_notice": "Answer due within 10 working days of acceptance.",
            "requested_datetime": submitted,
            "updated_datetime": submitted,
            "expected_datetime": None,
            "address": Zone.objects.get(code=weihai.ZONE_CODE).name,
            "address_id": None,
            "zipcode": None,
            "lat": None,
            "long": None,
            "media_url": None,
        }
    ]
    assert list(body[0]) == REQUEST_FIELDS
    assert_valid(body[0], "request.json")
    assert_xml_list_matches(
        get(f"requests/{number}.xml", api_key=hp_key), "service_requests", "request", body
    )
    # The search finds it too, the same.
    search = get("requests.json", api_key=hp_key, service_request_id=number).json()
    assert search == body
    assert_xml_list_matches(
        get("requests.xml", api_key=hp_key, service_request_id=number), "service_requests", "request", body
    )


def test_the_token_resolves_to_the_request(hp_key: str) -> None:
    created = file_request(hp_key)
    body = get(f"tokens/{created['token']}.json").json()
    assert_valid(body, swagger_list_of("TokenResponse"))
    assert body == [{"service_request_id": created["service_request_id"], "token": created["token"]}]
    assert_xml_list_matches(get(f"tokens/{created['token']}.xml"), "service_requests", "request", body)


def test_post_in_xml_answers_the_spec_elements(hp_key: str) -> None:
    created = file_request(hp_key, "xml", **lease_form(hp_key))
    assert list(created) == ["service_request_id", "token", "service_notice", "account_id"]
    assert created["account_id"] == str(enterprise_of("hp").pk)
    assert order_of(created).open311_token == created["token"]


def test_an_accepted_request_reads_its_due_date(hp_key: str) -> None:
    created = file_request(hp_key)
    order_act(actor=demo_user("admin"), order=order_of(created), action="accept")
    (body,) = get(f"requests/{created['service_request_id']}.json", api_key=hp_key).json()
    assert_valid([body], "requests.json")
    assert (body["status"], body["status_notes"]) == ("open", "accepted")
    # Accepted on Sunday 2022-05-08: 10 working days end on Friday 2022-05-20.
    assert body["expected_datetime"] == "2022-05-20T23:59:59+08:00"
    updated, requested = (
        dt.datetime.fromisoformat(body[f]) for f in ("updated_datetime", "requested_datetime")
    )
    assert updated > requested


def test_search_an_empty_list_in_json_and_xml(hp_key: str) -> None:
    body = get("requests.json", api_key=hp_key, service_code="no-such-service").json()
    assert body == []
    assert_valid(body, "requests.json")
    empty = get("requests.xml", api_key=hp_key, service_code="no-such-service")
    assert xml_list(empty, "service_requests", "request") == []


def test_the_search_lists_the_keys_enterprises_requests_newest_first(hp_key: str) -> None:
    mine = file_request(hp_key)["service_request_id"]
    body = get("requests.json", api_key=hp_key).json()
    assert_valid(body, "requests.json")
    assert 1 <= len(body) <= 1000
    assert mine in [r["service_request_id"] for r in body]
    assert all(list(r) == REQUEST_FIELDS for r in body)
    # Newest first, all within the default 90 days.
    days = [dt.datetime.fromisoformat(r["requested_datetime"]).date() for r in body]
    assert days == sorted(days, reverse=True)
    assert days[-1] >= dt.date(2022, 5, 8) - dt.timedelta(days=90)
    assert_xml_list_matches(get("requests.xml", api_key=hp_key), "service_requests", "request", body)


def test_requests_are_not_read_without_a_key(hp_key: str) -> None:
    """Requests are enterprises' affairs: no list of them, blanked or not, and no single one, without a
    key; discovery, the services and their definitions stay public."""
    number = file_request(hp_key)["service_request_id"]
    required = "api_key: an API key is required to read requests."
    for path, params in (
        ("requests", {}),
        ("requests", {"service_request_id": number}),
        ("requests", {"jurisdiction_id": weihai.ZONE_CODE, "status": "open"}),
        (f"requests/{number}", {}),
    ):
        response = get(f"{path}.json", **params)
        assert (response.status_code, response.json()) == (403, [{"code": 403, "description": required}])
        assert number not in response.content.decode()
        assert xml_errors(get(f"{path}.xml", **params)) == [("403", required)]
    for path in ("discovery", "services", "services/factory-lease"):
        assert get(f"{path}.json").status_code == 200, path


def test_search_filters_by_status_and_service_code(hp_key: str) -> None:
    mine = file_request(hp_key)["service_request_id"]

    def found(**params: str) -> list[str]:
        response = get("requests.json", api_key=hp_key, **params)
        assert response.status_code == 200, response.content
        assert_valid(response.json(), "requests.json")
        return [r["service_request_id"] for r in response.json()]

    assert mine in found(status="open")
    assert mine in found(status="open,closed")
    assert mine not in found(status="closed")
    assert mine in found(service_code="factory-lease")
    assert mine in found(service_code="bank-loan,factory-lease")
    assert mine not in found(service_code="bank-loan")
    # A list of ids overrides every other argument.
    assert found(service_request_id=f"{mine},GD1999-99999", status="closed", service_code="bank-loan") == [
        mine
    ]


def test_start_and_end_date_bound_the_requested_moment(hp_key: str) -> None:
    created = file_request(hp_key)
    number = created["service_request_id"]
    (body,) = get(f"requests/{number}.json", api_key=hp_key).json()
    requested = dt.datetime.fromisoformat(body["requested_datetime"])
    second = dt.timedelta(seconds=1)

    def found(start: dt.datetime | str | None, end: dt.datetime | str | None) -> bool:
        params = {"api_key": hp_key, "service_code": "factory-lease"}
        if start is not None:
            params["start_date"] = start if isinstance(start, str) else start.isoformat()
        if end is not None:
            params["end_date"] = end if isinstance(end, str) else end.isoformat()
        response = get("requests.json", **params)
        assert response.status_code == 200, response.content
        return number in [r["service_request_id"] for r in response.json()]

    assert found(requested - second, requested + second)
    assert found(requested, requested)
    # Same day, but outside the range: requested_datetime is what the bounds apply to.
    assert not found(requested + second, requested + 2 * second)
    assert not found(requested - 2 * second, requested - second)
    assert found(requested - dt.timedelta(days=89), None)
    assert not found(requested + dt.timedelta(microseconds=1), None)
    assert not found(None, requested - second)
    # UTC with "Z" names the same instant.
    utc = requested.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert found(utc, utc)


@pytest.mark.parametrize(
    ("params", "description"),
    [
        (
            {"start_date": "2022-01-01T00:00:00Z", "end_date": "2022-05-08T00:00:00Z"},
            "start_date: the range may not span more than 90 days.",
        ),
        (
            {"start_date": "2022-01-01T00:00:00+08:00"},
            "start_date: the range may not span more than 90 days.",
        ),
        (
            {"start_date": "2022-05-08T00:00:00Z", "end_date": "2022-05-01T00:00:00Z"},
            "start_date: must not be after end_date.",
        ),
        ({"end_date": "8 May 2022"}, "end_date: use a W3C date-time such as 2022-05-01T00:00:00Z."),
        ({"status": "opened"}, "status: use open or closed."),
        ({"status": "open,pending"}, "status: use open or closed."),
    ],
)
def test_bad_searches_are_refused(hp_key: str, params: dict[str, str], description: str) -> None:
    response = get("requests.json", api_key=hp_key, **params)
    assert (response.status_code, response.json()) == (400, [{"code": 400, "description": description}])


def test_a_range_of_exactly_90_days_is_allowed(hp_key: str) -> None:
    response = get(
        "requests.json",
        api_key=hp_key,
        start_date="2022-02-07T00:00:00+08:00",
        end_date="2022-05-08T00:00:00+08:00",
    )
    assert response.status_code == 200
    assert_valid(response.json(), "requests.json")


# --- refused POSTs change nothing -------------------------------------------------------------------


def _revoked_key() -> str:
    key, raw = open311_key_issue(actor=None, enterprise=enterprise_of("hp"))
    open311_key_revoke(actor=demo_user("admin"), key=key)
    return raw


@pytest.mark.parametrize(
    ("form", "status", "description"),
    [
        ({"api_key": ""}, 403, "api_key: an API key is required to file a request."),
        ({"api_key": "not-a-key"}, 403, "api_key: this API key is not valid or has been revoked."),
        ({"api_key": "REVOKED"}, 403, "api_key: this API key is not valid or has been revoked."),
        ({"service_code": "no-such-service"}, 404, "service_code: no service no-such-service."),
        ({"service_code": ""}, 400, "service_code: this field is required."),
        ({"description": "  "}, 400, "description: this field is required."),
        ({"attribute[area_m2]": ""}, 400, "attribute[area_m2]: This field is required."),
        ({"attribute[area_m2]": "lots"}, 400, "attribute[area_m2]: Enter a number."),
        ({"attribute[colour]": "red"}, 400, "attribute[colour]: Unknown field."),
        ({"jurisdiction_id": "nowhere"}, 403, "This API key does not belong to jurisdiction nowhere."),
    ],
)
def test_refused_posts_create_nothing(
    hp_key: str, form: dict[str, str], status: int, description: str
) -> None:
    data = lease_form(hp_key)
    data.update(form)
    if data["api_key"] == "REVOKED":
        data["api_key"] = _revoked_key()
    if data.get("attribute[area_m2]") == "":
        del data["attribute[area_m2]"]
    before = counts()
    response = post("requests.json", data)
    assert response.status_code == status
    assert_valid(response.json(), ERRORS_SCHEMA)
    assert response.json() == [{"code": status, "description": description}]
    assert counts() == before


@pytest.mark.parametrize("value", ["nan", "inf", "1e400"])
def test_a_number_attribute_must_be_finite(hp_key: str, value: str) -> None:
    """nan, inf and 1e400 parse as floats, but the JSON column cannot hold them (a 500 until fixed)."""
    before = counts()
    response = post("requests.json", lease_form(hp_key, **{"attribute[area_m2]": value}))
    assert (response.status_code, response.json()) == (
        400,
        [{"code": 400, "description": "attribute[area_m2]: Enter a number."}],
    )
    assert counts() == before


def test_a_missing_required_attribute_is_named_in_any_language(hp_key: str) -> None:
    data = lease_form(hp_key)
    del data["attribute[area_m2]"]
    before = counts()
    for language in ("en", "zh-hans"):
        response = Client(headers={"Accept-Language": language}).post(f"{BASE}/requests.xml", data)
        assert response.status_code == 400
        ((code, description),) = xml_errors(response)
        assert code == "400"
        assert description.startswith("attribute[area_m2]: ")
    assert counts() == before


# --- scope of keys ----------------------------------------------------------------------------------


def test_a_key_reads_its_enterprises_requests_only(hp_key: str, weigao_key: str) -> None:
    hp_number = file_request(hp_key)["service_request_id"]
    weigao_number = file_request(
        weigao_key, **lease_form(weigao_key, description="威高扩产\n需要厂房2000平方米")
    )["service_request_id"]
    # hp's key: its own request in full, weigao's not at all.
    (mine,) = get(f"requests/{hp_number}.json", api_key=hp_key).json()
    assert mine["description"] == "新增生产线需要标准厂房\n层高不低于8米"
    response = get(f"requests/{weigao_number}.json", api_key=hp_key)
    assert (response.status_code, response.json()) == (
        404,
        [{"code": 404, "description": f"service_request_id: no request {weigao_number}."}],
    )
    both = f"{hp_number},{weigao_number}"
    assert [
        r["service_request_id"] for r in get("requests.json", api_key=hp_key, service_request_id=both).json()
    ] == [hp_number]
    hp = enterprise_of("hp")
    hp_numbers = {r["service_request_id"] for r in get("requests.json", api_key=hp_key).json()}
    assert hp_numbers == set(
        ServiceOrder.objects.filter(
            enterprise=hp, submitted_on__gte=dt.date(2022, 5, 8) - dt.timedelta(days=90)
        ).values_list("number", flat=True)
    )
    # weigao's key: the mirror image.
    assert get(f"requests/{hp_number}.json", api_key=weigao_key).status_code == 404
    (theirs,) = get(f"requests/{weigao_number}.json", api_key=weigao_key).json()
    assert theirs["description"] == "威高扩产\n需要厂房2000平方米"
    # No key: neither.
    assert get("requests.json", service_request_id=both).status_code == 403


def test_a_revoked_key_is_refused_everywhere(hp_key: str) -> None:
    number = file_request(hp_key)["service_request_id"]
    key = Open311Key.objects.get(enterprise=enterprise_of("hp"), revoked_at__isnull=True)
    open311_key_revoke(actor=demo_user("admin"), key=key)
    message = [{"code": 403, "description": "api_key: this API key is not valid or has been revoked."}]
    for path in ("services.json", f"requests/{number}.json", "requests.json"):
        response = get(path, api_key=hp_key)
        assert (response.status_code, response.json()) == (403, message)
    before = counts()
    response = post("requests.json", lease_form(hp_key))
    assert (response.status_code, response.json()) == (403, message)
    assert counts() == before


def test_jurisdiction_id_is_the_zones_code(hp_key: str) -> None:
    code = weihai.ZONE_CODE
    assert get("services.json", jurisdiction_id=code).json() == get("services.json").json()
    assert get("requests.json", jurisdiction_id=code, api_key=hp_key).status_code == 200
    response = get("services.json", jurisdiction_id="other-zone")
    assert (response.status_code, response.json()) == (
        404,
        [{"code": 404, "description": "No jurisdiction other-zone."}],
    )
    assert get("requests.json", jurisdiction_id="other-zone").status_code == 403  # no key: refused first
    assert get("services/factory-lease.json", jurisdiction_id="other-zone").status_code == 404
    # A key belongs to its zone: naming another one is refused.
    response = get("requests.json", jurisdiction_id="other-zone", api_key=hp_key)
    assert (response.status_code, response.json()) == (
        403,
        [{"code": 403, "description": "This API key does not belong to jurisdiction other-zone."}],
    )


# --- personal data ----------------------------------------------------------------------------------

CONTACT = {
    "first_name": "Xiaoming-PII-first",
    "last_name": "Wang-PII-last",
    "email": "pii.contact.7q@example.org",
    "phone": "+86-631-555-0199",
    "device_id": "device-PII-9s",
    "account_id": "account-PII-4t",
}


def test_contacts_personal_data_is_neither_stored_nor_returned(hp_key: str) -> None:
    created = file_request(hp_key, **lease_form(hp_key, **CONTACT))
    order = order_of(created)
    token = created["token"]
    outputs = [json.dumps(created, ensure_ascii=False)]
    for fmt in ("json", "xml"):
        for path, params in (
            (f"requests/{order.number}", {"api_key": hp_key}),
            ("requests", {"api_key": hp_key}),
            (f"tokens/{token}", {"api_key": hp_key}),
            (f"tokens/{token}", {}),
        ):
            response = get(f"{path}.{fmt}", **params)
            assert response.status_code == 200
            outputs.append(response.content.decode())
    stored = [
        serializers.serialize("json", [order]),
        serializers.serialize("json", OrderEvent.objects.filter(order=order)),
        serializers.serialize(
            "json", AuditEvent.objects.filter(object_type="servicedesk.serviceorder", object_id=str(order.pk))
        ),
        serializers.serialize(
            "json", Notification.objects.filter(event_key__startswith=f"order:{order.pk}:")
        ),
    ]
    assert json.loads(stored[1])[0]["fields"]["action"] == "submit"
    for value in CONTACT.values():
        for text in outputs + stored:
            assert value not in text
            assert json.dumps(value) not in text


# --- XML stays well-formed --------------------------------------------------------------------------


def test_control_characters_do_not_break_the_xml(hp_key: str) -> None:
    created = file_request(hp_key, **lease_form(hp_key, description="扩产\x01需要\x0b厂房\t8000平方米"))
    number = created["service_request_id"]
    (body,) = get(f"requests/{number}.json", api_key=hp_key).json()
    assert body["description"] == "扩产\x01需要\x0b厂房\t8000平方米"
    (element,) = xml_list(get(f"requests/{number}.xml", api_key=hp_key), "service_requests", "request")
    assert element.findtext("description") == "扩产需要厂房\t8000平方米"


# --- NUL characters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("services.json", {"jurisdiction_id": f"{weihai.ZONE_CODE}\x00"}, "jurisdiction_id"),
        ("requests.json", {"service_request_id": "GD2022-00001\x00"}, "service_request_id"),
        ("requests.json", {"service_code": "\x00"}, "service_code"),
        ("services/factory-lease%00.json", {}, "service_code"),
        ("requests/GD2022-00001%00.xml", {}, "service_request_id"),
        ("tokens/%00.json", {}, "token"),
    ],
)
def test_nul_characters_are_refused(path: str, params: dict[str, str], field: str) -> None:
    """PostgreSQL text cannot hold NUL: without this check such a look-up fails with a 500 page there."""
    response = get(path, **params)
    assert response.status_code == 400
    description = f"{field}: must not contain NUL characters."
    if path.endswith(".xml"):
        assert xml_errors(response) == [("400", description)]
    else:
        assert response.json() == [{"code": 400, "description": description}]


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"description": "扩产\x00需要厂房"}, "description"),
        ({"attribute[area\x00]": "1"}, "attribute[area\x00]"),
    ],
)
def test_a_post_with_nul_characters_creates_nothing(hp_key: str, form: dict[str, str], field: str) -> None:
    before = counts()
    response = post("requests.json", {**lease_form(hp_key), **form})
    assert (response.status_code, response.json()) == (
        400,
        [{"code": 400, "description": f"{field}: must not contain NUL characters."}],
    )
    assert counts() == before


# --- the management command -------------------------------------------------------------------------


def _command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("open311-key", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_issues_a_key_that_files_and_revokes_it() -> None:
    hp = enterprise_of("hp")
    keys_before = Open311Key.objects.filter(enterprise=hp).count()
    out, err = _command(str(hp.pk), "--label", "ERP")
    raw = out.strip()
    assert re.fullmatch(r"[A-Za-z0-9_-]{40}", raw)
    assert (
        err == f"Open311 key {raw[:8]}… for {hp.name} (zone {weihai.ZONE_CODE}); shown once, keep it safe.\n"
    )
    key = Open311Key.objects.get(enterprise=hp, prefix=raw[:8])
    assert (key.label, key.revoked_at, Open311Key.objects.filter(enterprise=hp).count()) == (
        "ERP",
        None,
        keys_before + 1,
    )
    assert raw not in key.key_hash
    created = file_request(raw)
    assert order_of(created).enterprise_id == hp.pk

    out, _ = _command(str(hp.pk), "--revoke", raw[:8])
    assert out == f"revoked {raw[:8]}…\n"
    before = counts()
    response = post("requests.json", lease_form(raw))
    assert (response.status_code, response.json()) == (
        403,
        [{"code": 403, "description": "api_key: this API key is not valid or has been revoked."}],
    )
    assert counts() == before
    assert AuditEvent.objects.filter(action="open311.key_revoke", object_id=str(key.pk)).count() == 1
    with pytest.raises(CommandError, match="--revoke: no live key"):
        _command(str(hp.pk), "--revoke", raw[:8])


def test_the_command_names_an_unknown_enterprise() -> None:
    keys = Open311Key.objects.count()
    with pytest.raises(CommandError, match=r"^enterprise_id: no enterprise with id 987654\.$"):
        _command("987654")
    assert Open311Key.objects.count() == keys
