from typing import Any
import pytest
from django.test import Client
from tests.conftest import demo_user
from zoneops.servicedesk.services import open311_key_issue
from zoneops.servicedesk.models import ServiceOrder

pytestmark = pytest.mark.django_db


def test_probe() -> None:
    c = Client()
    hp = demo_user("hp").enterprise
    key, raw = open311_key_issue(actor=None, enterprise=hp)
    print(ServiceOrder.objects.count(), ServiceOrder.objects.filter(enterprise=hp).count())
    for url in ["discovery.json", "discovery.xml", "services.xml", "services/factory-lease.json", "services/listing.xml", "requests.json", "requests.xml?status=open"]:
        r = c.get("/open311/v2/" + url, HTTP_ACCEPT_LANGUAGE="en")
        print(url, r.status_code, r.headers["Content-Type"], r.content.decode()[:1500])
    r = c.post("/open311/v2/requests.json", {"api_key": raw, "service_code": "factory-lease", "description": "需要厂房\n第二行", "attribute[area_m2]": "8000", "email": "a@b.c"})
    print(r.status_code, r.content.decode())
    n = r.json()[0]["service_request_id"]; t = r.json()[0]["token"]
    for url in [f"requests/{n}.json", f"requests/{n}.json?api_key={raw}", f"requests/{n}.xml?api_key={raw}", f"tokens/{t}.xml", "requests.json?start_date=2022-01-01T00:00:00Z&end_date=2022-05-08T00:00:00Z", "requests.html", "services/nope.xml"]:
        r = c.get("/open311/v2/" + url, HTTP_ACCEPT_LANGUAGE="en")
        print(url, r.status_code, r.headers["Content-Type"], r.content.decode()[:1500])
    r = c.post("/open311/v2/requests.xml", {"api_key": raw, "service_code": "factory-lease", "description": "x"})
    print(r.status_code, r.content.decode())
