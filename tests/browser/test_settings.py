"""Zone settings in chromium: the administrator sees every office's section with every field labelled and
readable, and a change saved from the keyboard comes back on the page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_access import LOW_CONTRAST, UNLABELLED
from tests.browser.test_roles import login

pytestmark = pytest.mark.browser


def test_the_administrator_sets_the_report_deadline(page: Any, demo_url: str) -> None:
    login(page, demo_url, "admin")
    page.locator('nav.sidenav a[data-nav="settings"]').click()
    expect(page.get_by_role("heading", name="园区设置")).to_be_visible()
    for section in ("targets", "scheduling", "assessment", "pipeline"):
        expect(page.get_by_test_id(f"section-{section}")).to_be_visible()
    assert page.evaluate(UNLABELLED) == []
    assert page.evaluate(LOW_CONTRAST) == []
    screenshot(page, "settings-admin")
    day = page.get_by_label("月报截止日（每月 1–28 日）")
    day.fill("20")
    day.press("Enter")
    expect(page.locator(".messages")).to_contain_text("已保存")
    expect(page.get_by_label("月报截止日（每月 1–28 日）")).to_have_value("20")
    assert page.url.endswith("#scheduling")
