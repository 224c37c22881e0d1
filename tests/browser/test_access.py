"""Phone and accessibility: an enterprise contact's pages on a phone-sized screen (no sideways scrolling,
every field labelled, readable contrast), forms that work from the keyboard alone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_roles import login

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# Fields a person fills that have no label: labels bound by for=, wrapped labels, aria-label(ledby).
UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => el.type !== 'hidden' && el.offsetParent !== null)
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !el.getAttribute('aria-labelledby'))
  .map(el => el.outerHTML.slice(0, 120))"""

# Text whose contrast with the background behind it is below WCAG AA (4.5:1; 3:1 for large text).
LOW_CONTRAST = """() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const background = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const bad = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.offsetParent === null && getComputedStyle(el).position !== 'fixed') continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const style = getComputedStyle(el);
    const fg = rgb(style.color).slice(0, 3), bg = background(el);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < needed) bad.push(`${el.tagName} "${el.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
  }
  return bad;
}"""


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        locale="zh-CN", viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def _fits_and_reads(page: Any) -> None:
    # Nothing wider than the phone: the page scrolls down, never sideways (wide tables scroll in place).
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate(UNLABELLED) == []
    assert page.evaluate(LOW_CONTRAST) == []


def test_an_enterprise_contact_works_from_a_phone(phone: Any, demo_url: str) -> None:
    login(phone, demo_url, "hp")
    expect(phone.get_by_test_id("home-figures-table")).to_be_visible()
    _fits_and_reads(phone)
    screenshot(phone, "phone-home-hp")

    phone.get_by_test_id("file-order").click()
    phone.wait_for_url(f"{demo_url}/orders/new/")
    _fits_and_reads(phone)
    screenshot(phone, "phone-new-order-hp")

    phone.goto(f"{demo_url}/orders/")
    _fits_and_reads(phone)
    first = phone.locator('[data-testid="order-row"] a').first
    first.click()
    phone.wait_for_url(f"{demo_url}/orders/*/")
    _fits_and_reads(phone)

    phone.goto(f"{demo_url}/indicators/submit/")
    _fits_and_reads(phone)
    screenshot(phone, "phone-submit-figures-hp")


@pytest.mark.parametrize(
    ("username", "path"),
    [
        ("leader", "/cockpit/"),
        ("supervisor", "/supervision/"),
        ("land", "/orders/"),
        ("projects", "/projects/"),
        ("invest", "/pipeline/"),
        ("stats", "/indicators/"),
        ("admin", "/search/?q=威高"),
    ],
)
def test_staff_pages_are_labelled_and_readable(page: Any, demo_url: str, username: str, path: str) -> None:
    login(page, demo_url, username)
    page.goto(f"{demo_url}{path}")
    assert page.evaluate(UNLABELLED) == []
    assert page.evaluate(LOW_CONTRAST) == []


def test_the_search_works_from_the_keyboard_alone(page: Any, demo_url: str) -> None:
    login(page, demo_url, "leader")
    page.goto(f"{demo_url}/home/")
    # The skip link comes first, then the language switch, then the search box.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "header-search":
            break
    assert page.evaluate("() => document.activeElement.id") == "header-search"
    # Focus is visible where it is.
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.type("威高")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=*")
    expect(page.get_by_test_id("search-enterprises")).to_be_visible()
    screenshot(page, "search-leader")


def test_an_order_is_filed_from_the_keyboard_alone(page: Any, demo_url: str) -> None:
    login(page, demo_url, "weigao")
    page.goto(f"{demo_url}/orders/new/")
    fields = page.evaluate(
        """() => [...document.querySelectorAll('form input, form select, form textarea, form button')]
            .filter(el => el.type !== 'hidden' && el.offsetParent !== null)
            .map(el => el.tabIndex)"""
    )
    # Every control of the form is reachable with Tab (none taken out of the order).
    assert fields
    assert all(index >= 0 for index in fields)
