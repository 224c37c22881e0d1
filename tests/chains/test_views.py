"""Pages of chain investment for every role."""

from __future__ import annotations

from typing import Any

import pytest

from tests.chains.conftest import Printer
from tests.conftest import ROLES
from zoneops.investment.models import Lead

pytestmark = pytest.mark.django_db

STAFF = {"admin", "leader", "supervisor", "invest", "projects", "stats"}


def _pages(p: Printer) -> list[str]:
    return [
        "/chains/",
        f"/chains/clusters/{p.chain.cluster_id}/",
        f"/chains/{p.chain.pk}/",
        f"/chains/nodes/{p.print_head.pk}/panel/",
        "/chains/opportunities/",
        f"/chains/{p.chain.pk}/export/",
    ]


@pytest.mark.parametrize("username", ROLES)
def test_pages_by_role(page_as: Any, printer: Printer, username: str) -> None:
    client = page_as(username)
    for url in _pages(printer):
        status = client.get(url).status_code
        if username in STAFF:
            assert status == 200, url
        else:
            assert status in (403, 404), url


@pytest.mark.parametrize("username", ROLES)
def test_chain_master_page_by_role(page_as: Any, printer: Printer, username: str) -> None:
    response = page_as(username).get(f"/chains/masters/{printer.hp.pk}/", {"year": 2021})
    if username == "weigao":
        assert response.status_code == 404
        return
    assert response.status_code == 200
    html = response.content.decode()
    if username == "hp":
        assert 'data-testid="tax-over-10m"' not in html
    else:
        assert 'data-testid="tax-over-10m"' in html
        assert '<span class="figure">13</span>' in html


def test_anonymous_is_sent_to_login(page_as: Any, printer: Printer) -> None:
    for url in _pages(printer):
        response = page_as(None).get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_chain_page_shows_the_map_and_ranked_gaps(page_en: Any, printer: Printer) -> None:
    html = page_en("invest").get(f"/chains/{printer.chain.pk}/", {"year": 2021}).content.decode()
    assert 'data-testid="chain-map"' in html
    assert html.index(">打印头<") < html.index(">激光扫描单元<") < html.index(">硒鼓墨盒<")
    assert "Suggest enterprises for every node" in html
    assert (
        "Suggest enterprises for every node"
        not in page_en("leader").get(f"/chains/{printer.chain.pk}/").content.decode()
    )


def test_node_panel_starts_a_lead(page_en: Any, printer: Printer) -> None:
    client = page_en("invest")
    panel = client.get(f"/chains/nodes/{printer.print_head.pk}/panel/").content.decode()
    assert "Start a lead" in panel
    # The browser walk finds a candidate and its button by these attributes (tests/browser/test_loop.py).
    assert f'data-node="{printer.print_head.pk}" data-gap="missing"' in panel
    assert f'<li data-candidate="{printer.candidate.pk}">' in panel
    response = client.post(
        f"/chains/candidates/{printer.candidate.pk}/lead/", {"node_id": printer.print_head.pk}
    )
    assert response.status_code == 200
    assert Lead.objects.filter(candidate=printer.candidate).count() == 1
    assert "started for" in response.content.decode()
    lead = Lead.objects.get(candidate=printer.candidate)
    assert f'href="/pipeline/leads/{lead.pk}/" data-testid="candidate-lead"' in response.content.decode()
    refused = page_en("leader").post(
        f"/chains/candidates/{printer.candidate.pk}/lead/", {"node_id": printer.print_head.pk}
    )
    assert refused.status_code == 403
    assert Lead.objects.filter(candidate=printer.candidate).count() == 1


def test_node_form_errors_are_shown_and_nothing_saved(page_en: Any, printer: Printer) -> None:
    client = page_en("invest")
    count = printer.chain.nodes.count()
    response = client.post(
        f"/chains/{printer.chain.pk}/nodes/",
        {"code": "x", "name": "", "segment": "upstream", "industries": "3913", "importance": "3"},
        follow=True,
    )
    assert "name: This field is required." in response.content.decode()
    assert printer.chain.nodes.count() == count
    ok = client.post(
        f"/chains/{printer.chain.pk}/nodes/",
        {
            "code": "drums",
            "name": "感光鼓",
            "segment": "upstream",
            "industries": "2664，3913",
            "keywords": "感光鼓",
            "importance": "4",
        },
        follow=True,
    )
    assert "Node 感光鼓 saved." in ok.content.decode()
    node = printer.chain.nodes.get(code="drums")
    assert sorted(node.industries.values_list("code", flat=True)) == ["2664", "3913"]
