"""The cockpit and its wall screen in chromium: a leader lands on it with every panel and the funnel
drawn; the wall screen is dark with larger type, has no navigation, reloads itself and goes full screen
from one click."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_access import LOW_CONTRAST
from tests.browser.test_roles import login

pytestmark = pytest.mark.browser

PANELS = ("clusters", "projects", "pipeline", "orders", "supervision", "assessment", "growers")
FONT_SIZE = "parseFloat(getComputedStyle(document.body).fontSize)"


def test_the_cockpit_and_its_wall_screen(page: Any, demo_url: str) -> None:
    login(page, demo_url, "leader")
    assert page.url == f"{demo_url}/cockpit/"
    for panel in PANELS:
        expect(page.get_by_test_id(f"panel-{panel}")).to_be_visible()
    expect(page.locator("#cockpit-funnel canvas")).to_have_count(1)
    assert page.locator("nav.sidenav").count() == 1
    expect(page.get_by_test_id("wall-fullscreen")).to_have_count(0)
    assert page.evaluate(LOW_CONTRAST) == []
    screenshot(page, "cockpit-leader")
    page_font = page.evaluate(FONT_SIZE)

    page.goto(f"{demo_url}/cockpit/?wall=1")
    for panel in PANELS:
        expect(page.get_by_test_id(f"panel-{panel}")).to_be_visible()
    expect(page.locator("#cockpit-funnel canvas")).to_have_count(1)
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(11, 22, 38)"
    assert page.evaluate(FONT_SIZE) == page_font * 1.25
    assert page.locator("nav.sidenav").count() == 0
    assert page.locator('meta[http-equiv="refresh"]').get_attribute("content") == "300"
    # Read from across the room: every text on the dark screen keeps WCAG AA contrast.
    assert page.evaluate(LOW_CONTRAST) == []
    button = page.get_by_test_id("wall-fullscreen")
    expect(button).to_have_text("全屏")
    assert page.evaluate("document.fullscreenElement") is None
    button.click()
    page.wait_for_function("document.fullscreenElement === document.documentElement")
    expect(button).to_be_hidden()
    screenshot(page, "cockpit-wall")
    page.keyboard.press("Escape")
    page.evaluate("document.fullscreenElement && document.exitFullscreen()")
    page.wait_for_function("document.fullscreenElement === null")
    expect(button).to_be_visible()
