"""Property tests of the endpoints — the GETs and the POST — against the upstream swagger.json
(open311/schema-validation), with its known defects patched (``data/open311/README.md`` lists them) and
this server's reading rule added (requests are read with a key), through Django's WSGI application in the
test's transaction: no 5xx, only documented status codes and content types, bodies that match the
response schemas."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.servicedesk.test_open311 import (
    SWAGGER,
    KeepConnectionsHandler,
    enterprise_of,
    file_request,
    issue_key,
    upstream,
)
from zoneops.servicedesk.models import ServiceOrder

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _hypothesis_home(tmp_path: Path) -> Iterator[None]:
    """Hypothesis keeps what it learns under ./.hypothesis: keep that out of the work tree."""
    set_hypothesis_home_dir(tmp_path / "hypothesis")
    yield
    set_hypothesis_home_dir(None)


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 25


# The services the POST is generated for: one with a required number field, one with none, and one that
# does not exist (each answers differently: 201 or 400, 201, 404).
POSTED_SERVICES = ["factory-lease", "planning-permit", "no-such-service"]


def patched_swagger(key: str = "") -> dict[str, Any]:
    """swagger.json with its defects patched, in JSON (its schemas are JSON's). ``key``: the API key the
    request reads and the POST send (the only value generated for it); without one they are left out."""
    swagger = copy.deepcopy(SWAGGER)
    # Where the API is mounted (the upstream file names no host or base path: each server has its own).
    swagger["basePath"] = "/open311/v2"
    paths = swagger["paths"]
    # 1. The single request is under /requests/{id}, as in the spec, not /request/{id}.
    paths["/requests/{service_request_id}.{response_format}"] = paths.pop(
        "/request/{service_request_id}.{response_format}"
    )
    # 2. jurisdiction_id is optional where a server hosts one jurisdiction.
    swagger["parameters"]["jurisdiction_id"]["required"] = False
    # 3. The format is json or xml, not any "uid"; the response schemas describe the JSON.
    response_format = swagger["parameters"]["response_format"]
    del response_format["format"]
    response_format["enum"] = ["json"]
    # 4. Optional fields may be null (the spec's examples show null; the JSON Schema files allow it).
    for definition in swagger["definitions"].values():
        required = set(definition.get("required", []))
        for name, field in definition["properties"].items():
            if name not in required:
                field["x-nullable"] = True
    # 5. One request and a token look-up answer a list (of one), as the spec's examples show.
    single = paths["/requests/{service_request_id}.{response_format}"]["get"]["responses"]["200"]
    single["schema"] = {"type": "array", "items": {"$ref": "#/definitions/Request"}}
    token = paths["/tokens/{token_id}.{response_format}"]["get"]["responses"]["200"]
    token["schema"] = {"type": "array", "items": {"$ref": "#/definitions/TokenResponse"}}
    # 6. Errors: the spec's 400 (bad argument), 403 (bad key) and 404 (unknown jurisdiction, service,
    # request or token) on every endpoint, as the spec's error list (swagger.json documents some of them,
    # without a body, and a 401 for an unknown jurisdiction that the spec answers with 404).
    swagger["definitions"]["Error"] = {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
    }
    errors = {"type": "array", "items": {"$ref": "#/definitions/Error"}}
    requests_path = paths["/requests.{response_format}"]
    post = requests_path.pop("post")
    for path in paths.values():
        responses = path["get"]["responses"]
        responses.pop("401", None)
        for status in ("400", "403", "404"):
            responses[status] = {"description": "the spec's error list", "schema": errors}
    # 7. The POST's parameters are form fields, as the spec posts them (not query parameters): api_key,
    # service_code, description and attribute[code] (not an array "attribute"); a created request
    # answers 201 (not 200), refusals the spec's error list.
    if key:
        api_key = {"name": "api_key", "in": "formData", "required": True, "type": "string", "enum": [key]}
        form = [
            {"$ref": "#/parameters/response_format"},
            {**swagger["parameters"]["jurisdiction_id"], "in": "formData"},
            api_key,
            {
                "name": "service_code",
                "in": "formData",
                "required": True,
                "type": "string",
                "enum": POSTED_SERVICES,
            },
            {"name": "description", "in": "formData", "required": True, "type": "string"},
            {"name": "attribute[area_m2]", "in": "formData", "required": False, "type": "number"},
            *(
                {**parameter, "in": "formData"}
                for parameter in post["parameters"]
                if parameter.get("name") in ("lat", "long", "address_string", "address_id")
            ),
        ]
        created = {"type": "array", "items": {"$ref": "#/definitions/RequestResponse"}}
        post["parameters"] = form
        post.pop("security")
        post["responses"] = {
            "201": {"description": "the request created", "schema": created},
            **{
                status: {"description": "the spec's error list", "schema": errors}
                for status in ("400", "403", "404")
            },
        }
        requests_path["post"] = post
        # Not a defect: this server reads requests with a key only (the key scopes what it reads).
        for name in ("/requests.{response_format}", "/requests/{service_request_id}.{response_format}"):
            paths[name]["get"]["parameters"].append({**api_key, "in": "query"})
    swagger["produces"] = ["application/json"]
    return swagger


def test_the_patches_apply_to_the_upstream_file() -> None:
    """The upstream defects are where the README says, so the patches above still mean something."""
    assert "/request/{service_request_id}.{response_format}" in SWAGGER["paths"]
    assert "/requests/{service_request_id}.{response_format}" not in SWAGGER["paths"]
    assert SWAGGER["parameters"]["jurisdiction_id"]["required"] is True
    assert SWAGGER["definitions"]["Request"]["properties"]["status_notes"] == {
        "type": "string",
        "description": "Explanation of why status was changed to current state or more details on current "
        "status than conveyed with status alone.",
    }
    single = SWAGGER["paths"]["/request/{service_request_id}.{response_format}"]["get"]["responses"]["200"]
    assert single["schema"] == {"$ref": "#/definitions/Request"}
    patched = patched_swagger("k")
    assert sorted(patched["paths"]) == [
        "/requests.{response_format}",
        "/requests/{service_request_id}.{response_format}",
        "/services.{response_format}",
        "/services/{service_code}.{response_format}",
        "/tokens/{token_id}.{response_format}",
    ]
    # The patches leave the loaded upstream file as it is.
    assert upstream("swagger.json") == SWAGGER


def test_the_endpoints_conform_to_the_patched_swagger() -> None:
    # A request of the demo zone's enterprise hp, so the request and token look-ups can also be called
    # with values that exist (generated ones find nothing: 404); its key reads requests and files them.
    key = issue_key("hp")
    created = file_request(key)
    schema = schemathesis.openapi.from_dict(patched_swagger(key))
    schema.app = KeepConnectionsHandler()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert sorted(op.label for op in operations) == [
        "GET /requests.{response_format}",
        "GET /requests/{service_request_id}.{response_format}",
        "GET /services.{response_format}",
        "GET /services/{service_code}.{response_format}",
        "GET /tokens/{token_id}.{response_format}",
        "POST /requests.{response_format}",
    ]
    known = {
        "service_code": "factory-lease",
        "service_request_id": created["service_request_id"],
        "token_id": created["token"],
    }
    last_before = ServiceOrder.objects.order_by("-pk").values_list("pk", flat=True).first()
    statuses: dict[str, set[int]] = {}
    for operation in operations:
        statuses[operation.label] = generated_cases_answered(operation)
        if operation.method.upper() == "POST":
            continue
        # And the known ones, so each endpoint also answers 200.
        path_parameters = {name: value for name, value in known.items() if "{" + name + "}" in operation.path}
        query = {"api_key": key} if operation.path.startswith("/requests") else {}
        case = operation.Case(path_parameters={"response_format": "json", **path_parameters}, query=query)
        assert case.call_and_validate(checks=CHECKS).status_code == 200
    # The POST was generated with a valid key: it created requests (for hp) and refused others (403: a
    # jurisdiction_id generated that is not the key's zone, as for the reads).
    posted = statuses.pop("POST /requests.{response_format}")
    assert 201 in posted
    assert posted <= {201, 400, 403, 404}, posted
    assert all(codes <= {200, 400, 403, 404} for codes in statuses.values()), statuses
    filed = ServiceOrder.objects.filter(pk__gt=last_before)
    assert filed.exists()
    assert set(filed.values_list("enterprise_id", flat=True)) == {enterprise_of("hp").pk}


def test_the_checks_catch_an_answer_the_schema_refuses() -> None:
    """Without patch 4 (optional fields nullable) a real answer, with its null lat, long, media_url…,
    fails the response schema check: the checks above do check."""
    key = issue_key("hp")
    created = file_request(key)
    swagger = patched_swagger(key)
    for definition in swagger["definitions"].values():
        for field in definition["properties"].values():
            field.pop("x-nullable", None)
    schema = schemathesis.openapi.from_dict(swagger)
    schema.app = KeepConnectionsHandler()
    operation = schema["/requests/{service_request_id}.{response_format}"]["GET"]
    case = operation.Case(
        path_parameters={"response_format": "json", "service_request_id": created["service_request_id"]},
        query={"api_key": key},
    )
    with pytest.raises(FailureGroup) as failed:
        case.call_and_validate(checks=CHECKS)
    failures = failed.value.exceptions
    assert {type(failure).__name__ for failure in failures} == {"JsonSchemaError"}
    refused = sorted(
        match.group(1)
        for failure in failures
        if (match := re.search(r"Schema at /definitions/Request/properties/(\w+):", str(failure)))
    )
    assert refused == ["address_id", "expected_datetime", "lat", "long", "media_url", "zipcode"]
    assert len(failures) == len(refused)


def generated_cases_answered(operation: Any) -> set[int]:
    """Run EXAMPLES generated cases of one operation through the checks; the status codes answered."""
    seen: set[int] = set()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def check(case: Any) -> None:
        response = case.call_and_validate(checks=CHECKS)
        seen.add(response.status_code)

    check()
    return seen
