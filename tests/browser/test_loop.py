"""The zone's closed loop, end to end, in a real browser and across roles (docs/loop.md tells it).

Chain investment finds a gap and signs a company that becomes a key project; the monthly scheduling of a
key project raises a land problem; the problem becomes a service order to the land department and a
supervision item; the land department answers both, the enterprise rates the answer, the supervision
office verifies and closes; the assessment and the leaders' cockpit move by exactly what the walk did.

The walk writes data, so it runs on a demo server of its own (the other browser tests count demo data on
the shared one). The demo zone's "today" is 2022-05-08.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import demo_server, screenshot
from tests.browser.test_servicedesk import signed_in

pytestmark = pytest.mark.browser

TODAY = dt.date(2022, 5, 8)
HP_PROJECT = "SD-2022-001"  # 惠普品牌产业园打印机项目: its owner is HP, whose contact rates the order
LAND = "自然资源和规划分局"  # the land department (demo data, the same in every language)
SIGNED_WAN = 50_000  # the agreed investment, in 10k yuan: 500 million yuan
PROBLEM = "二期扩产需新增工业用地50亩，土地指标尚未落实，需协调土地供应"


@pytest.fixture(scope="module")
def loop_url(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> Iterator[str]:
    """A demo zone of the walk's own (a fresh copy of the loaded demo)."""
    with demo_server(tmp_path_factory.mktemp("loop-var"), template=demo_template) as url:
        yield url


@pytest.fixture(autouse=True)
def _patient_expect() -> Iterator[None]:
    # The walk's pages do real work (the chain map's gaps, the assessment); on a busy machine a page can
    # take longer than the 5 seconds expect() waits by default.
    expect.set_options(timeout=20_000)
    yield
    expect.set_options(timeout=5_000)


def _number(text: str) -> int:
    found = re.search(r"-?\d[\d,]*", text)
    assert found is not None, text
    return int(found.group().replace(",", ""))


@dataclass(frozen=True)
class Cockpit:
    """The cockpit's figures the walk moves (leader's view)."""

    projects: int
    signed_yi: Decimal
    open_leads: int
    filed: int
    open_orders: int
    overdue_orders: int
    answered: int
    on_time: int
    on_time_rate: str
    items_open: int
    items_overdue: int
    items_closed: int


@pytest.fixture
def desk(browser: Any, loop_url: str) -> Iterator[Any]:
    """``desk(username)``: that user's page, in a browser context of its own, signed in at first use (each
    user logs in once however often the walk comes back to them)."""
    with ExitStack() as stack:
        pages: dict[str, Any] = {}

        def open_as(username: str) -> Any:
            if username not in pages:
                pages[username] = stack.enter_context(signed_in(browser, loop_url, username))
            return pages[username]

        yield open_as


def read_cockpit(page: Any, url: str) -> Cockpit:
    page.goto(f"{url}/cockpit/")
    answered = page.get_by_test_id("cockpit-answered")
    expect(answered).to_be_visible()
    return Cockpit(
        projects=_number(page.get_by_test_id("cockpit-projects-total").inner_text()),
        signed_yi=Decimal(page.get_by_test_id("cockpit-signed").inner_text().replace(",", "")),
        open_leads=int(page.get_by_test_id("cockpit-open-leads").get_attribute("data-count")),
        filed=int(page.get_by_test_id("cockpit-orders-filed").get_attribute("data-count")),
        open_orders=_number(page.get_by_test_id("cockpit-orders-open").inner_text()),
        overdue_orders=_number(page.get_by_test_id("cockpit-overdue-orders").inner_text()),
        answered=int(answered.get_attribute("data-answered")),
        on_time=int(answered.get_attribute("data-on-time")),
        on_time_rate=page.get_by_test_id("cockpit-on-time").inner_text().strip(),
        items_open=_number(page.get_by_test_id("cockpit-items-open").inner_text()),
        items_overdue=_number(page.get_by_test_id("cockpit-items-overdue").inner_text()),
        items_closed=_number(page.get_by_test_id("cockpit-items-closed").inner_text()),
    )


@dataclass(frozen=True)
class Measure:
    weight: int
    achieved: Decimal
    expected: Decimal
    points: Decimal | None  # None: the measure does not apply to the department


def read_land_assessment(page: Any, url: str) -> tuple[Decimal, dict[str, Measure]]:
    """The land department's score for 2022Q2 and its breakdown (the drill-down page)."""
    page.goto(f"{url}/supervision/assessment/?period=2022Q2")
    row = page.get_by_test_id("assessment-row").filter(has_text=LAND)
    expect(row).to_have_count(1)
    row.locator("a").click()
    expect(page.get_by_test_id("breakdown")).to_be_visible()
    measures = {}
    for line in page.get_by_test_id("breakdown").locator("tbody tr[data-measure]").all():
        applies = line.get_attribute("data-applies") == "true"
        measures[line.get_attribute("data-measure")] = Measure(
            weight=int(line.locator("td").nth(1).inner_text()),
            achieved=Decimal(line.get_by_test_id("achieved").inner_text()),
            expected=Decimal(line.get_by_test_id("expected").inner_text()),
            points=Decimal(line.get_by_test_id("points").inner_text()) if applies else None,
        )
    return Decimal(page.get_by_test_id("department-score").inner_text()), measures


def open_node(page: Any, chain_map: Any, panel: Any, node: dict[str, Any]) -> None:
    """Click a node on the chain map and see its panel. The chart draws on the next animation frame, and
    a click before it finds no node: wait for two frames, and click again if the panel did not come."""
    for _attempt in range(3):
        page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
        chain_map.click(position={"x": node["point"][0], "y": node["point"][1]})
        try:
            expect(panel).to_have_attribute("data-node", node["id"], timeout=5_000)
        except AssertionError:
            continue
        return
    expect(panel).to_have_attribute("data-node", node["id"])


def move_lead(page: Any, stage: str, *, shot: str = "", **fields: str) -> None:
    """Move the lead on its page to ``stage`` with the form (``shot``: the screenshot of the filled form),
    and see it there."""
    label = page.locator(f'#m-to option[value="{stage}"]').inner_text()
    page.locator("#m-to").select_option(stage)
    for selector, value in fields.items():
        page.locator(f"#{selector}").fill(value)
    if shot:
        screenshot(page, shot)
    page.get_by_test_id("move-submit").click()
    expect(page.locator("ul.messages li.success")).to_be_visible()
    expect(page.get_by_test_id("lead-stage")).to_have_text(label)


def test_the_closed_loop_across_roles(desk: Any, loop_url: str) -> None:
    url = loop_url

    # --- 0. The figures before the walk: the leader's cockpit and the land department's assessment ---
    leader = desk("leader")
    before = read_cockpit(leader, url)
    score_before, land_before = read_land_assessment(leader, url)
    assert land_before["supervision_on_time"].points is None  # no supervision item of land due in Q2
    orders_before = land_before["service_orders"]

    # --- 1. invest: a gap of the printer chain, a lead from its candidate, moved and signed ---
    invest = desk("invest")
    invest.goto(f"{url}/chains/")
    invest.get_by_role("link", name="打印机产业链").click()
    chain_map = invest.get_by_test_id("chain-map")
    expect(chain_map.locator("canvas")).to_have_count(1)
    # The missing nodes, most important first, with their places on the map (from the chart itself).
    missing = invest.evaluate(
        """() => {
            const chart = echarts.getInstanceByDom(document.getElementById('chain-map'));
            return chart.getOption().series[0].data
                .filter((n) => n.gap === 'missing' && n.candidates > 0)
                .sort((a, b) => b.importance - a.importance)
                .map((n) => ({id: n.id, point: chart.convertToPixel({seriesIndex: 0}, [n.x, n.y])}));
        }"""
    )
    assert missing, "the printer chain has a missing node with candidates"
    panel = invest.get_by_test_id("node-detail")
    free = panel.locator("li[data-candidate]").filter(has=invest.get_by_test_id("start-lead"))
    for node in missing:  # the most important gap with a candidate nobody works on yet
        open_node(invest, chain_map, panel, node)
        if free.count():
            break
    else:
        pytest.fail("every candidate of the printer chain's missing nodes is worked on already")
    expect(panel).to_have_attribute("data-gap", "missing")
    node_name = panel.locator("h2").inner_text().split()[0]
    candidate = free.first
    candidate_id = candidate.get_attribute("data-candidate")
    company = candidate.locator("strong").inner_text()
    screenshot(invest, "loop-01-gap")

    candidate.get_by_test_id("start-lead").click()
    expect(panel.get_by_role("status")).to_contain_text(company)
    lead_link = panel.locator(f'li[data-candidate="{candidate_id}"]').get_by_test_id("candidate-lead")
    expect(lead_link).to_be_visible()
    lead_link.click()
    expect(invest.locator("h1")).to_contain_text(company)
    assert invest.locator("#m-to option").first.get_attribute("value") == "contacted"  # a new lead
    expect(invest.get_by_test_id("timeline").locator('li[data-action="create"]')).to_have_count(1)
    expect(invest.locator(".cards")).to_contain_text(node_name)
    move_lead(invest, "contacted")
    move_lead(invest, "site_visit")
    move_lead(invest, "negotiating")
    # Signing: the agreement's date and amount (10k yuan); the lead becomes a key project.
    move_lead(
        invest,
        "signed",
        shot="loop-02-lead",
        **{"m-signed-on": TODAY.isoformat(), "m-amount": str(SIGNED_WAN)},
    )
    moves = invest.get_by_test_id("timeline").locator('li[data-action="transition"]')
    expect(moves).to_have_count(4)
    key_project = invest.get_by_test_id("key-project")
    expect(key_project).to_have_text(re.compile(r"ZS2022-\d{3}$"))
    code = key_project.inner_text().split()[-1]
    project_url = f"{url}{key_project.get_attribute('href')}"
    screenshot(invest, "loop-03-signed")

    # --- 2. projects: the new key project is on the board, with the signed data ---
    office = desk("projects")
    office.goto(f"{url}/projects/?search={code}")
    rows = office.get_by_test_id("project-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(company)
    expect(rows.first).to_contain_text("投资促进局")  # the signing officer's department follows it
    rows.first.locator("a").first.click()
    expect(office).to_have_url(project_url)
    expect(office.locator("h1")).to_contain_text(company)
    # Signed 2022-05-08 for 500 million yuan: completion planned two years on, a quarter planned for 2022.
    expect(office.get_by_test_id("planned-completion")).to_have_text(
        (TODAY + dt.timedelta(days=730)).isoformat()
    )
    expect(office.locator(".cards")).to_contain_text("5.0")
    expect(office.locator(".cards")).to_contain_text(code)
    screenshot(office, "loop-04-project")

    # --- 3. projects: the monthly report of HP's project, with a problem needing land ---
    office.goto(f"{url}/projects/?search={HP_PROJECT}")
    office.get_by_test_id("project-row").locator("a").first.click()
    hp_url = office.url
    office.locator('.page-head a[href$="/report/"]').click()
    form = office.get_by_test_id("report-form")
    expect(form.locator("#r-period")).to_have_value("2022-05")
    form.locator("#r-investment").fill("12000")
    form.locator("#r-progress").fill("90")
    form.locator("#r-text").fill("5月完成投资1.2亿元，整机生产线设备安装基本完成。")
    form.locator("#r-problems").fill(PROBLEM)
    screenshot(office, "loop-05-report")
    form.locator('button[type="submit"]').click()
    expect(office).to_have_url(hp_url)
    expect(office.locator("ul.messages li.success")).to_contain_text("2022-05")
    expect(office.get_by_test_id("reports").locator("tbody tr").last).to_contain_text("2022-05")
    problem = office.get_by_test_id("problem-row").filter(has_text=PROBLEM)
    expect(problem).to_have_count(1)
    expect(problem).to_have_attribute("data-status", "open")

    # --- 4a. projects: one action makes the problem a land-supply order of HP for the land department ---
    service = problem.locator('select[name="service_type"] option[data-code="land-supply"]')
    expect(service).to_contain_text(LAND)
    problem.locator('select[name="service_type"]').select_option(service.get_attribute("value"))
    problem.get_by_test_id("problem-to-order").click()
    expect(office).to_have_url(hp_url)
    order_tag = problem.get_by_test_id("problem-order")
    expect(order_tag).to_have_text(re.compile(r"^GD2022-\d{5}$"))
    number = order_tag.inner_text()
    expect(office.locator("ul.messages li.success")).to_contain_text(number)
    expect(problem.get_by_test_id("problem-to-order")).to_have_count(0)  # not filed twice

    # --- 4b. supervisor: the other action makes it a supervision item for the land department ---
    supervisor = desk("supervisor")
    supervisor.goto(hp_url)
    problem = supervisor.get_by_test_id("problem-row").filter(has_text=PROBLEM)
    expect(problem.get_by_test_id("problem-order")).to_have_text(number)
    department = problem.locator('select[name="department"] option[data-code="land"]')
    problem.locator('select[name="department"]').select_option(department.get_attribute("value"))
    expect(problem.locator('input[name="working_days"]')).to_have_value("10")
    supervisor.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    screenshot(supervisor, "loop-06-problem")
    problem.get_by_test_id("problem-supervise").click()
    expect(supervisor).to_have_url(re.compile(rf"{url}/supervision/\d+/$"))
    item_url = supervisor.url
    item_number = supervisor.locator("h1").inner_text().split(" · ")[0]
    assert re.fullmatch(r"DB2022-\d{4}", item_number), item_number
    expect(supervisor.locator(".cards")).to_contain_text(LAND)
    # Ten working days from Sunday 2022-05-08: 2022-05-20.
    expect(supervisor.locator(".cards")).to_contain_text("2022-05-20")
    expect(supervisor.get_by_test_id("timeline").locator("li")).to_have_count(1)
    screenshot(supervisor, "loop-07-supervision")

    # The general office accepts the order and dispatches it to the department of its service.
    admin = desk("admin")
    admin.goto(f"{url}/orders/?search={number}")
    admin.get_by_test_id("order-row").get_by_role("link", name=number).click()
    order_url = admin.url
    expect(admin.locator("h1")).to_contain_text(PROBLEM)
    admin.get_by_test_id("step-accept").click()
    expect(admin.get_by_test_id("step-dispatch")).to_be_visible()
    expect(admin.locator("#d-dept option:checked")).to_have_text(LAND)
    admin.get_by_test_id("step-dispatch").click()
    expect(admin.get_by_test_id("step-dispatch")).to_have_count(0)
    # Land supply: resolved within 20 working days of acceptance (the Dragon Boat Festival, 3 June,
    # is a holiday).
    expect(admin.get_by_test_id("resolve-due")).to_have_text("2022-06-06")
    screenshot(admin, "loop-08-dispatch")

    # --- 5. land: the order in its queue, worked to an answer; HP confirms and rates it ---
    land = desk("land")
    land.goto(f"{url}/orders/")
    row = land.get_by_test_id("order-row").filter(has=land.get_by_role("link", name=number))
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("data-state", "ok")
    screenshot(land, "loop-09-queue")
    row.get_by_role("link", name=number).click()
    expect(land).to_have_url(order_url)
    land.get_by_test_id("step-start").click()
    answer = land.locator('form[data-action="answer"]')
    answer.locator('input[name="note"]').fill("已将该项目用地纳入本年度土地供应计划，6月挂牌出让，50亩")
    land.get_by_test_id("step-answer").click()
    expect(land.get_by_test_id("step-answer")).to_have_count(0)
    expect(land.get_by_test_id("timeline").locator('li[data-action="answer"]')).to_contain_text(
        "纳入本年度土地供应计划"
    )
    screenshot(land, "loop-10-answered")

    hp = desk("hp")
    hp.goto(f"{url}/orders/")
    hp.get_by_test_id("order-row").get_by_role("link", name=number).click()
    expect(hp).to_have_url(order_url)
    hp.get_by_test_id("step-confirm").click()
    rate = hp.locator('form[data-action="rate"]')
    rate.locator('select[name="rating"]').select_option("5")
    rate.locator('input[name="note"]').fill("用地问题解决得很及时")
    hp.get_by_test_id("step-rate").click()
    expect(hp.get_by_test_id("order-rating")).to_have_text("5 / 5")
    steps = hp.get_by_test_id("timeline").locator("li")
    expect(steps).to_have_count(7)
    assert [s.get_attribute("data-action") for s in steps.all()] == [
        "submit",
        "accept",
        "dispatch",
        "start",
        "answer",
        "confirm",
        "rate",
    ]
    screenshot(hp, "loop-11-rated")

    # --- 6. land responds on the supervision item; the supervision office verifies and closes it ---
    land = desk("land")
    land.goto(f"{url}/supervision/")
    land.get_by_test_id("item-table").get_by_role("link", name=item_number).click()
    expect(land).to_have_url(item_url)
    respond = land.locator('form[data-action="respond"]')
    respond.locator('textarea[name="note"]').fill("已纳入本年度土地供应计划，6月挂牌出让，工单已答复企业")
    respond.locator('input[name="evidence"]').fill(f"工单 {number}")
    respond.locator('button[type="submit"]').click()
    expect(land.get_by_test_id("timeline").locator("li")).to_have_count(2)
    expect(land.locator('form[data-action="respond"]')).to_have_count(0)
    screenshot(land, "loop-12-respond")

    supervisor = desk("supervisor")
    supervisor.goto(item_url)
    supervisor.locator('form[data-action="verify"] textarea[name="note"]').fill("经核实，用地已纳入供应计划")
    supervisor.locator('form[data-action="verify"] button[type="submit"]').click()
    expect(supervisor.get_by_test_id("timeline").locator("li")).to_have_count(3)
    supervisor.locator('form[data-action="close"] button[type="submit"]').click()
    expect(supervisor.get_by_test_id("timeline").locator("li")).to_have_count(4)
    expect(supervisor.locator("form.step-form")).to_have_count(0)  # nothing left to do
    screenshot(supervisor, "loop-13-closed")
    # Closing the item resolved the project's problem.
    supervisor.goto(hp_url)
    problem = supervisor.get_by_test_id("problem-row").filter(has_text=PROBLEM)
    expect(problem).to_have_attribute("data-status", "resolved")
    expect(problem.get_by_test_id("problem-item")).to_have_text(item_number)

    # --- 7. The assessment and the cockpit moved by exactly what the walk did ---
    leader = desk("leader")
    score, land_after = read_land_assessment(leader, url)
    # The item was due in Q2 and closed on time; the order was due in Q2 and answered on time.
    supervision = land_after["supervision_on_time"]
    assert (supervision.achieved, supervision.expected) == (Decimal(1), Decimal(1))
    orders = land_after["service_orders"]
    assert (orders.achieved, orders.expected) == (orders_before.achieved + 1, orders_before.expected + 1)
    # Each measure's points are its weight times its rate over the applicable weights; they add up.
    # The last line is the bonus and penalty points, not a weighted measure.
    weighted = {name: m for name, m in land_after.items() if name != "adjustments"}
    applicable = sum(m.weight for m in weighted.values() if m.points is not None)
    for measure in weighted.values():
        if measure.points is not None:
            expected = Decimal(100) * measure.weight * measure.achieved / measure.expected / applicable
            assert measure.points == expected.quantize(Decimal("0.01"))
    assert score == sum(m.points for m in land_after.values() if m.points is not None)
    # Land kept every promise of Q2 so far, and both new steps were on time (the order rated 5): the
    # supervision measure now applies at its full rate and the score stays full.
    assert (score_before, score) == (Decimal("100.00"), Decimal("100.00"))
    assert supervision.points is not None
    leader.goto(f"{url}/supervision/assessment/?period=2022Q2")
    row = leader.get_by_test_id("assessment-row").filter(has_text=LAND)
    expect(row.get_by_test_id("score")).to_have_text(str(score))
    higher = sum(
        1
        for s in leader.get_by_test_id("assessment-row").get_by_test_id("score").all_inner_texts()
        if Decimal(s) > score
    )
    expect(row.get_by_test_id("rank")).to_have_text(str(higher + 1))
    screenshot(leader, "loop-14-assessment")

    after = read_cockpit(leader, url)
    screenshot(leader, "loop-15-cockpit")
    assert after == Cockpit(
        projects=before.projects + 1,  # the signed lead's key project
        signed_yi=before.signed_yi + Decimal("5.0"),  # 500 million yuan signed
        open_leads=before.open_leads,  # started and signed in the walk
        filed=before.filed + 1,  # the land order
        open_orders=before.open_orders,  # filed and closed
        overdue_orders=before.overdue_orders,
        answered=before.answered + 1,
        on_time=before.on_time + 1,
        on_time_rate=f"{round(100 * (before.on_time + 1) / (before.answered + 1), 1)} %",
        items_open=before.items_open,  # raised and closed
        items_overdue=before.items_overdue,
        items_closed=before.items_closed + 1,  # closed this month
    )
