"""The chain map in a real browser: it renders, and a node click shows its enterprises and candidates."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_roles import login

pytestmark = pytest.mark.browser


def test_chain_map_renders_and_a_node_click_shows_enterprises_and_candidates(
    page: Any, demo_url: str
) -> None:
    login(page, demo_url, "invest")
    page.goto(f"{demo_url}/chains/")
    page.get_by_role("link", name="打印机产业链").click()
    chain_map = page.get_by_test_id("chain-map")
    # ECharts draws into a canvas inside the map once the graph is set.
    expect(chain_map.locator("canvas")).to_have_count(1)
    box = chain_map.bounding_box()
    assert box is not None
    assert box["height"] > 500

    # Click the "print head" node on the canvas: its position comes from the chart itself.
    point = page.evaluate(
        """() => {
            const chart = echarts.getInstanceByDom(document.getElementById('chain-map'));
            const data = chart.getOption().series[0].data;
            const index = data.findIndex((n) => n.name === '打印头');
            return chart.convertToPixel({seriesIndex: 0}, [data[index].x, data[index].y]);
        }"""
    )
    chain_map.click(position={"x": point[0], "y": point[1]})
    panel = page.get_by_test_id("node-detail")
    expect(panel.locator("h2")).to_contain_text("打印头")
    expect(panel.get_by_test_id("node-enterprises")).to_contain_text("本区尚无")
    candidates = panel.get_by_test_id("node-candidates").locator("li")
    expect(candidates.first).to_contain_text("打印头")
    assert candidates.count() >= 3
    screenshot(page, "chain-map")

    # A strong node lists its local enterprises.
    page.get_by_role("button", name="整机制造").click()
    expect(panel.locator("h2")).to_contain_text("整机制造")
    expect(panel.get_by_test_id("node-enterprises")).to_contain_text("惠普打印机（威海）有限公司")

    # Start a lead from the best candidate of the print-head gap.
    page.get_by_role("button", name="打印头").click()
    expect(panel.locator("h2")).to_contain_text("打印头")
    panel.get_by_role("button", name="发起线索").first.click()
    expect(panel.get_by_role("status")).to_contain_text("线索")


def test_opportunity_matrix_renders(page: Any, demo_url: str) -> None:
    login(page, demo_url, "leader")
    page.goto(f"{demo_url}/chains/opportunities/")
    expect(page.get_by_test_id("opportunity-chart").locator("canvas")).to_have_count(1)
    rows = page.get_by_test_id("opportunity-table").locator("tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() == 100
    screenshot(page, "opportunities")
