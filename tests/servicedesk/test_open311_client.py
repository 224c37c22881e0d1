"""An outside Open311 client — the PyPI ``georeport`` package (``requests`` + ``xmltodict``) — against
``/open311/v2/`` served over real HTTP on 127.0.0.1, in JSON and in XML.

Why not pytest-django's ``live_server``: it forces a transactional database, whose teardown empties every
table — which here fails (audit events are append-only, a database trigger refuses the delete) and would
in any case take the session's demo zone away from every later test of the worker. So the server below is
Django's own live-server thread sharing the test's connection: it sees the demo zone and the test's rows,
and what it writes is rolled back with the test, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
import xmltodict
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from django.test import Client
from django.test.testcases import LiveServerThread
from georeport import GeoReport
from georeport import georeport as georeport_module

from tests.servicedesk.test_open311 import (
    BASE,
    REQUEST_FIELDS,
    KeepConnectionsHandler,
    assert_valid,
    counts,
    enterprise_of,
    issue_key,
    lease_form,
    swagger_list_of,
)
from zoneops.demo import weihai
from zoneops.servicedesk.catalogue import DEFAULT
from zoneops.servicedesk.models import ServiceOrder

pytestmark = pytest.mark.django_db


class _SharedConnectionServer(ThreadedWSGIServer):
    def _close_connections(self) -> None:
        """Leave the shared connections (the test's, with its open transaction) open after a request."""


class _ServerThread(LiveServerThread):
    server_class = _SharedConnectionServer

    def run(self) -> None:
        """``LiveServerThread.run`` without closing the shared connections when the server stops."""
        for alias, connection in self.connections_override.items():
            connections[alias] = connection
        try:
            self.httpd = self._create_server(connections_override=self.connections_override)
            self.port = self.httpd.server_address[1]
            self.httpd.set_app(KeepConnectionsHandler())
            self.is_ready.set()
            self.httpd.serve_forever(poll_interval=0.05)
        except Exception as exc:
            self.error = exc
            self.is_ready.set()


@pytest.fixture
def open311_url(db: None) -> Iterator[str]:
    """The Open311 root of a real HTTP server on 127.0.0.1, in the test's transaction."""
    shared = {connection.alias: connection for connection in connections.all()}
    for connection in shared.values():
        connection.inc_thread_sharing()
    thread = _ServerThread("127.0.0.1", static_handler=None, connections_override=shared)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    try:
        if thread.error is not None:
            raise thread.error
        yield f"http://127.0.0.1:{thread.port}/open311/v2"
    finally:
        thread.terminate()
        for connection in shared.values():
            connection.dec_thread_sharing()


def as_xml(value: Any) -> Any:
    """What xmltodict reads for a JSON value: text, "true"/"false", None for null and ""."""
    if isinstance(value, dict):
        return {k: as_xml(v) for k, v in value.items()}
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


CATALOGUE = sorted((str(row[0]), row[1]) for row in DEFAULT)


def with_key(key: str) -> Any:
    """``requests.get`` adding the API key to the query, for the client's reads."""
    plain = requests.get

    def get(url: str, params: dict[str, str] | None = None, **kwargs: Any) -> Any:
        return plain(url, params={**(params or {}), "api_key": key}, timeout=30, **kwargs)

    return get


def as_django_client_reads(path: str, **params: str) -> Any:
    """The JSON that Django's test client reads for the same request. The georeport client sends no
    Accept-Language, so both read the installation's default language."""
    response = Client().get(f"{BASE}/{path}", params)
    return response.json()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_client_reads_services_and_a_definition(open311_url: str, fmt: str) -> None:
    client = GeoReport(open311_url, output_format=fmt)
    services = client.get_service_list()
    definition = client.get_service_definition("factory-lease")
    expected_services = as_django_client_reads("services.json")
    expected_definition = as_django_client_reads("services/factory-lease.json")
    assert [s["service_code"] for s in services] == [code for _group, code in CATALOGUE]
    assert expected_definition["attributes"][0]["code"] == "area_m2"
    if fmt == "json":
        assert_valid(services, "services.json")
        assert services == expected_services
        assert_valid(definition, "service-definition.json")
        assert definition == expected_definition
    else:
        assert services == [as_xml(s) for s in expected_services]
        # xmltodict reads one <attribute> as an object, not as a list of one.
        assert definition == {
            "service_code": "factory-lease",
            "attributes": {"attribute": as_xml(expected_definition["attributes"][0])},
        }
    with pytest.raises(requests.HTTPError) as refused:
        client.get_service_definition("no-such-service")
    assert refused.value.response.status_code == 404


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_client_files_finds_and_reads_a_request(
    open311_url: str, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = issue_key("hp")
    before = ServiceOrder.objects.count()
    response = requests.post(f"{open311_url}/requests.{fmt}", data=lease_form(key), timeout=30)
    assert response.status_code == 201, response.text
    assert ServiceOrder.objects.count() == before + 1
    order = ServiceOrder.objects.latest("id")
    hp = enterprise_of("hp")
    assert (order.enterprise_id, order.service_type.code, order.extra) == (
        hp.pk,
        "factory-lease",
        {"area_m2": 8000.0},
    )
    number = order.number
    if fmt == "json":
        (created,) = response.json()
        assert_valid([created], swagger_list_of("RequestResponse"))
    else:
        assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
        created = xmltodict.parse(response.content)["service_requests"]["request"]
    assert {k: v for k, v in created.items() if k != "service_notice"} == {
        "service_request_id": number,
        "token": order.open311_token,
        "account_id": str(hp.pk),
    }
    assert "2022-05-09" in created["service_notice"]

    client = GeoReport(open311_url, jurisdiction=weihai.ZONE_CODE, api_key=key, output_format=fmt)
    # Requests are read with a key here; the client sends its key with a POST only, so its reads are
    # refused as they come…
    with pytest.raises(requests.HTTPError) as refused:
        client.get_service_request(number)
    assert refused.value.response.status_code == 403
    # …and this test adds the key to the client's GETs, as a client built for this endpoint would.
    monkeypatch.setattr(georeport_module.requests, "get", with_key(key))
    one = client.get_service_request(number)
    found = client.get_service_requests(service_request_id=number)
    searched = client.get_service_requests(
        service_code="factory-lease",
        start_date="2022-05-01T00:00:00+08:00",
        end_date="2022-05-08T23:59:59+08:00",
        status="open",
    )
    # What Django's test client reads with the key: the request in full.
    (expected,) = as_django_client_reads(f"requests/{number}.json", api_key=key)
    assert expected["description"] == "新增生产线需要标准厂房\n层高不低于8米"
    assert (expected["service_request_id"], expected["status"]) == (number, "open")
    if fmt == "json":
        assert one == expected
        assert found == [expected]
        assert_valid(searched, "requests.json")
        assert expected in searched
    else:
        assert list(one) == REQUEST_FIELDS
        assert one == as_xml(expected)
        # xmltodict reads one <request> as an object, several as a list.
        assert found == one
        assert one in (searched if isinstance(searched, list) else [searched])
    with pytest.raises(requests.HTTPError) as refused:
        client.get_service_request("GD1999-99999")
    assert refused.value.response.status_code == 404


def test_the_client_is_refused_another_jurisdiction(open311_url: str) -> None:
    client = GeoReport(open311_url, jurisdiction="other-zone")
    with pytest.raises(requests.HTTPError) as refused:
        client.get_service_list()
    assert refused.value.response.status_code == 404
    expected = as_django_client_reads("services.json", jurisdiction_id="other-zone")
    assert refused.value.response.json() == expected
    assert expected[0]["code"] == 404
    with pytest.raises(requests.HTTPError) as refused:
        client.get_service_requests()
    assert refused.value.response.status_code == 403  # reading requests needs a key, first of all


@pytest.mark.parametrize(
    ("change", "status", "description"),
    [
        ({"api_key": None}, 403, "api_key: an API key is required to file a request."),
        ({"api_key": "not-a-key"}, 403, "api_key: this API key is not valid or has been revoked."),
        ({"service_code": "no-such-service"}, 404, "service_code: no service no-such-service."),
        ({"attribute[area_m2]": None}, 400, "attribute[area_m2]: This field is required."),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_refused_posts_over_http_create_nothing(
    open311_url: str, fmt: str, change: dict[str, str | None], status: int, description: str
) -> None:
    form: dict[str, str | None] = {**lease_form(issue_key("hp")), **change}
    before = counts()
    response = requests.post(
        f"{open311_url}/requests.{fmt}",
        data={k: v for k, v in form.items() if v is not None},
        headers={"Accept-Language": "en"},
        timeout=30,
    )
    assert response.status_code == status
    if fmt == "json":
        assert response.json() == [{"code": status, "description": description}]
    else:
        assert xmltodict.parse(response.content) == {
            "errors": {"error": {"code": str(status), "description": description}}
        }
    assert counts() == before
