"""The service desk's closed loop in a real browser: an enterprise files an order with a document, the
general office accepts and dispatches it, the department answers, the enterprise confirms and rates."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_roles import login

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@contextmanager
def signed_in(browser: Any, url: str, username: str) -> Iterator[Any]:
    """A page of a browser context of its own, signed in as the user."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
        login(page, url, username)
        yield page
    finally:
        context.close()


def test_an_order_goes_round_the_closed_loop(browser: Any, page: Any, demo_url: str) -> None:
    title = f"浏览器测试：新增标准厂房1200平方米 {time.monotonic_ns()}"

    # hp files the order: choosing the service brings its own fields (htmx), a document goes with it.
    login(page, demo_url, "hp")
    page.goto(f"{demo_url}/orders/new/")
    expect(page.get_by_test_id("service-fields")).to_have_count(0)
    page.select_option("#f-service", label="厂房租赁")
    fields = page.get_by_test_id("service-fields")
    expect(fields).to_be_visible()
    expect(fields.locator("legend")).to_have_text("厂房租赁 · 土地")
    page.locator("#x-area_m2").fill("1,200")
    page.locator("#f-title").fill(title)
    page.locator("#f-description").fill("二期扩产，需要标准厂房")
    page.set_input_files(
        "#f-files", files=[{"name": "营业执照.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    screenshot(page, "order-new")
    page.get_by_test_id("order-form").get_by_role("button", name="提交").click()
    expect(page).to_have_url(re.compile(rf"{demo_url}/orders/\d+/$"))
    order_url = page.url
    number = page.locator("h1").inner_text().split(" · ")[0]
    expect(page.locator("ul.messages")).to_have_text(f"工单 {number} 已提交。")
    expect(page.get_by_test_id("attachments").locator("a")).to_have_text("营业执照.pdf")

    page.goto(f"{demo_url}/orders/")
    expect(page.locator("h1")).to_have_text("我的诉求")
    row = page.get_by_test_id("order-row").filter(has_text=title)
    expect(row).to_have_count(1)
    expect(row.locator("a")).to_have_text(number)

    # The general office accepts and dispatches it.
    with signed_in(browser, demo_url, "admin") as admin:
        admin.goto(order_url)
        expect(admin.get_by_test_id("step-accept")).to_be_visible()
        admin.get_by_test_id("step-accept").click()
        expect(admin.get_by_test_id("step-dispatch")).to_be_visible()
        expect(admin.locator("#d-dept option:checked")).to_have_text("投资促进局")
        admin.get_by_test_id("step-dispatch").click()
        expect(admin.get_by_test_id("order-status")).to_have_text("已派单")
        expect(admin.get_by_test_id("step-dispatch")).to_have_count(0)

    # The investment bureau answers.
    with signed_in(browser, demo_url, "invest") as invest:
        invest.goto(order_url)
        answer = invest.locator('form[data-action="answer"]')
        answer.locator('input[name="note"]').fill("已匹配标准厂房1200平方米，可随时看房")
        invest.get_by_test_id("step-answer").click()
        expect(invest.get_by_test_id("step-answer")).to_have_count(0)
        expect(invest.get_by_test_id("timeline").locator('li[data-action="answer"]')).to_contain_text(
            "已匹配标准厂房1200平方米"
        )

    # hp confirms and rates; the timeline lists every step.
    page.goto(order_url)
    page.get_by_test_id("step-confirm").click()
    expect(page.get_by_test_id("step-rate")).to_be_visible()
    page.locator('form[data-action="rate"] select[name="rating"]').select_option("5")
    page.locator('form[data-action="rate"] input[name="note"]').fill("响应很快")
    page.get_by_test_id("step-rate").click()
    expect(page.get_by_test_id("order-rating")).to_have_text("5 / 5")
    expect(page.get_by_test_id("order-status")).to_have_text("已办结")
    steps = page.get_by_test_id("timeline").locator("li")
    expect(steps).to_have_count(7)
    assert [s.get_attribute("data-action") for s in steps.all()] == [
        "submit",
        "attach",
        "accept",
        "dispatch",
        "answer",
        "confirm",
        "rate",
    ]
    screenshot(page, "order-closed")
