from typing import Any
import urllib.request
import pytest
from zoneops.accounts.models import Zone


def test_a(live_server: Any) -> None:
    assert Zone.objects.count() == 1
    with urllib.request.urlopen(live_server.url + "/open311/v2/services.json") as r:
        print(r.status, r.read()[:200])


@pytest.mark.django_db(transaction=True)
def test_b() -> None:
    assert Zone.objects.count() == 1
