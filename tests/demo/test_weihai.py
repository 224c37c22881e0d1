"""The demo zone reproduces the article's facts."""

from __future__ import annotations

from typing import Any

import pytest

from zoneops.accounts.models import Role, User
from zoneops.chains.models import Cluster, ClusterMembership
from zoneops.demo import weihai
from zoneops.demo.models import DemoStep
from zoneops.demo.services import demo_load
from zoneops.enterprises import uscc
from zoneops.enterprises.models import Enterprise, IndustryLevel

pytestmark = pytest.mark.django_db


def test_zone_is_weihai_torch_pinned_to_the_article_date(zone: Any) -> None:
    assert (zone.name, zone.name_en, str(zone.clock_date)) == (
        "威海火炬高技术产业开发区",
        "Weihai Torch High-tech Industrial Development Zone",
        "2022-05-08",
    )


def test_five_clusters_two_of_them_100_billion() -> None:
    clusters = list(Cluster.objects.order_by("sort_order").values_list("name_en", "tier"))
    assert clusters == [
        ("Electronic Information & Intelligent Manufacturing", "hundred_billion"),
        ("Medical Devices & Biomedicine", "hundred_billion"),
        ("New Materials & Products", "ten_billion"),
        ("High-end Equipment & Robotics", "ten_billion"),
        ("Fashion & Apparel", "ten_billion"),
    ]


def test_the_four_fortune_global_500_firms_are_in_electronics() -> None:
    firms = Enterprise.objects.filter(fortune_global_500=True).order_by("name_en")
    assert [f.short_name for f in firms] == ["富士康", "惠普", "捷普", "联想图像"]
    assert {c.code for f in firms for c in f.clusters.all()} == {"electronics"}


def test_chain_masters_are_hp_weigao_and_dishang() -> None:
    masters = ClusterMembership.objects.filter(is_chain_master=True).select_related("enterprise", "cluster")
    assert sorted((m.enterprise.short_name, m.cluster.code) for m in masters) == [
        ("威高", "medical"),
        ("惠普", "electronics"),
        ("迪尚", "fashion"),
    ]


def test_a_few_hundred_synthetic_enterprises_say_so_and_fit_their_cluster() -> None:
    synthetic = Enterprise.objects.filter(is_synthetic=True).select_related("industry")
    assert synthetic.count() == weihai.SYNTHETIC_COUNT
    allowed = {
        p.code: {c for c, _zh, _en in p.products}
        for p in __import__("zoneops.demo.synthetic", fromlist=["CLUSTER_PROFILES"]).CLUSTER_PROFILES
    }
    for enterprise in synthetic.prefetch_related("clusters"):
        assert enterprise.name.endswith("（示例）")
        assert enterprise.name_en.endswith("(synthetic)")
        assert uscc.is_valid(enterprise.uscc)
        assert enterprise.industry.level == IndustryLevel.CLASS
        (cluster,) = enterprise.clusters.all()
        assert enterprise.industry_id in allowed[cluster.code]
    assert Enterprise.objects.values("uscc").distinct().count() == Enterprise.objects.count()


def test_demo_users_have_their_roles() -> None:
    users = {u.username: u for u in User.objects.select_related("department", "enterprise")}
    expected = {
        "admin": Role.ZONE_ADMIN,
        "leader": Role.LEADER,
        "supervisor": Role.SUPERVISOR,
        "invest": Role.DEPARTMENT_STAFF,
        "projects": Role.DEPARTMENT_STAFF,
        "stats": Role.STATISTICIAN,
        "land": Role.DEPARTMENT_STAFF,
        "hp": Role.ENTERPRISE_USER,
        "weigao": Role.ENTERPRISE_USER,
    }
    assert {name: users[name].role for name in expected} == expected
    assert users["invest"].department.code == "investment"  # type: ignore[union-attr]
    assert users["projects"].department.code == "projects"  # type: ignore[union-attr]
    assert users["land"].department.code == "land"  # type: ignore[union-attr]
    assert users["land"].department.head == users["land"]  # type: ignore[union-attr]
    assert users["hp"].enterprise.short_name == "惠普"  # type: ignore[union-attr]
    assert users["weigao"].enterprise.short_name == "威高"  # type: ignore[union-attr]
    assert all(users[name].check_password("zoneops-demo") for name in expected)


def test_loading_again_changes_nothing() -> None:
    counts = (Enterprise.objects.count(), User.objects.count(), ClusterMembership.objects.count())
    result = demo_load()
    assert result.ran == []
    assert result.skipped == [s.name for s in DemoStep.objects.order_by("pk")]
    assert (Enterprise.objects.count(), User.objects.count(), ClusterMembership.objects.count()) == counts


def test_a_raised_step_version_reruns_that_step_idempotently(monkeypatch: pytest.MonkeyPatch) -> None:
    from zoneops.demo import steps

    counts = (Enterprise.objects.count(), ClusterMembership.objects.count())
    bumped = tuple(
        steps.DemoStepSpec(s.name, s.version + 1 if s.name == "registry" else s.version, s.run)
        for s in steps.STEPS
    )
    monkeypatch.setattr("zoneops.demo.services.STEPS", bumped)
    assert demo_load().ran == ["registry"]
    assert (Enterprise.objects.count(), ClusterMembership.objects.count()) == counts
