"""Each demo user logs in, sees the pages of their role and is refused the others."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

STAFF_NAV = {
    "admin": [
        "home",
        "cockpit",
        "enterprises",
        "indicators",
        "chains",
        "opportunities",
        "pipeline",
        "projects",
        "supervision",
        "orders",
        "dispatch",
        "servicestats",
        "assessment",
        "reports",
        "imports",
        "submissions",
        "settings",
        "directory",
        "audit",
        "api",
        "admin",
    ],
    "leader": [
        "home",
        "cockpit",
        "enterprises",
        "indicators",
        "chains",
        "opportunities",
        "pipeline",
        "projects",
        "supervision",
        "orders",
        "servicestats",
        "assessment",
        "reports",
        "directory",
        "audit",
        "api",
    ],
    "supervisor": [
        "home",
        "cockpit",
        "enterprises",
        "indicators",
        "chains",
        "opportunities",
        "pipeline",
        "projects",
        "supervision",
        "orders",
        "servicestats",
        "assessment",
        "reports",
        "settings",
        "directory",
        "audit",
        "api",
    ],
    "invest": [
        "home",
        "enterprises",
        "indicators",
        "chains",
        "opportunities",
        "pipeline",
        "projects",
        "supervision",
        "orders",
        "assessment",
        "reports",
        "settings",
        "directory",
        "api",
    ],
    "projects": [
        "home",
        "enterprises",
        "indicators",
        "chains",
        "opportunities",
        "projects",
        "supervision",
        "orders",
        "assessment",
        "reports",
        "settings",
        "directory",
        "api",
    ],
    "stats": [
        "home",
        "enterprises",
        "indicators",
        "chains",
        "opportunities",
        "projects",
        "orders",
        "assessment",
        "reports",
        "imports",
        "submissions",
        "settings",
        "directory",
        "api",
    ],
}


def login(page: Any, url: str, username: str) -> None:
    page.goto(f"{url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("zoneops-demo")
    page.get_by_role("button", name="登录").click()
    # Logged in once the shell names the user (waits for the redirect, however slow the machine).
    expect(page.get_by_test_id("who")).to_be_visible()


def nav_keys(page: Any) -> list[str]:
    return [el.get_attribute("data-nav") for el in page.locator("nav.sidenav a").all()]


@pytest.mark.parametrize("username", list(STAFF_NAV))
def test_staff_user_sees_their_pages_and_is_refused_the_others(
    page: Any, demo_url: str, username: str
) -> None:
    login(page, demo_url, username)
    # Leaders land on the cockpit, the supervision office on its board, the others on the home page.
    landing = {"leader": "/cockpit/", "supervisor": "/supervision/"}.get(username, "/")
    assert page.url == f"{demo_url}{landing}"
    page.goto(f"{demo_url}/home/")
    assert page.get_by_test_id("zone-name").inner_text() == "威海火炬高技术产业开发区"
    assert nav_keys(page) == STAFF_NAV[username]
    assert page.locator('[data-testid="cluster-row"]').count() == 5
    if username == "leader":
        screenshot(page, "home-leader")

    page.goto(f"{demo_url}/enterprises/")
    page.locator("#f-search").fill("Jabil")
    page.wait_for_selector("text=捷普电子（威海）有限公司")
    assert page.locator('[data-testid="enterprise-row"]').count() == 1
    if username == "leader":
        page.locator("#f-search").fill("")
        # The first page of the whole registry (25 rows) replaces the one search hit.
        expect(page.locator('[data-testid="enterprise-row"]')).to_have_count(25)
        screenshot(page, "enterprises-leader")

    audit = page.goto(f"{demo_url}/audit/")
    assert audit is not None
    assert audit.status == (200 if username in ("admin", "leader", "supervisor") else 403)
    admin = page.goto(f"{demo_url}/admin/")
    assert admin is not None
    if username == "admin":
        assert page.url == f"{demo_url}/admin/"
    else:
        assert "/admin/login/" in page.url
    new = page.goto(f"{demo_url}/enterprises/new/")
    assert new is not None
    assert new.status == (200 if username in ("admin", "invest", "stats") else 403)


@pytest.mark.parametrize(
    ("username", "own", "other"),
    [
        ("hp", "惠普打印机（威海）有限公司", "山东威高集团医用高分子制品股份有限公司"),
        ("weigao", "山东威高集团医用高分子制品股份有限公司", "惠普打印机（威海）有限公司"),
    ],
)
def test_enterprise_user_sees_only_their_enterprise(
    page: Any, demo_url: str, username: str, own: str, other: str
) -> None:
    login(page, demo_url, username)
    assert page.get_by_test_id("enterprise-name").inner_text() == own
    assert nav_keys(page) == ["home", "enterprises", "orders", "submit"]
    # Their home: their orders and their figures.
    expect(page.get_by_test_id("home-figures-table")).to_be_visible()
    if username == "hp":
        screenshot(page, "enterprise-hp")
    own_url = page.get_by_test_id("profile-link").get_attribute("href")
    own_id = int(re.search(r"/enterprises/(\d+)/", own_url).group(1))  # type: ignore[arg-type, union-attr]
    page.goto(f"{demo_url}/enterprises/")
    assert page.locator('[data-testid="enterprise-row"]').count() == 1
    page.locator("#f-search").fill(other[:4])
    page.wait_for_selector("text=没有符合条件的企业。")
    for path, status in (("/directory/", 403), ("/audit/", 403), ("/enterprises/new/", 403)):
        response = page.goto(f"{demo_url}{path}")
        assert response is not None
        assert response.status == status, path
    neighbour = page.goto(f"{demo_url}/enterprises/{own_id + 1}/")
    assert neighbour is not None
    assert neighbour.status == 404


def test_language_switch_to_english(page: Any, demo_url: str) -> None:
    login(page, demo_url, "stats")
    # The select submits its form on change; expect() waits for the reloaded page.
    page.select_option("#language-select", "en")
    expect(page.get_by_test_id("zone-name")).to_have_text(
        "Weihai Torch High-tech Industrial Development Zone"
    )
    expect(page.locator('nav.sidenav a[data-nav="enterprises"]')).to_have_text("Enterprises")
    page.select_option("#language-select", "zh-hans")
    expect(page.locator('nav.sidenav a[data-nav="enterprises"]')).to_have_text("企业")


def test_wrong_password_is_refused(page: Any, demo_url: str) -> None:
    page.goto(f"{demo_url}/login/")
    page.get_by_label("用户名").fill("leader")
    page.get_by_label("密码").fill("wrong")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_role("alert").inner_text().strip() == "用户名或密码错误。"


def test_indicator_dashboard_draws_its_charts(page: Any, demo_url: str) -> None:
    login(page, demo_url, "leader")
    page.goto(f"{demo_url}/indicators/")
    expect(page.locator('[data-testid="cluster-card"]')).to_have_count(5)
    # ECharts draws into a canvas inside each chart container once the page script has run.
    expect(page.locator("#trend-chart canvas")).to_have_count(1)
    expect(page.locator("#yoy-chart canvas")).to_have_count(1)
    screenshot(page, "indicators-leader")
