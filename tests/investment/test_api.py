"""The investment pipeline over the API: every endpoint for every role, the issue's acceptance script,
the demo zone's funnel and gap coverage (pinned, and cross-checked against the rows), the Excel report,
and bad input named field by field with nothing written."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import ROLES
from tests.investment.conftest import PrinterGap, new_uscc, rolled_back, typed_lead
from zoneops.core.models import AuditEvent
from zoneops.investment.models import Lead, LeadContact, LeadDocument, LeadEvent, PipelineSettings
from zoneops.projects.models import KeyProject

pytestmark = pytest.mark.django_db

EDITORS = ("admin", "invest")
READERS = ("leader", "supervisor")
OUTSIDERS = ("projects", "stats", "hp", "weigao")
ORDER = [
    "lead",
    "contacted",
    "site_visit",
    "negotiating",
    "signed",
    "registered",
    "construction",
    "operating",
]
PDF = b"%PDF-1.4\n% a letter of intent\n"


def expect(editor: int, reader: int, outsider: int) -> dict[str, int]:
    return {
        **dict.fromkeys(EDITORS, editor),
        **dict.fromkeys(READERS, reader),
        **dict.fromkeys(OUTSIDERS, outsider),
    }


@pytest.fixture
def target(gap: PrinterGap) -> Lead:
    return typed_lead(gap.invest, gap.zone, "接口测试精密有限公司", node_ids=[gap.print_head.pk])


Case = tuple[str, str, Callable[[Lead, PrinterGap], str], Callable[[Lead, PrinterGap], Any], dict[str, int]]
CASES: list[Case] = [
    ("leads", "get", lambda t, g: "/api/v1/leads", lambda t, g: None, expect(200, 200, 403)),
    (
        "create lead",
        "post",
        lambda t, g: "/api/v1/leads",
        lambda t, g: {
            "company_name": "角色测试有限公司",
            "source": "exhibition",
            "node_ids": [g.print_head.pk],
        },
        expect(201, 403, 403),
    ),
    ("attention", "get", lambda t, g: "/api/v1/leads/attention", lambda t, g: None, expect(200, 200, 403)),
    ("lead", "get", lambda t, g: f"/api/v1/leads/{t.pk}", lambda t, g: None, expect(200, 200, 404)),
    (
        "change lead",
        "patch",
        lambda t, g: f"/api/v1/leads/{t.pk}",
        lambda t, g: {"next_action": "寄送投资环境资料", "next_action_on": "2022-05-20"},
        expect(200, 403, 404),
    ),
    (
        "move lead",
        "post",
        lambda t, g: f"/api/v1/leads/{t.pk}/transition",
        lambda t, g: {"to": "contacted"},
        expect(200, 403, 404),
    ),
    (
        "add contact",
        "post",
        lambda t, g: f"/api/v1/leads/{t.pk}/contacts",
        lambda t, g: {"name": "王经理", "title": "投资总监"},
        expect(201, 403, 404),
    ),
    (
        "attach document",
        "upload",
        lambda t, g: f"/api/v1/leads/{t.pk}/documents",
        lambda t, g: {"file": SimpleUploadedFile("意向书.pdf", PDF)},
        expect(201, 403, 404),
    ),
    (
        "start lead from candidate",
        "post",
        lambda t, g: f"/api/v1/candidates/{g.candidate.pk}/lead",
        lambda t, g: {"node_id": g.print_head.pk},
        {**expect(201, 403, 403), "hp": 404, "weigao": 404},
    ),
    (
        "funnel",
        "get",
        lambda t, g: "/api/v1/pipeline/funnel?year=2022",
        lambda t, g: None,
        expect(200, 200, 403),
    ),
    (
        "gap coverage",
        "get",
        lambda t, g: f"/api/v1/pipeline/gap-coverage?chain_id={g.chain.pk}",
        lambda t, g: None,
        expect(200, 200, 403),
    ),
    (
        "value",
        "get",
        lambda t, g: "/api/v1/pipeline/value?year=2022",
        lambda t, g: None,
        expect(200, 200, 403),
    ),
    ("referrals", "get", lambda t, g: "/api/v1/pipeline/referrals", lambda t, g: None, expect(200, 200, 403)),
    (
        "report",
        "get",
        lambda t, g: "/api/v1/pipeline/report?year=2022",
        lambda t, g: None,
        expect(200, 200, 403),
    ),
    ("settings", "get", lambda t, g: "/api/v1/pipeline/settings", lambda t, g: None, expect(200, 200, 403)),
    (
        "change settings",
        "put",
        lambda t, g: "/api/v1/pipeline/settings",
        lambda t, g: {"stage_limits": {"lead": 45}},
        expect(200, 403, 403),
    ),
]


def _call(client: Any, method: str, path: str, body: Any) -> Any:
    if method == "get":
        return client.get(path)
    if method == "patch":
        return client.patch(path, body)
    if method == "put":
        return client.client.put(path, body, content_type="application/json", headers=client.headers)
    if method == "upload":
        return client.client.post(path, body, headers=client.headers)
    return client.post(path, body)


def _written() -> tuple[int, ...]:
    return (
        Lead.objects.count(),
        LeadEvent.objects.count(),
        LeadContact.objects.count(),
        LeadDocument.objects.count(),
        AuditEvent.objects.count(),
        KeyProject.objects.count(),
    )


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_every_endpoint_for_every_role(
    api_en: Any, gap: PrinterGap, target: Lead, case: Case, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    _name, method, path, body, statuses = case
    clients = {username: api_en(username) for username in ROLES}
    assert set(statuses) == set(ROLES)
    # Each role in its own savepoint, undone after: every role meets the same lead.
    for username in ROLES:
        with rolled_back():
            before = _written()
            response = _call(clients[username], method, path(target, gap), body(target, gap))
            assert response.status_code == statuses[username], (username, response.content)
            if response.status_code >= 400:
                assert _written() == before, username
                assert response.json()["detail"] in ("Your role may not do this.", "Not found."), username
            elif method != "get":
                assert _written() != before, username


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_anonymous_gets_401(gap: PrinterGap, target: Lead, case: Case) -> None:
    _name, method, path, _body, _statuses = case
    verb = "post" if method == "upload" else method
    response = getattr(Client(), verb)(path(target, gap))
    assert response.status_code == 401


# --- the acceptance script --------------------------------------------------------------------


def test_acceptance_from_a_gap_candidate_to_a_signed_key_project(api_en: Any, gap: PrinterGap) -> None:
    invest = api_en("invest")
    started = invest.post(f"/api/v1/candidates/{gap.candidate.pk}/lead", {"node_id": gap.print_head.pk})
    assert started.status_code == 201
    lead_id = started.json()["lead_id"]
    assert started.json()["stage"] == "lead"
    assert started.json()["node_ids"] == [gap.print_head.pk]
    url = f"/api/v1/leads/{lead_id}"

    for stage in ("contacted", "site_visit", "negotiating"):
        moved = invest.post(f"{url}/transition", {"to": stage})
        assert moved.status_code == 200, moved.content
        assert moved.json()["stage"] == stage

    # Going back a stage without a reason is refused, naming `reason`; nothing changes.
    before = (_written(), invest.get(url).json())
    back = invest.post(f"{url}/transition", {"to": "site_visit"})
    assert back.status_code == 422
    assert back.json()["errors"] == [
        {"field": "reason", "message": "Say why (going back, losing or holding a lead needs a reason)."}
    ]
    assert (_written(), invest.get(url).json()) == before

    signed = invest.post(
        f"{url}/transition", {"to": "signed", "signed_on": "2022-05-06", "signed_amount": "150000000"}
    )
    assert signed.status_code == 200, signed.content
    body = invest.get(url).json()
    assert body["stage"] == "signed"
    assert (body["signed_on"], Decimal(body["signed_amount"])) == ("2022-05-06", Decimal(150_000_000))
    assert [(e["action"], e["stage_from"], e["stage_to"], e["actor"]) for e in body["timeline"]] == [
        ("create", "", "lead", "invest"),
        ("transition", "lead", "contacted", "invest"),
        ("transition", "contacted", "site_visit", "invest"),
        ("transition", "site_visit", "negotiating", "invest"),
        ("transition", "negotiating", "signed", "invest"),
    ]
    assert body["next_stages"] == [
        {"stage": "registered", "reason_required": False},
        {"stage": "lost", "reason_required": True},
    ]
    assert body["key_project_id"] is not None
    project = api_en("leader").get(f"/api/v1/projects/{body['key_project_id']}")
    assert project.status_code == 200
    assert project.json()["name"] == f"{gap.candidate.name} project"
    assert project.json()["code"] == "ZS2022-001"
    assert Decimal(project.json()["total_investment"]) == Decimal(150_000_000)

    # Signed is not undone: a move back answers 409 and changes nothing.
    before = (_written(), invest.get(url).json())
    refused = invest.post(f"{url}/transition", {"to": "negotiating", "reason": "重新谈判"})
    assert refused.status_code == 409
    assert refused.json() == {"detail": "A lead that is signed cannot move to negotiating.", "errors": []}
    assert (_written(), invest.get(url).json()) == before


def test_registering_over_the_api(api_en: Any, gap: PrinterGap) -> None:
    invest = api_en("invest")
    lead = typed_lead(gap.invest, gap.zone, "接口注册科技有限公司", node_ids=[gap.print_head.pk])
    url = f"/api/v1/leads/{lead.pk}/transition"
    assert (
        invest.post(url, {"to": "signed", "signed_on": "2022-05-01", "signed_amount": "9"}).status_code == 200
    )
    before = _written()
    missing = invest.post(url, {"to": "registered", "enterprise": {"name": "威海接口注册科技有限公司"}})
    assert missing.status_code == 422
    assert missing.json()["errors"] == [{"field": "enterprise.uscc", "message": "This field is required."}]
    bad = invest.post(
        url,
        {
            "to": "registered",
            "enterprise": {"name": "威海接口注册科技有限公司", "uscc": "123456789012345670"},
        },
    )
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        {
            "field": "enterprise.uscc",
            "message": "The check character (18th) is wrong: 0 given, 8 expected.",
        }
    ]
    assert _written() == before
    code = new_uscc(3)
    done = invest.post(
        url, {"to": "registered", "enterprise": {"name": "威海接口注册科技有限公司", "uscc": code}}
    )
    assert done.status_code == 200, done.content
    assert done.json()["stage"] == "registered"
    enterprise_id = done.json()["enterprise_id"]
    assert api_en("leader").get(f"/api/v1/enterprises/{enterprise_id}").json()["uscc"] == code
    project = api_en("leader").get(f"/api/v1/projects/{done.json()['key_project_id']}").json()
    assert (project["owner_id"], project["owner"]) == (enterprise_id, "威海接口注册科技有限公司")


# --- the demo zone's figures --------------------------------------------------------------------------


def test_the_demo_funnel_of_2022(api_en: Any) -> None:
    body = api_en("leader").get("/api/v1/pipeline/funnel", year=2022).json()
    assert body["year"] == 2022
    assert body["stages"] == ORDER
    assert body["total"] == {
        "key": "all",
        "label": "All",
        "reached": [32, 13, 1, 0, 0, 0, 0, 0],
        "conversion": [40.6, 7.7, 0.0, None, None, None, None],
        "median_days": body["median_days"],
    }
    assert {k: v for k, v in body["median_days"].items() if v is not None} == {
        "lead": 29.0,
        "contacted": 13.0,
    }
    assert [(m["month"], {k: v for k, v in m["entered"].items() if v}) for m in body["by_month"]] == [
        ("2022-01", {"lead": 7}),
        ("2022-02", {"lead": 10, "contacted": 3}),
        ("2022-03", {"lead": 10, "contacted": 2, "site_visit": 1}),
        ("2022-04", {"lead": 5, "contacted": 8}),
    ]
    assert [(r["key"], r["reached"][:3]) for r in body["by_source"]] == [
        ("research", [9, 3, 0]),
        ("own_approach", [8, 1, 0]),
        ("exhibition", [6, 3, 1]),
        ("agency", [5, 4, 0]),
        ("chain_master", [4, 2, 0]),
    ]
    assert [(r["label"], r["reached"][:3]) for r in body["by_chain"]] == [
        ("打印机产业链", [14, 8, 0]),
        ("机器人与数控装备产业链", [6, 2, 0]),  # the Shanghai team's lead for a company worked already
        ("碳纤维及复合材料产业链", [6, 2, 1]),
        ("医疗器械产业链", [4, 1, 0]),
        ("疫苗与生物药产业链", [1, 0, 0]),
        ("纺织服装产业链", [1, 0, 0]),
    ]
    assert [(r["label"], r["reached"][:3]) for r in body["by_officer"]] == [("invest", [32, 13, 1])]
    assert [
        (r["key"], {k: v for k, v in r["median_days"].items() if v is not None}) for r in body["by_team"]
    ] == [
        ("驻上海招商组", {"lead": 36.5}),
        ("招商二组", {"lead": 51.0}),
        ("驻深圳招商组", {"lead": 15.0, "contacted": 13.0}),
        ("招商一组", {"lead": 22.0}),
    ]
    assert [(r["key"], r["reached"][:3]) for r in body["by_team"]] == [
        ("驻上海招商组", [10, 5, 0]),
        ("招商二组", [9, 2, 0]),
        ("驻深圳招商组", [8, 5, 1]),
        ("招商一组", [5, 1, 0]),
    ]
    assert {k: v for k, v in body["current"].items() if v} == {
        "lead": 17,
        "contacted": 12,
        "site_visit": 1,
        "lost": 2,
    }
    assert (body["lost"], body["on_hold"]) == (2, 0)


def test_the_demo_funnel_is_what_the_rows_say(api_en: Any) -> None:
    body = api_en("leader").get("/api/v1/pipeline/funnel", year=2022).json()
    opened = list(Lead.objects.filter(opened_on__year=2022).prefetch_related("events"))
    assert len(opened) == body["total"]["reached"][0]
    assert body["total"]["reached"] == [sum(1 for lead in opened if lead.furthest >= i) for i in range(8)]
    assert dict(Counter(lead.stage for lead in opened)) == {k: v for k, v in body["current"].items() if v}
    months: dict[str, Counter[str]] = defaultdict(Counter)
    stays: dict[str, list[int]] = defaultdict(list)
    for lead in opened:
        steps = sorted(
            (e for e in lead.events.all() if e.action in ("create", "transition")), key=lambda e: (e.at, e.pk)
        )
        for event in steps:
            if event.stage_to in ORDER:
                months[event.on.strftime("%Y-%m")][event.stage_to] += 1
        for here, there in itertools.pairwise(steps):
            stays[here.stage_to].append((there.on - here.on).days)
    assert [(m["month"], {k: v for k, v in m["entered"].items() if v}) for m in body["by_month"]] == [
        (month, dict(counts)) for month, counts in sorted(months.items())
    ]
    assert body["median_days"] == {
        stage: float(statistics.median(stays[stage])) if stays[stage] else None for stage in ORDER
    }
    by_source = Counter(lead.source for lead in opened)
    assert {r["key"]: r["reached"][0] for r in body["by_source"]} == dict(by_source)
    by_team = Counter(lead.team for lead in opened)
    assert {r["key"]: r["reached"][0] for r in body["by_team"]} == dict(by_team)
    by_officer = Counter(str(lead.officer_id) for lead in opened)
    assert {r["key"]: r["reached"][0] for r in body["by_officer"]} == dict(by_officer)
    # Each group's median days from the stays of its own leads.
    for group, key in (("by_team", "team"), ("by_officer", "officer_id"), ("by_source", "source")):
        group_stays: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for lead in opened:
            steps = sorted(
                (e for e in lead.events.all() if e.action in ("create", "transition")),
                key=lambda e: (e.at, e.pk),
            )
            for here, there in itertools.pairwise(steps):
                group_stays[str(getattr(lead, key))][here.stage_to].append((there.on - here.on).days)
        assert {r["key"]: r["median_days"] for r in body[group]} == {
            k: {s: float(statistics.median(v[s])) if v.get(s) else None for s in ORDER}
            for k, v in group_stays.items()
        } | {k: dict.fromkeys(ORDER) for k in {r["key"] for r in body[group]} - set(group_stays)}, group


def test_the_demo_gap_coverage(api_en: Any) -> None:
    rows = api_en("leader").get("/api/v1/pipeline/gap-coverage").json()
    assert len(rows) == 18
    assert Counter(r["gap"] for r in rows) == {"missing": 15, "weak": 3}
    uncovered = [(r["node"], r["gap"], [x["stage"] for x in r["leads"]]) for r in rows if r["uncovered"]]
    assert uncovered == [("医用电子部件", "missing", []), ("冷链物流", "missing", ["lost"])]
    assert rows[0]["uncovered"] is True
    assert rows[0]["leads"] == []
    # Cross-check every row against the leads on its node.
    for row in rows:
        on_node = list(
            Lead.objects.filter(nodes__pk=row["node_id"]).order_by("pk").values_list("pk", "stage")
        )
        assert [(x["id"], x["stage"]) for x in row["leads"]] == on_node
        assert row["uncovered"] == all(stage == "lost" for _pk, stage in on_node)
    printer = [r for r in rows if r["chain"] == "打印机产业链"]
    filtered = api_en("leader").get("/api/v1/pipeline/gap-coverage", chain_id=printer[0]["chain_id"]).json()
    assert filtered == printer


def test_the_demo_value_referrals_and_settings(api_en: Any) -> None:
    client = api_en("leader")
    value = client.get("/api/v1/pipeline/value", year=2022).json()
    assert {
        k: value[k]
        for k in (
            "year",
            "signed_count",
            "target_share",
            "signed",
            "started",
            "operating",
            "started_rate",
            "operating_rate",
        )
    } == {
        "year": 2022,
        "signed_count": 12,
        "target_share": 35.0,
        "signed": 22,
        "started": 22,
        "operating": 0,
        "started_rate": 100.0,
        "operating_rate": 0.0,
    }
    assert (Decimal(value["signed_in_year"]), Decimal(value["target"])) == (
        Decimal(4_200_000_000),
        Decimal(12_000_000_000),
    )
    signed_2022 = Lead.objects.filter(signed_on__year=2022)
    assert signed_2022.count() == value["signed_count"]
    assert sum(lead.signed_amount for lead in signed_2022) == Decimal(value["signed_in_year"])
    # Intended investment by stage: the leads opened in 2022 (the funnel's), in each stage.
    opened = Lead.objects.filter(opened_on__year=2022)
    for stage in ("lead", "contacted", "lost"):
        assert Decimal(value["intended_by_stage"][stage]) == sum(
            lead.intended_investment or 0 for lead in opened.filter(stage=stage)
        ), stage
    assert {k: Decimal(v) for k, v in value["intended_by_stage"].items() if Decimal(v)} == {
        "lead": Decimal("5690000000.00"),
        "contacted": Decimal("4140000000.00"),
        "site_visit": Decimal("200000000.00"),
        "lost": Decimal("400000000.00"),
    }
    # HP brought two of the signed leads, Weigao one (the demo's new-start projects they referred).
    referrals = client.get("/api/v1/pipeline/referrals").json()
    assert [(r["enterprise"], r["leads"], r["signed"], Decimal(r["signed_amount"])) for r in referrals] == [
        ("惠普打印机（威海）有限公司", 16, 2, Decimal("900000000")),
        ("山东威高集团医用高分子制品股份有限公司", 6, 1, Decimal("150000000")),
    ]
    for row in referrals:
        signed = Lead.objects.filter(referred_by_id=row["enterprise_id"], furthest__gte=4)
        assert row["signed"] == signed.count()
        assert Decimal(row["signed_amount"]) == sum(lead.signed_amount or 0 for lead in signed)
    for row in referrals:
        assert row["leads"] == Lead.objects.filter(referred_by_id=row["enterprise_id"]).count()
    assert client.get("/api/v1/pipeline/settings").json() == {
        "stage_limits": {
            "lead": 60,
            "contacted": 120,
            "site_visit": 150,
            "negotiating": 180,
            "signed": 120,
            "registered": 180,
            "construction": 720,
            "on_hold": 180,
        },
        "year_targets": {"2021": "10000000000.00", "2022": "12000000000.00"},
    }
    assert client.get("/api/v1/pipeline/funnel").json()["year"] == 2022  # this year by default


def test_lists_filter_and_attention(api_en: Any, gap: PrinterGap) -> None:
    client = api_en("supervisor")
    assert client.get("/api/v1/leads").json()["count"] == Lead.objects.count() == 143
    lost = client.get("/api/v1/leads", stage="lost", page_size=100).json()
    assert lost["count"] == Lead.objects.filter(stage="lost").count()
    assert {x["stage"] for x in lost["items"]} == {"lost"}
    printer = client.get("/api/v1/leads", chain_id=gap.chain.pk, page_size=100).json()
    assert printer["count"] == Lead.objects.filter(chain=gap.chain).count()
    referred = client.get("/api/v1/leads", source="chain_master", page_size=100).json()
    assert referred["count"] == 22
    assert client.get("/api/v1/leads", source="fair").json()["count"] == 0
    attention = client.get("/api/v1/leads/attention").json()
    assert len(attention) == 72
    assert all(item["reasons"] for item in attention)
    # The demo's company worked by two teams: both leads listed, each naming the other.
    pair = {
        item["lead"]["id"]: item["reasons"][-1]
        for item in attention
        if item["lead"]["duplicate_of_id"] or item["lead"]["duplicates"]
    }
    (second,) = Lead.objects.filter(duplicate_of__isnull=False)
    assert second.duplicate_of_id is not None
    assert pair == {
        second.pk: f"also worked by another team (lead {second.duplicate_of_id})",
        second.duplicate_of_id: f"also worked by another team (lead {second.pk})",
    }
    assert {item["lead"]["stage"] for item in attention} <= {
        "lead",
        "contacted",
        "site_visit",
        "negotiating",
        "on_hold",
    }


# --- the Excel report ---------------------------------------------------------------------------------


def test_the_monthly_report_opens_in_excel(api_en: Any) -> None:
    response = api_en("leader").get("/api/v1/pipeline/report", year=2022)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="pipeline-2022.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Funnel",
        "Conversion",
        "Median days in the stage",
        "By month",
        "Gap coverage",
        "Value",
        "Referrals",
        "Needing attention",
    ]
    funnel = list(book["Funnel"].iter_rows(values_only=True))
    assert funnel[0] == (
        "By",
        "Group",
        "lead",
        "contacted",
        "site visit",
        "negotiating",
        "signed",
        "registered",
        "construction started",
        "in operation",
    )
    assert funnel[1] == ("All", "All", 32, 13, 1, 0, 0, 0, 0, 0)
    conversion = list(book["Conversion"].iter_rows(values_only=True))
    assert conversion[1] == ("lead", 32, 40.6, 29)
    medians = list(book["Median days in the stage"].iter_rows(values_only=True))
    assert medians[0] == funnel[0]
    assert medians[1] == ("All", "All", 29, 13, None, None, None, None, None, None)
    assert [row[:4] for row in medians if row[0] == "Team"] == [
        ("Team", "驻上海招商组", 36.5, None),
        ("Team", "招商二组", 51, None),
        ("Team", "驻深圳招商组", 15, 13),
        ("Team", "招商一组", 22, None),
    ]
    assert len(list(book["By month"].iter_rows(values_only=True))) == 1 + 4
    coverage = list(book["Gap coverage"].iter_rows(values_only=True))
    assert len(coverage) == 1 + 18
    assert coverage[1][:5] == ("医疗器械产业链", "医用电子部件", "missing", 0.58, "yes")
    value = {row[0]: row[1] for row in book["Value"].iter_rows(values_only=True) if row and row[0]}
    assert value["Signed in 2022 (yuan)"] == 4_200_000_000
    assert value["Target (yuan)"] == 12_000_000_000
    assert value["Against the target %"] == 35.0
    assert value["Signed → construction started → in operation"] == "22 → 22 → 0"
    assert value["Started of signed → in operation of started, %"] == "100.0 → 0.0"
    assert value["As of"] == "2022-05-08"
    assert len(list(book["Referrals"].iter_rows(values_only=True))) == 1 + 2
    assert len(list(book["Needing attention"].iter_rows(values_only=True))) == 1 + 72


def test_the_report_of_a_past_month_is_as_of_its_end(api_en: Any) -> None:
    client = api_en("leader")
    response = client.get("/api/v1/pipeline/report", month="2022-03")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="pipeline-2022-03.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    # Cross-check with the rows: the leads opened by 2022-03-31, each at its furthest stage by then.
    day = dt.date(2022, 3, 31)
    opened = list(Lead.objects.filter(opened_on__year=2022, opened_on__lte=day).prefetch_related("events"))
    furthest = [
        max(ORDER.index(e.stage_to) for e in lead.events.all() if e.stage_to in ORDER and e.on <= day)
        for lead in opened
    ]
    reached = [sum(1 for f in furthest if f >= i) for i in range(8)]
    assert reached == [27, 5, 1, 0, 0, 0, 0, 0]
    funnel = list(book["Funnel"].iter_rows(values_only=True))
    assert funnel[1] == ("All", "All", *reached)
    by_month = [row[0] for row in list(book["By month"].iter_rows(values_only=True))[1:]]
    assert by_month == ["2022-01", "2022-02", "2022-03"]
    value = {row[0]: row[1] for row in book["Value"].iter_rows(values_only=True) if row and row[0]}
    signed = Lead.objects.filter(signed_on__year=2022, signed_on__lte=day)
    assert (
        value["Signed in 2022 (yuan)"]
        == float(sum(lead.signed_amount or 0 for lead in signed))
        == 4_200_000_000
    )
    assert value["As of"] == "2022-03-31"
    # This month's report is as of now; a month not begun, or no month at all, is refused with its field.
    assert client.get("/api/v1/pipeline/report", month="2022-05")["Content-Disposition"] == (
        'attachment; filename="pipeline-2022-05.xlsx"'
    )
    for month, message in (
        ("2022-06", "Choose a month that has begun."),
        ("2022-13", "Enter a month as YYYY-MM."),
        ("March", "Enter a month as YYYY-MM."),
    ):
        refused = client.get("/api/v1/pipeline/report", month=month)
        assert refused.status_code == 422
        assert refused.json()["errors"] == [{"field": "month", "message": message}]
    assert api_en("stats").get("/api/v1/pipeline/report", month="2022-13").status_code == 403


def test_a_lead_lists_the_leads_flagged_against_it(api_en: Any, gap: PrinterGap) -> None:
    first = api_en("invest").post(
        f"/api/v1/candidates/{gap.candidate.pk}/lead", {"node_id": gap.print_head.pk}
    )
    second = api_en("admin").post(
        f"/api/v1/candidates/{gap.candidate.pk}/lead", {"node_id": gap.print_head.pk}
    )
    a, b = first.json()["lead_id"], second.json()["lead_id"]
    leader = api_en("leader")
    assert (
        leader.get(f"/api/v1/leads/{a}").json()["duplicates"],
        leader.get(f"/api/v1/leads/{a}").json()["duplicate_of_id"],
    ) == ([b], None)
    assert (
        leader.get(f"/api/v1/leads/{b}").json()["duplicates"],
        leader.get(f"/api/v1/leads/{b}").json()["duplicate_of_id"],
    ) == ([], a)
    listed = {
        x["id"]: x["duplicates"]
        for x in leader.get("/api/v1/leads", page_size=100, search=gap.candidate.name).json()["items"]
    }
    assert listed == {a: [b], b: []}
    attention = {item["lead"]["id"]: item["reasons"] for item in leader.get("/api/v1/leads/attention").json()}
    assert (attention[a], attention[b]) == (
        [f"also worked by another team (lead {b})"],
        [f"also worked by another team (lead {a})"],
    )


# --- bad input ----------------------------------------------------------------------------------------


def test_a_bad_lead_names_every_field_and_writes_nothing(api_en: Any, gap: PrinterGap) -> None:
    client = api_en("invest")
    before = _written()
    response = client.post(
        "/api/v1/leads",
        {
            "company_name": "坏输入有限公司",
            "source": "fair",
            "node_ids": [gap.print_head.pk, 999_999],
            "intended_investment": "-5",
            "intended_output": "-1",
            "referred_by_id": 999_999,
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "source",
            "message": "Choose one of: chain_master, exhibition, agency, research, own_approach.",
        },
        {"field": "intended_investment", "message": "Enter a number of at least 0."},
        {"field": "intended_output", "message": "Enter a number of at least 0."},
        {"field": "referred_by_id", "message": "No enterprise with this id in the zone."},
        {"field": "node_ids", "message": "No chain node with id 999999 in the zone."},
    ]
    for body, field in (
        (
            {"company_name": "坏日期有限公司", "source": "research", "next_action_on": "2022-02-30"},
            "next_action_on",
        ),
        (
            {"company_name": "坏数字有限公司", "source": "research", "intended_output": "many"},
            "intended_output",
        ),
        ({"company_name": "缺来源有限公司"}, "source"),
    ):
        bad = client.post("/api/v1/leads", body)
        assert bad.status_code == 422
        assert [e["field"] for e in bad.json()["errors"]] == [field]
    assert _written() == before


def test_bad_moves_name_every_field_and_write_nothing(api_en: Any, gap: PrinterGap, target: Lead) -> None:
    client = api_en("invest")
    url = f"/api/v1/leads/{target.pk}"
    before = (_written(), client.get(url).json())
    cases: list[tuple[dict[str, Any], int, list[str]]] = [
        (
            {"to": "signed", "signed_on": "2022-06-01", "signed_amount": "-1"},
            422,
            ["signed_amount", "signed_on"],
        ),
        ({"to": "signed", "signed_on": "2022-13-01", "signed_amount": "1"}, 422, ["signed_on"]),
        (
            {"to": "signed", "signed_on": "2022-05-01", "signed_amount": "0", "key_project_id": 999_999},
            422,
            [
                "signed_amount",
                "key_project_id",
            ],
        ),
        ({"to": "won"}, 422, ["to"]),
        ({"to": "lost"}, 422, ["reason"]),
        ({"to": "registered", "enterprise_id": target.pk}, 409, []),
        ({"to": "lead"}, 409, []),
        ({}, 422, ["to"]),
    ]
    for body, status, fields in cases:
        response = client.post(f"{url}/transition", body)
        assert response.status_code == status, (body, response.content)
        assert [e["field"] for e in response.json()["errors"]] == fields
    patched = client.patch(url, {"next_action_on": "soon", "intended_investment": "-3"})
    assert patched.status_code == 422
    assert [e["field"] for e in patched.json()["errors"]] == ["next_action_on"]
    patched = client.patch(url, {"intended_investment": "-3", "node_ids": [999_999], "source": "fair"})
    assert [e["field"] for e in patched.json()["errors"]] == ["source", "intended_investment", "node_ids"]
    assert (_written(), client.get(url).json()) == before


def test_bad_contacts_documents_settings_and_years(
    api_en: Any, gap: PrinterGap, target: Lead, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = api_en("invest")
    before = (_written(), PipelineSettings.objects.get(zone=gap.zone).stage_limits)
    contact = client.post(f"/api/v1/leads/{target.pk}/contacts", {"name": "", "email": "at-nowhere"})
    assert contact.status_code == 422
    assert [e["field"] for e in contact.json()["errors"]] == ["name", "email"]
    upload = client.client.post(
        f"/api/v1/leads/{target.pk}/documents",
        {"file": SimpleUploadedFile("x.pdf", b"#!/bin/sh\nrm -rf /\n")},
        headers=client.headers,
    )
    assert upload.status_code == 422
    assert upload.json()["errors"] == [
        {"field": "file", "message": "Attach a PDF, an image (JPEG, PNG, WebP) or an Office document."}
    ]
    put = client.client.put(
        "/api/v1/pipeline/settings",
        {"stage_limits": {"lead": -1, "won": 3}},
        content_type="application/json",
        headers=client.headers,
    )
    assert put.status_code == 422
    assert [e["field"] for e in put.json()["errors"]] == ["stage_limits.lead", "stage_limits.won"]
    for path in ("/api/v1/pipeline/funnel", "/api/v1/pipeline/value", "/api/v1/pipeline/report"):
        for year, message in (
            ("1999", "Enter a year between 2000 and 2100."),
            ("abc", "Enter a whole number."),
        ):
            response = client.get(path, year=year)
            assert response.status_code == 422
            assert response.json()["errors"] == [{"field": "year", "message": message}]
    assert (_written(), PipelineSettings.objects.get(zone=gap.zone).stage_limits) == before


def test_contacts_and_documents_over_the_api(
    api_en: Any, gap: PrinterGap, target: Lead, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = api_en("invest")
    created = client.post(
        f"/api/v1/leads/{target.pk}/contacts",
        {"name": "李总", "phone": "0631-5000000", "email": "li@example.cn"},
    )
    assert created.status_code == 201
    assert created.json() == {
        "id": created.json()["id"],
        "name": "李总",
        "title": "",
        "phone": "0631-5000000",
        "email": "li@example.cn",
    }
    upload = client.client.post(
        f"/api/v1/leads/{target.pk}/documents",
        {"file": SimpleUploadedFile("意向书.pdf", PDF)},
        headers=client.headers,
    )
    assert upload.status_code == 201
    document = upload.json()
    assert (document["name"], document["content_type"], document["size"]) == (
        "意向书.pdf",
        "application/pdf",
        len(PDF),
    )
    assert document["url"] == f"/pipeline/documents/{document['id']}/"
    body = client.get(f"/api/v1/leads/{target.pk}").json()
    assert [c["name"] for c in body["contacts"]] == ["李总"]
    assert [d["id"] for d in body["documents"]] == [document["id"]]
    assert [(e["action"], e["note"]) for e in body["timeline"]][1:] == [
        ("contact", "李总"),
        ("document", "意向书.pdf"),
    ]


def test_settings_over_the_api(api_en: Any, gap: PrinterGap) -> None:
    client = api_en("invest")
    response = client.client.put(
        "/api/v1/pipeline/settings",
        {"stage_limits": {"lead": 30}, "year_targets": {"2022": "15000000000"}},
        content_type="application/json",
        headers=client.headers,
    )
    assert response.status_code == 200
    assert response.json()["stage_limits"]["lead"] == 30
    assert response.json()["stage_limits"]["contacted"] == 120
    assert response.json()["year_targets"] == {"2022": "15000000000.00"}
    value = api_en("leader").get("/api/v1/pipeline/value", year=2022).json()
    assert value["target_share"] == 28.0
    assert AuditEvent.objects.filter(action="pipeline.settings").latest("at", "pk").actor_label == "invest"


def test_duplicates_over_the_api(api_en: Any, gap: PrinterGap) -> None:
    first = api_en("invest").post(
        f"/api/v1/candidates/{gap.candidate.pk}/lead", {"node_id": gap.print_head.pk}
    )
    again = api_en("invest").post(
        f"/api/v1/candidates/{gap.candidate.pk}/lead", {"node_id": gap.print_head.pk}
    )
    assert again.status_code == 422
    assert [e["field"] for e in again.json()["errors"]] == ["candidate"]
    second = api_en("admin").post(
        f"/api/v1/candidates/{gap.candidate.pk}/lead", {"node_id": gap.print_head.pk}
    )
    assert second.status_code == 201
    detail = api_en("leader").get(f"/api/v1/leads/{second.json()['lead_id']}").json()
    assert detail["duplicate_of_id"] == first.json()["lead_id"]
    attention = api_en("leader").get("/api/v1/leads/attention").json()
    flagged = [item for item in attention if item["lead"]["id"] == second.json()["lead_id"]]
    assert [item["reasons"] for item in flagged] == [
        [f"also worked by another team (lead {first.json()['lead_id']})"]
    ]
    assert detail["duplicates"] == []
    assert dt.date.fromisoformat(detail["opened_on"]) == dt.date(2022, 5, 8)


def test_creating_a_lead_for_another_officer(api_en: Any, gap: PrinterGap) -> None:
    response = api_en("admin").post(
        "/api/v1/leads",
        {"company_name": "代建线索有限公司", "source": "research", "officer_id": gap.invest.pk},
    )
    assert response.status_code == 201
    assert response.json()["officer_id"] == gap.invest.pk


def test_an_amount_too_large_is_refused(api_en: Any) -> None:
    response = api_en("invest").post(
        "/api/v1/leads",
        {"company_name": "巨额投资有限公司", "source": "research", "intended_investment": "1e20"},
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["intended_investment"]
