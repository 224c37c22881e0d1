"""The service desk in the admin: an order's wording is all that can be corrected there; its state,
dates, deadlines, rating and escalation only change through the state machine. The timeline, the
ratings and the statistics cells are read-only."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.servicedesk.conftest import act, reach, snapshot
from zoneops.servicedesk.models import OrderDayStat, OrderEvent, OrderRating, ServiceOrder

pytestmark = pytest.mark.django_db


def fields_of(page: str) -> list[str]:
    """The names of the form's editable inputs (the admin's own hidden ones left out)."""
    names = re.findall(r'<(?:input|select|textarea)[^>]*name="([^"]+)"', page)
    admin_own = ("csrfmiddlewaretoken", "_save", "_continue", "_addanother")
    # A JSON field carries its initial value in a hidden "initial-<name>" input.
    return sorted({n for n in names if n not in admin_own and not n.startswith("initial-")})


def test_only_an_orders_wording_is_editable(page_as: Any) -> None:
    order = act(reach("confirmed"), "rate", rating=2)
    client = page_as("admin")
    url = f"/admin/servicedesk/serviceorder/{order.pk}/change/"
    page = client.get(url).content.decode()
    assert fields_of(page) == ["description", "extra", "problem", "title"]
    before = snapshot(order)
    response = client.post(
        url,
        {
            "title": "更正后的标题",
            "description": "更正后的说明",
            "extra": '{"area_m2": 8000.0}',
            "initial-extra": '{"area_m2": 8000.0}',
            "problem": "",
            # What the form no longer offers is ignored if posted.
            "status": "submitted",
            "rating": "5",
            "escalation_level": "0",
            "resolve_due": "2030-01-01",
            "answered_on": "",
            "department": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = ServiceOrder.objects.get(pk=order.pk)
    assert (saved.title, saved.description) == ("更正后的标题", "更正后的说明")
    row = before[0]
    after = snapshot(saved)[0]
    assert {k: v for k, v in after.items() if k not in ("title", "description")} == {
        k: v for k, v in row.items() if k not in ("title", "description")
    }


def test_orders_are_neither_added_nor_deleted_in_the_admin(page_as: Any) -> None:
    order = reach("submitted")
    client = page_as("admin")
    assert client.get("/admin/servicedesk/serviceorder/add/").status_code == 403
    response = client.post(f"/admin/servicedesk/serviceorder/{order.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert ServiceOrder.objects.filter(pk=order.pk).exists()


@pytest.mark.parametrize(
    ("model", "name"),
    [(OrderEvent, "orderevent"), (OrderRating, "orderrating"), (OrderDayStat, "orderdaystat")],
)
def test_the_timeline_the_ratings_and_the_cells_are_read_only(page_as: Any, model: Any, name: str) -> None:
    order = act(reach("confirmed"), "rate", rating=1, note="差")
    row = model.objects.filter(order=order).first() if model is not OrderDayStat else model.objects.first()
    assert row is not None
    client = page_as("admin")
    base = f"/admin/servicedesk/{name}/"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}add/").status_code == 403
    view = client.get(f"{base}{row.pk}/change/")
    assert view.status_code == 200  # readable…
    assert fields_of(view.content.decode()) == []  # …with nothing to edit
    count = model.objects.count()
    assert client.post(f"{base}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"{base}{row.pk}/change/", {"note": "改写", "rating": "5"}).status_code == 403
    assert model.objects.count() == count
    fresh = model.objects.get(pk=row.pk)
    assert [getattr(fresh, f.attname) for f in model._meta.concrete_fields] == [
        getattr(row, f.attname) for f in model._meta.concrete_fields
    ]
