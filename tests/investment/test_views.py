"""Pages of the investment pipeline for every role: the board and its filters, the lead page with the
stages it may move to, the forms' messages, documents, the funnel dashboard and its Excel, gap coverage,
and the chain map's link to it."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import ROLES
from tests.investment.conftest import PrinterGap, typed_lead
from zoneops.accounts.models import User
from zoneops.core.models import AuditEvent
from zoneops.investment import services
from zoneops.investment.models import Lead, LeadContact, LeadDocument, LeadEvent

pytestmark = pytest.mark.django_db

VIEWERS = ("admin", "leader", "supervisor", "invest")
EDITORS = ("admin", "invest")
STAGES = [
    "lead",
    "contacted",
    "site_visit",
    "negotiating",
    "signed",
    "registered",
    "construction",
    "operating",
    "on_hold",
    "lost",
]
PDF = b"%PDF-1.4\n% agreement\n"


@pytest.fixture
def page_lead(gap: PrinterGap, settings: Any, tmp_path: Any) -> Lead:
    settings.MEDIA_ROOT = tmp_path
    lead = typed_lead(
        gap.invest,
        gap.zone,
        "页面测试精密有限公司",
        node_ids=[gap.print_head.pk],
        intended_investment="80000000",
    )
    services.lead_transition(actor=gap.invest, lead=lead, to="contacted")
    services.document_add(actor=gap.invest, lead=lead, name="意向书.pdf", content=PDF)
    return Lead.objects.get(pk=lead.pk)


def _written() -> tuple[int, ...]:
    return (
        Lead.objects.count(),
        LeadEvent.objects.count(),
        LeadContact.objects.count(),
        LeadDocument.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("username", ROLES)
def test_pages_by_role(page_en: Any, page_lead: Lead, username: str) -> None:
    client = page_en(username)
    viewer, editor = username in VIEWERS, username in EDITORS
    document = page_lead.documents.get()
    expected = {
        "/pipeline/": 200 if viewer else 403,
        "/pipeline/new/": 200 if editor else 403,
        "/pipeline/funnel/?year=2022": 200 if viewer else 403,
        "/pipeline/funnel/?year=2022&format=xlsx": 200 if viewer else 403,
        "/pipeline/gaps/": 200 if viewer else 403,
        f"/pipeline/gaps/?chain={page_lead.chain_id}": 200 if viewer else 403,
        f"/pipeline/leads/{page_lead.pk}/": 200 if viewer else 404,
        f"/pipeline/documents/{document.pk}/": 200 if viewer else 404,
    }
    for url, status in expected.items():
        assert client.get(url).status_code == status, url
    before = _written()
    posts = {
        f"/pipeline/leads/{page_lead.pk}/move/": {"to": "site_visit"},
        f"/pipeline/leads/{page_lead.pk}/edit/": {"next_action": "回访"},
        f"/pipeline/leads/{page_lead.pk}/contacts/": {"name": "王经理"},
        f"/pipeline/leads/{page_lead.pk}/documents/": {"file": SimpleUploadedFile("b.pdf", PDF)},
        "/pipeline/new/": {"company_name": "页面新建有限公司", "source": "research"},
    }
    for url, data in posts.items():
        response = client.post(url, data)
        if editor:
            assert response.status_code == 302, url
        else:
            assert response.status_code == (403 if viewer or url == "/pipeline/new/" else 404), url
    if not editor:
        assert _written() == before


def test_anonymous_is_sent_to_login(page_as: Any, page_lead: Lead) -> None:
    for url in ("/pipeline/", "/pipeline/funnel/", "/pipeline/gaps/", f"/pipeline/leads/{page_lead.pk}/"):
        response = page_as(None).get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def _columns(html: str) -> list[tuple[str, int, int]]:
    """(stage, count in the badge, cards shown) for each column of the board."""
    found = []
    for match in re.finditer(
        r'data-testid="stage-(\w+)"><h2>[^<]*<span class="badge">(\d+)</span></h2>\s*<ul>(.*?)</ul>',
        html,
        re.S,
    ):
        found.append((match.group(1), int(match.group(2)), match.group(3).count('class="board-card"')))
    return found


def test_the_board_has_a_column_per_stage_and_filters(page_en: Any, gap: PrinterGap) -> None:
    client = page_en("leader")
    html = client.get("/pipeline/").content.decode()
    columns = _columns(html)
    counts = Counter(Lead.objects.values_list("stage", flat=True))
    assert [(stage, count) for stage, count, _shown in columns] == [(s, counts.get(s, 0)) for s in STAGES]
    assert all(shown == min(count, 40) for _stage, count, shown in columns)
    assert 'data-testid="new-lead"' not in html
    assert 'data-testid="attention"' in html
    assert 'data-testid="new-lead"' in page_en("invest").get("/pipeline/").content.decode()

    by_chain = _columns(client.get("/pipeline/", {"chain": gap.chain.pk}).content.decode())
    in_chain = Counter(Lead.objects.filter(chain=gap.chain).values_list("stage", flat=True))
    assert [(s, n) for s, n, _shown in by_chain] == [(s, in_chain.get(s, 0)) for s in STAGES]
    assert sum(n for _s, n, _shown in by_chain) == 61
    referred = _columns(client.get("/pipeline/", {"source": "chain_master"}).content.decode())
    assert sum(n for _s, n, _shown in referred) == 22
    assert gap.chain.cluster_id is not None
    by_cluster = _columns(client.get("/pipeline/", {"cluster": gap.chain.cluster_id}).content.decode())
    assert by_cluster == by_chain
    nobody = _columns(client.get("/pipeline/", {"officer": gap.admin.pk}).content.decode())
    assert sum(n for _s, n, _shown in nobody) == 0
    one = Lead.objects.filter(stage="lost").order_by("pk").first()
    assert one is not None
    searched = client.get("/pipeline/", {"search": one.company_name}).content.decode()
    assert [(s, n) for s, n, _shown in _columns(searched) if n] == [("lost", 1)]
    assert one.company_name in searched


def test_the_lead_page_offers_exactly_the_allowed_stages(page_en: Any, page_lead: Lead) -> None:
    html = page_en("invest").get(f"/pipeline/leads/{page_lead.pk}/").content.decode()
    select = re.search(r'<select id="m-to" name="to" required>(.*?)</select>', html, re.S)
    assert select is not None
    options = re.findall(r'<option value="(\w+)">([^<]*)</option>', select.group(1))
    assert options == [
        ("lead", "lead (with a reason)"),
        ("site_visit", "site visit"),
        ("negotiating", "negotiating"),
        ("signed", "signed"),
        ("lost", "lost (with a reason)"),
        ("on_hold", "on hold (with a reason)"),
    ]
    assert 'data-testid="lead-stage">contacted<' in html
    assert "意向书.pdf" in html
    timeline = re.search(r'data-testid="timeline">(.*?)</ol>', html, re.S)
    assert timeline is not None
    assert re.findall(r'data-action="(\w+)"', timeline.group(1)) == ["create", "transition", "document"]
    assert "lead → <strong>contacted</strong>" in timeline.group(1)
    leader = page_en("leader").get(f"/pipeline/leads/{page_lead.pk}/").content.decode()
    assert 'data-testid="move"' not in leader
    assert "/contacts/" not in leader
    assert 'data-testid="lead-stage">contacted<' in leader


def test_a_signed_lead_offers_registration_or_loss(page_en: Any, gap: PrinterGap, page_lead: Lead) -> None:
    client = page_en("invest")
    page = client.post(
        f"/pipeline/leads/{page_lead.pk}/move/",
        {"to": "signed", "signed_on": "2022-05-06", "signed_amount": "15,000.5"},
        follow=True,
    )
    html = page.content.decode()
    assert "Moved to signed." in html
    lead = Lead.objects.get(pk=page_lead.pk)
    assert (lead.stage, lead.signed_amount) == ("signed", Decimal("150005000.00"))
    assert 'data-testid="key-project"' in html
    assert f"/projects/{lead.key_project_id}/" in html
    select = re.search(r'<select id="m-to" name="to" required>(.*?)</select>', html, re.S)
    assert select is not None
    assert re.findall(r'<option value="(\w+)"', select.group(1)) == ["registered", "lost"]


def test_move_messages(page_en: Any, page_lead: Lead) -> None:
    client = page_en("invest")
    url = f"/pipeline/leads/{page_lead.pk}/move/"
    before = _written()
    cases = {
        "lead": "Say why (going back, losing or holding a lead needs a reason).",
        "registered": "A lead that is contacted cannot move to registered.",
        "won": "Choose one of: lead, contacted, site_visit, negotiating, signed, registered, construction, "
        "operating, lost, on_hold.",
    }
    for to, message in cases.items():
        html = client.post(url, {"to": to}, follow=True).content.decode()
        assert f'<li class="error">{message}</li>' in html, to
    html = client.post(url, {"to": "signed", "signed_on": "2022-06-01", "signed_amount": "-3"}, follow=True)
    assert (
        '<li class="error">Enter a number of at least 0.; The agreement cannot be signed in the future.</li>'
        in html.content.decode()
    )
    assert _written() == before
    assert Lead.objects.get(pk=page_lead.pk).stage == "contacted"
    done = client.post(url, {"to": "lost", "reason": "企业决定在长三角落地。"}, follow=True).content.decode()
    assert '<li class="success">Moved to lost.</li>' in done
    assert "企业决定在长三角落地。" in done
    lead = Lead.objects.get(pk=page_lead.pk)
    assert (lead.stage, lead.closed_reason) == ("lost", "企业决定在长三角落地。")


def test_registering_with_the_form(page_en: Any, gap: PrinterGap, page_lead: Lead) -> None:
    from tests.investment.conftest import new_uscc

    client = page_en("invest")
    url = f"/pipeline/leads/{page_lead.pk}/move/"
    client.post(url, {"to": "signed", "signed_on": "2022-05-06", "signed_amount": "1000"})
    bad = client.post(
        url,
        {"to": "registered", "enterprise_name": "威海页面注册有限公司", "enterprise_uscc": "91371000MA"},
        follow=True,
    ).content.decode()
    assert "A unified social credit code has 18 characters; this one has 10." in bad
    assert Lead.objects.get(pk=page_lead.pk).stage == "signed"
    code = new_uscc(4)
    done = client.post(
        url,
        {"to": "registered", "enterprise_name": "威海页面注册有限公司", "enterprise_uscc": code},
        follow=True,
    ).content.decode()
    assert "Moved to registered." in done
    lead = Lead.objects.get(pk=page_lead.pk)
    assert lead.enterprise is not None
    assert lead.enterprise.uscc == code
    assert f"/enterprises/{lead.enterprise_id}/" in done


def test_edit_contact_and_document_messages(page_en: Any, page_lead: Lead) -> None:
    client = page_en("invest")
    base = f"/pipeline/leads/{page_lead.pk}"
    before = _written()
    bad_edit = client.post(f"{base}/edit/", {"next_action_on": "next week"})
    assert bad_edit.status_code == 422
    assert "<li>Next action on: Enter a valid date (YYYY-MM-DD).</li>" in bad_edit.content.decode()
    bad_contact = client.post(f"{base}/contacts/", {"name": " ", "email": "x"}, follow=True).content.decode()
    assert '<li class="error">This field is required.; Enter a valid e-mail address.</li>' in bad_contact
    no_file = client.post(f"{base}/documents/", {}, follow=True).content.decode()
    assert '<li class="error">Choose a file.</li>' in no_file
    bad_file = client.post(
        f"{base}/documents/", {"file": SimpleUploadedFile("a.pdf", b"<script>")}, follow=True
    ).content.decode()
    assert (
        '<li class="error">Attach a PDF, an image (JPEG, PNG, WebP) or an Office document.</li>' in bad_file
    )
    assert _written() == before

    edited = client.post(
        f"{base}/edit/", {"next_action": "安排实地考察", "next_action_on": "2022-05-20"}, follow=True
    ).content.decode()
    assert '<li class="success">Saved.</li>' in edited
    lead = Lead.objects.get(pk=page_lead.pk)
    assert (lead.next_action, str(lead.next_action_on)) == ("安排实地考察", "2022-05-20")
    added = client.post(
        f"{base}/contacts/", {"name": "张总", "title": "副总经理", "phone": "0631-1234567"}, follow=True
    ).content.decode()
    assert '<li class="success">Contact added.</li>' in added
    assert "张总 · 副总经理 · 0631-1234567" in added
    attached = client.post(
        f"{base}/documents/", {"file": SimpleUploadedFile("合作协议.pdf", PDF)}, follow=True
    ).content.decode()
    assert '<li class="success">File attached.</li>' in attached
    assert "合作协议.pdf" in attached
    assert page_lead.documents.count() == 2


def test_documents_are_served_only_to_pipeline_readers(page_en: Any, page_lead: Lead) -> None:
    document = page_lead.documents.get()
    url = f"/pipeline/documents/{document.pk}/"
    for username in ("invest", "leader"):
        response = page_en(username).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        assert b"".join(response.streaming_content) == PDF
    for username in ("projects", "stats", "hp", "weigao"):
        assert page_en(username).get(url).status_code == 404
    assert page_en("invest").get("/pipeline/documents/999999/").status_code == 404


def test_a_new_lead_from_the_form(page_en: Any, gap: PrinterGap) -> None:
    client = page_en("invest")
    assembly = gap.chain.nodes.get(code="assembly")
    # The other nodes whose id contains the chosen one's digits must not come back selected.
    chosen = max(gap.chain.nodes.values_list("pk", flat=True), key=lambda pk: (len(str(pk)), pk))
    before = _written()
    bad = client.post(
        "/pipeline/new/",
        {
            "company_name": "",
            "source": "",
            "node_ids": [str(chosen)],
            "intended_investment": "abc",
            "leader_id": str(gap.leader.pk),
        },
    )
    assert bad.status_code == 422
    html = bad.content.decode()
    assert 'data-testid="form-errors"' in html
    assert "This field is required." in html
    assert "Choose one of: chain_master, exhibition, agency, research, own_approach." in html
    assert "Enter a number." in html
    assert re.findall(r'<option value="(\d+)" selected>', html) == [str(chosen), str(gap.leader.pk)]
    assert _written() == before

    created = client.post(
        "/pipeline/new/",
        {
            "company_name": "表单新建精工有限公司",
            "source": "chain_master",
            "referred_by_id": str(gap.hp.pk),
            "node_ids": [str(gap.print_head.pk), str(assembly.pk)],
            "intended_investment": "5,000",
            "intended_output": "1.5",
            "team": "招商一组",
            "leader_id": str(gap.leader.pk),
            "next_action": "电话回访",
            "next_action_on": "2022-05-15",
        },
        follow=True,
    )
    lead = Lead.objects.get(company_name="表单新建精工有限公司")
    assert created.redirect_chain == [(f"/pipeline/leads/{lead.pk}/", 302)]
    assert '<li class="success">Lead 表单新建精工有限公司 opened.</li>' in created.content.decode()
    assert (lead.intended_investment, lead.intended_output, lead.referred_by_id, lead.leader_id) == (
        Decimal("50000000.00"),
        Decimal("15000.00"),
        gap.hp.pk,
        gap.leader.pk,
    )
    assert sorted(lead.nodes.values_list("pk", flat=True)) == sorted([gap.print_head.pk, assembly.pk])
    assert (lead.officer_id, lead.chain_id, lead.stage) == (gap.invest.pk, gap.chain.pk, "lead")


def test_the_funnel_dashboard(page_en: Any) -> None:
    client = page_en("leader")
    html = client.get("/pipeline/funnel/", {"year": 2022}).content.decode()
    assert "Pipeline funnel 2022" in html
    assert 'data-testid="funnel-opened">32<' in html
    assert 'data-testid="signed-amount">42.0<' in html
    assert "35.0 %" in html
    assert "22 → 22 → 0" in html
    assert (
        'data-testid="signed-rates">100.0 % of them started, 0.0 % of those in operation · leads of every year<'
        in html
    )
    table = re.search(r'data-testid="funnel-table">(.*?)</table>', html, re.S)
    assert table is not None
    rows = re.findall(
        r'<tr><th scope="row">([^<]*)</th><td class="num">(\d+)</td><td class="num">([^<]*)</td>'
        r'<td class="num">([^<]*)</td></tr>',
        table.group(1),
    )
    assert rows == [
        ("lead", "32", "40.6", "29.0"),
        ("contacted", "13", "7.7", "13.0"),
        ("site visit", "1", "0.0", "—"),
        ("negotiating", "0", "—", "—"),
        ("signed", "0", "—", "—"),
        ("registered", "0", "—", "—"),
        ("construction started", "0", "—", "—"),
        ("in operation", "0", "—", "—"),
    ]
    data = re.search(r'<script type="application/json" id="funnel-data">(.*?)</script>', html, re.S)
    assert data is not None
    chart = json.loads(data.group(1))
    assert chart["reached"] == [32, 13, 1, 0, 0, 0, 0, 0]
    assert chart["months"] == ["2022-01", "2022-02", "2022-03", "2022-04"]
    assert chart["entered"]["lead"] == [7, 10, 10, 5]
    referrals = re.search(r'data-testid="referrals">(.*?)</table>', html, re.S)
    assert referrals is not None
    assert "惠普打印机（威海）有限公司" in referrals.group(1)
    assert 'id="funnel-chart"' in html
    assert 'id="month-chart"' in html
    empty = client.get("/pipeline/funnel/", {"year": 2030}).content.decode()
    assert 'data-testid="funnel-opened">0<' in empty
    assert "Pipeline funnel 2022" in client.get("/pipeline/funnel/", {"year": "1999"}).content.decode()

    export = client.get("/pipeline/funnel/", {"year": 2022, "format": "xlsx"})
    assert export["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert export["Content-Disposition"] == 'attachment; filename="pipeline-2022.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(export.content))
    assert book.sheetnames[0] == "Funnel"
    assert list(book["Funnel"].iter_rows(values_only=True))[1][:4] == ("All", "All", 32, 13)
    # A past month's report, from the form on the page; a bad month is named on the page.
    assert '<input id="r-month" type="month" name="month" max="2022-05" required>' in html
    march = client.get("/pipeline/funnel/", {"year": 2022, "format": "xlsx", "month": "2022-03"})
    assert march["Content-Disposition"] == 'attachment; filename="pipeline-2022-03.xlsx"'
    march_book = openpyxl.load_workbook(io.BytesIO(march.content))
    assert list(march_book["Funnel"].iter_rows(values_only=True))[1][:4] == ("All", "All", 27, 5)
    refused = client.get(
        "/pipeline/funnel/", {"year": 2022, "format": "xlsx", "month": "2022-07"}, follow=True
    )
    assert refused.redirect_chain == [("/pipeline/funnel/?year=2022", 302)]
    assert '<li class="error">Choose a month that has begun.</li>' in refused.content.decode()


def test_the_gaps_page_with_a_chain_filter(page_en: Any, gap: PrinterGap) -> None:
    client = page_en("leader")
    html = client.get("/pipeline/gaps/").content.decode()
    assert 'data-testid="uncovered-count">2 gaps nobody works on.<' in html
    flags = re.findall(r'data-uncovered="(true|false)"', html)
    assert len(flags) == 18
    assert flags == sorted(flags, key=lambda f: f != "true")
    assert html.count("nobody works on it") == 2
    printer = client.get("/pipeline/gaps/", {"chain": gap.chain.pk}).content.decode()
    assert f"Gap coverage · {gap.chain.name}" in printer
    assert f'href="/chains/{gap.chain.pk}/"' in printer
    assert 'data-testid="uncovered-count">0 gaps nobody works on.<' in printer
    rows = re.findall(r"<tr data-uncovered=\"\w+\"><td>([^<]*)</td>", printer)
    assert rows
    assert set(rows) == {gap.chain.name}
    assert "打印头" in printer
    medical = [
        c
        for c in re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', html)
        if c[1] == "医疗器械产业链"
    ]
    assert len(medical) == 1
    one = client.get("/pipeline/gaps/", {"chain": medical[0][0]}).content.decode()
    assert 'data-testid="uncovered-count">1 gap nobody works on.<' in one


def test_the_chain_map_links_to_gap_coverage_for_who_sees_leads(page_en: Any, gap: PrinterGap) -> None:
    link = f'href="/pipeline/gaps/?chain={gap.chain.pk}" data-testid="gap-coverage-link"'
    for username in ("invest", "leader", "admin", "supervisor"):
        assert link in page_en(username).get(f"/chains/{gap.chain.pk}/").content.decode(), username
    for username in ("stats", "projects"):
        html = page_en(username).get(f"/chains/{gap.chain.pk}/").content.decode()
        assert 'data-testid="gap-coverage-link"' not in html, username


# --- the lead page's edit form ------------------------------------------------------------------------


def _edit_form(html: str) -> str:
    form = re.search(r'<form method="post" action="/pipeline/leads/\d+/edit/"[^>]*>(.*?)</form>', html, re.S)
    assert form is not None
    return form.group(1)


def _options(form: str, name: str) -> list[tuple[str, bool]]:
    select = re.search(rf'<select id="[\w-]+" name="{name}"[^>]*>(.*?)</select>', form, re.S)
    assert select is not None
    return [(v, bool(sel)) for v, sel in re.findall(r'<option value="(\d*)"( selected)?>', select.group(1))]


@pytest.mark.parametrize("username", ROLES)
def test_the_edit_form_by_role(page_en: Any, page_lead: Lead, username: str) -> None:
    client = page_en(username)
    page = client.get(f"/pipeline/leads/{page_lead.pk}/")
    before = _written()
    posted = client.post(
        f"/pipeline/leads/{page_lead.pk}/edit/",
        {"company_name": "改名有限公司", "source": "research", "team": "招商二组", "nodes_sent": "1"},
    )
    if username in EDITORS:
        assert (page.status_code, posted.status_code) == (200, 302)
        assert 'data-testid="edit-form"' in page.content.decode()
        assert Lead.objects.get(pk=page_lead.pk).company_name == "改名有限公司"
    elif username in VIEWERS:  # leaders and supervisors read, never edit
        assert (page.status_code, posted.status_code) == (200, 403)
        assert 'data-testid="edit"' not in page.content.decode()
        assert "/edit/" not in page.content.decode()
        assert _written() == before
    else:
        assert (page.status_code, posted.status_code) == (404, 404)
        assert _written() == before
    if username not in EDITORS:
        stored = Lead.objects.get(pk=page_lead.pk)
        assert (stored.company_name, stored.team) == ("页面测试精密有限公司", "")


def test_the_edit_form_shows_the_lead_and_offers_its_people(
    page_en: Any, gap: PrinterGap, page_lead: Lead
) -> None:
    services.lead_update(
        actor=gap.invest,
        lead=page_lead,
        values={"leader_id": gap.leader.pk, "intended_output": "123456.78", "next_action_on": "2022-05-20"},
    )
    form = _edit_form(page_en("invest").get(f"/pipeline/leads/{page_lead.pk}/").content.decode())
    assert 'name="company_name" maxlength="200" required value="页面测试精密有限公司"' in form
    assert 'name="intended_investment" inputmode="decimal" value="8000"' in form  # 80,000,000 yuan
    assert 'name="intended_output" inputmode="decimal" value="12.345678"' in form
    assert 'type="date" name="next_action_on" value="2022-05-20"' in form
    # Officers: who may edit leads (the bureau's one officer and the administrator); leaders: the zone's.
    assert _options(form, "officer_id") == [(str(gap.admin.pk), False), (str(gap.invest.pk), True)]
    assert _options(form, "leader_id") == [("", False), (str(gap.leader.pk), True)]
    assert (str(gap.print_head.pk), True) in _options(form, "node_ids")
    # A lead the administrator works shows them chosen.
    mine = typed_lead(gap.admin, gap.zone, "管理员线索有限公司")
    admin_form = _edit_form(page_en("admin").get(f"/pipeline/leads/{mine.pk}/").content.decode())
    assert _options(admin_form, "officer_id") == [(str(gap.admin.pk), True), (str(gap.invest.pk), False)]


def test_the_edit_form_saves_a_lead_whose_officer_and_leader_were_deactivated(
    page_en: Any, gap: PrinterGap
) -> None:
    lead = typed_lead(gap.admin, gap.zone, "停用负责人页面有限公司", leader_id=gap.leader.pk)
    User.objects.filter(pk__in=[gap.admin.pk, gap.leader.pk]).update(is_active=False)
    client = page_en("invest")
    form = _edit_form(client.get(f"/pipeline/leads/{lead.pk}/").content.decode())
    # Still shown as the lead's, so the form posts them back unchanged.
    assert _options(form, "officer_id") == [(str(gap.invest.pk), False), (str(gap.admin.pk), True)]
    assert _options(form, "leader_id") == [("", False), (str(gap.leader.pk), True)]
    posted = client.post(
        f"/pipeline/leads/{lead.pk}/edit/",
        {
            "company_name": "停用负责人页面有限公司",
            "source": "research",
            "officer_id": str(gap.admin.pk),
            "leader_id": str(gap.leader.pk),
            "next_action": "电话回访",
        },
    )
    assert posted.status_code == 302
    stored = Lead.objects.get(pk=lead.pk)
    assert (stored.officer_id, stored.leader_id, stored.next_action) == (
        gap.admin.pk,
        gap.leader.pk,
        "电话回访",
    )
    # Handing another lead to the deactivated officer is refused at the field.
    other = typed_lead(gap.invest, gap.zone, "改派停用页面有限公司")
    refused = client.post(
        f"/pipeline/leads/{other.pk}/edit/",
        {"company_name": "改派停用页面有限公司", "source": "research", "officer_id": str(gap.admin.pk)},
    )
    assert refused.status_code == 422
    assert "<li>Officer: No user with this id in the zone.</li>" in refused.content.decode()
    assert Lead.objects.get(pk=other.pk).officer_id == gap.invest.pk


def test_the_edit_form_saves_every_field(page_en: Any, gap: PrinterGap, page_lead: Lead) -> None:
    assembly = gap.chain.nodes.get(code="assembly")
    Lead.objects.filter(pk=page_lead.pk).update(officer=gap.admin)  # handed to the bureau's officer below
    response = page_en("invest").post(
        f"/pipeline/leads/{page_lead.pk}/edit/",
        {
            "nodes_sent": "1",
            "company_name": "页面编辑精工有限公司",
            "source": "chain_master",
            "referred_by_id": str(gap.hp.pk),
            "node_ids": [str(assembly.pk)],
            "intended_investment": "12,345,678.91",  # 10k yuan: no float could hold it to the cent
            "intended_output": "0.1",
            "officer_id": str(gap.invest.pk),
            "team": "驻上海招商组",
            "leader_id": str(gap.leader.pk),
            "next_action": "寄送合作协议草案",
            "next_action_on": "2022-05-31",
            "notes": "对方关注用地指标。",
        },
        follow=True,
    )
    assert response.redirect_chain == [(f"/pipeline/leads/{page_lead.pk}/", 302)]
    assert '<li class="success">Saved.</li>' in response.content.decode()
    lead = Lead.objects.get(pk=page_lead.pk)
    assert (
        lead.company_name,
        lead.source,
        lead.referred_by_id,
        list(lead.nodes.values_list("pk", flat=True)),
        lead.intended_investment,
        lead.intended_output,
        lead.officer_id,
        lead.team,
        lead.leader_id,
        lead.next_action,
        str(lead.next_action_on),
        lead.notes,
    ) == (
        "页面编辑精工有限公司",
        "chain_master",
        gap.hp.pk,
        [assembly.pk],
        Decimal("123456789100.00"),
        Decimal("1000.00"),
        gap.invest.pk,
        "驻上海招商组",
        gap.leader.pk,
        "寄送合作协议草案",
        "2022-05-31",
        "对方关注用地指标。",
    )
    event = LeadEvent.objects.filter(lead=lead, action="update").get()
    assert event.actor == gap.invest
    # Choosing no node clears them.
    page_en("invest").post(
        f"/pipeline/leads/{page_lead.pk}/edit/", {"nodes_sent": "1", "company_name": "页面编辑精工有限公司"}
    )
    assert not Lead.objects.get(pk=page_lead.pk).nodes.exists()


def test_the_edit_form_names_each_bad_field_and_keeps_what_was_typed(
    page_en: Any, gap: PrinterGap, page_lead: Lead
) -> None:
    before = (_written(), Lead.objects.filter(pk=page_lead.pk).values().get())
    response = page_en("invest").post(
        f"/pipeline/leads/{page_lead.pk}/edit/",
        {
            "nodes_sent": "1",
            "company_name": "",
            "source": "research",
            "intended_investment": "三千万",
            "intended_output": "-5",
            "officer_id": str(gap.leader.pk),
            "next_action": "回访",
            "next_action_on": "2022-02-30",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    summary = re.search(r'data-testid="form-errors">(.*?)</div>', html, re.S)
    assert summary is not None
    assert re.findall(r"<li>([^<]*)</li>", summary.group(1)) == [
        "Company: This field is required.",
        "Intended investment (10k yuan): Enter a number.",
        "Intended annual output (10k yuan): Enter a number of at least 0.",
        "Next action on: Enter a valid date (YYYY-MM-DD).",
        "Officer: The officer must work in investment promotion.",
    ]
    form = _edit_form(html)
    assert 'name="intended_investment" inputmode="decimal" value="三千万"' in form
    assert 'name="next_action" maxlength="300" value="回访"' in form
    assert '<p class="error" role="alert">Enter a number.</p>' in form
    assert (_written(), Lead.objects.filter(pk=page_lead.pk).values().get()) == before
    # An amount too large for a Decimal's context is named the same way, not a server error.
    huge = page_en("invest").post(
        f"/pipeline/leads/{page_lead.pk}/edit/", {"intended_investment": "1e999999999"}
    )
    assert huge.status_code == 422
    assert "Intended investment (10k yuan): " in huge.content.decode()


def test_the_new_lead_form_offers_the_officers(page_en: Any, gap: PrinterGap) -> None:
    def officers(username: str) -> list[tuple[str, str]]:
        html = page_en(username).get("/pipeline/new/").content.decode()
        select = re.search(r'<select id="f-officer" name="officer_id">(.*?)</select>', html, re.S)
        assert select is not None
        return re.findall(r'<option value="(\d+)"( selected)?>', select.group(1))

    # Who may edit leads, the acting user chosen: an administrator opening a lead may hand it to the bureau.
    assert officers("invest") == [(str(gap.admin.pk), ""), (str(gap.invest.pk), " selected")]
    assert officers("admin") == [(str(gap.admin.pk), " selected"), (str(gap.invest.pk), "")]
    page_en("admin").post(
        "/pipeline/new/",
        {"company_name": "指派新建有限公司", "source": "research", "officer_id": str(gap.invest.pk)},
    )
    assert Lead.objects.get(company_name="指派新建有限公司").officer_id == gap.invest.pk
    refused = page_en("invest").post(
        "/pipeline/new/",
        {"company_name": "指派领导有限公司", "source": "research", "officer_id": str(gap.leader.pk)},
    )
    assert refused.status_code == 422
    assert "<li>Officer: The officer must work in investment promotion.</li>" in refused.content.decode()
    assert not Lead.objects.filter(company_name="指派领导有限公司").exists()
