"""Saving a settings section directly: the owning service's permission holds even without the page."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from zoneops.accounts.models import Zone
from zoneops.configuration.services import settings_section_save
from zoneops.core.errors import InvalidInput
from zoneops.projects.services import deadline_day
from zoneops.supervision.assessment import zone_weights

pytestmark = pytest.mark.django_db


def test_an_unknown_section_is_refused(zone: Zone, user_of: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        settings_section_save(actor=user_of("admin"), zone=zone, section="colours", year=2022, form={})
    assert [e.field for e in caught.value.errors] == ["section"]


@pytest.mark.parametrize(
    ("username", "section", "form"),
    [
        ("stats", "scheduling", {"report_deadline_day": "20"}),
        ("projects", "assessment", {"weight-milestone_on_time": "50"}),
        ("invest", "targets", {}),
        ("supervisor", "pipeline", {"pipeline_target": "10"}),
    ],
)
def test_a_section_is_its_owners_only(
    zone: Zone, user_of: Any, username: str, section: str, form: dict[str, str]
) -> None:
    from zoneops.chains.models import Cluster

    if section == "targets":
        cluster = Cluster.objects.filter(zone=zone).order_by("pk").first()
        assert cluster is not None
        form = {f"target-{cluster.pk}": "10"}
    if section == "assessment":
        form = {f"weight-{m}": "20" for m in zone_weights(zone.pk)}
    if section == "pipeline":
        from zoneops.investment.services import stage_limits

        form |= {f"limit-{s}": "30" for s in stage_limits(zone.pk)}
    if section == "scheduling":
        from zoneops.projects.selectors import warning_rules

        for rule in warning_rules(zone_id=zone.pk):
            form |= {f"amber-{rule.code}": str(rule.amber), f"red-{rule.code}": str(rule.red)}
    weights, day = zone_weights(zone.pk), deadline_day(zone_id=zone.pk)
    with pytest.raises(PermissionDenied):
        settings_section_save(actor=user_of(username), zone=zone, section=section, year=2023, form=form)
    assert (zone_weights(zone.pk), deadline_day(zone_id=zone.pk)) == (weights, day)
