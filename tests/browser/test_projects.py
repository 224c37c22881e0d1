"""Key projects and supervision in a real browser."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_roles import login

pytestmark = pytest.mark.browser


def test_leader_follows_a_flagged_project_to_its_timeline(page: Any, demo_url: str) -> None:
    login(page, demo_url, "leader")
    page.goto(f"{demo_url}/projects/")
    expect(page.get_by_test_id("project-table")).to_be_visible()
    assert page.get_by_test_id("project-row").count() == 50
    # Red projects first, each with its reasons.
    first = page.get_by_test_id("project-row").first
    assert first.get_attribute("data-level") == "red"
    expect(first.locator(".reasons li").first).to_be_visible()
    screenshot(page, "projects-leader")

    page.goto(f"{demo_url}/projects/?search=惠普")
    page.get_by_role("link", name="惠普品牌产业园打印机项目").click()
    expect(page.get_by_test_id("planned-completion")).to_have_text("2022-05-31")
    expect(page.get_by_test_id("capacity")).to_contain_text("10,000,000")
    expect(page.get_by_test_id("warnings")).to_contain_text("2022-07-12")
    expect(page.get_by_test_id("gantt").locator("canvas")).to_have_count(1)
    screenshot(page, "project-hp")


def test_supervisor_sees_the_board_and_assessment(page: Any, demo_url: str) -> None:
    login(page, demo_url, "supervisor")
    page.goto(f"{demo_url}/supervision/")
    expect(page.get_by_test_id("bucket-overdue")).to_be_visible()
    page.get_by_test_id("item-table").locator("tbody tr a").first.click()
    expect(page.get_by_test_id("timeline").locator("li").first).to_be_visible()
    page.goto(f"{demo_url}/supervision/assessment/?period=2022Q1")
    rows = page.get_by_test_id("assessment-table").locator("tbody tr")
    expect(rows.first).to_be_visible()
    # Four departments with key projects and the service desk's departments with orders due in Q1.
    assert rows.count() == 9
    screenshot(page, "assessment")
