"""The investment pipeline in a real browser: the board, a lead moved with its form, the funnel
dashboard's charts and the gap coverage page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_roles import login

pytestmark = pytest.mark.browser


def test_invest_moves_a_lead_from_the_board(page: Any, demo_url: str) -> None:
    login(page, demo_url, "invest")
    page.goto(f"{demo_url}/pipeline/")
    board = page.get_by_test_id("pipeline-board")
    expect(board).to_be_visible()
    expect(board.locator("section.board-column")).to_have_count(10)
    expect(page.get_by_test_id("new-lead")).to_be_visible()
    column = page.get_by_test_id("stage-lead")
    card = column.locator(".board-card a").first
    expect(card).to_be_visible()
    screenshot(page, "pipeline-board")

    name = card.inner_text()
    card.click()
    expect(page.locator("h1")).to_contain_text(name)
    timeline = page.get_by_test_id("timeline")
    moves = timeline.locator('li[data-action="transition"]').count()
    options = page.locator("#m-to option")
    assert options.evaluate_all("els => els.map(e => e.value)") == [
        "contacted",
        "site_visit",
        "negotiating",
        "signed",
        "lost",
        "on_hold",
    ]
    label = page.locator('#m-to option[value="contacted"]').inner_text()
    page.locator("#m-to").select_option("contacted")
    page.get_by_test_id("move-submit").click()

    expect(page.locator("ul.messages li.success")).to_be_visible()
    expect(page.get_by_test_id("lead-stage")).to_have_text(label)
    expect(timeline.locator('li[data-action="transition"]')).to_have_count(moves + 1)
    expect(timeline.locator("li").last).to_contain_text(label)
    # The form now offers the stages after contacted (and back to lead, with a reason).
    expect(page.locator('#m-to option[value="contacted"]')).to_have_count(0)
    expect(page.locator('#m-to option[value="lead"]')).to_have_count(1)


def test_leader_reads_the_funnel_and_the_gap_coverage(page: Any, demo_url: str) -> None:
    login(page, demo_url, "leader")
    page.goto(f"{demo_url}/pipeline/funnel/?year=2022")
    opened = page.get_by_test_id("funnel-opened")
    expect(opened).to_have_text(re.compile(r"^\d+$"))
    # 31 demo leads opened in 2022; other browser tests may have started a few more today.
    assert int(opened.inner_text()) >= 31
    expect(page.locator("#funnel-chart canvas")).to_have_count(1)
    expect(page.locator("#month-chart canvas")).to_have_count(1)
    expect(page.get_by_test_id("funnel-table").locator("tbody tr")).to_have_count(8)
    expect(page.get_by_test_id("referrals").locator("tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("pipeline-xlsx")).to_be_visible()
    screenshot(page, "pipeline-funnel")

    page.goto(f"{demo_url}/pipeline/gaps/")
    coverage = page.get_by_test_id("coverage")
    expect(coverage.locator("tbody tr")).to_have_count(18)
    expect(coverage.locator('tbody tr[data-uncovered="true"]')).to_have_count(2)
    expect(coverage.locator("tbody tr").first).to_have_attribute("data-uncovered", "true")

    # The chain filter narrows the list to one chain.
    page.locator("#f-chain").select_option(label="打印机产业链")
    page.locator("form.filters button").click()
    expect(page).to_have_url(re.compile(r"/pipeline/gaps/\?chain=\d+$"))
    rows = coverage.locator("tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() == 5
    for cell in rows.locator("td:first-child").all():
        assert cell.inner_text() == "打印机产业链"
