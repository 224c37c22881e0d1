"""The assessment weights the supervision office sets."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from zoneops.accounts.models import Zone
from zoneops.core.errors import InvalidInput
from zoneops.supervision.assessment import DEFAULT_WEIGHTS, zone_weights
from zoneops.supervision.models import AssessmentScheme
from zoneops.supervision.services import assessment_weights_set

pytestmark = pytest.mark.django_db

CHOSEN = {
    "milestone_on_time": 30,
    "investment_completion": 30,
    "report_timeliness": 20,
    "supervision_on_time": 20,
    "service_orders": 0,
}


def test_the_weights_replace_the_zones_scheme(zone: Zone, user_of: Any) -> None:
    before = zone_weights(zone.pk)
    scheme = assessment_weights_set(actor=user_of("supervisor"), zone=zone, weights=dict(CHOSEN))
    assert zone_weights(zone.pk) == CHOSEN != before
    assert AssessmentScheme.objects.filter(zone=zone, is_default=True).count() == 1
    assert scheme.weights == CHOSEN


@pytest.mark.parametrize(
    ("weights", "fields"),
    [
        ({**CHOSEN, "service_orders": 101}, ["weights.service_orders"]),
        ({**CHOSEN, "service_orders": -1}, ["weights.service_orders"]),
        ({**CHOSEN, "popularity": 5}, ["weights.popularity"]),
        ({k: v for k, v in CHOSEN.items() if k != "report_timeliness"}, ["weights.report_timeliness"]),
        (dict.fromkeys(DEFAULT_WEIGHTS, 0), ["weights"]),
    ],
)
def test_bad_weights_change_nothing(
    zone: Zone, user_of: Any, weights: dict[str, int], fields: list[str]
) -> None:
    before = zone_weights(zone.pk)
    with pytest.raises(InvalidInput) as caught:
        assessment_weights_set(actor=user_of("supervisor"), zone=zone, weights=weights)
    assert [e.field for e in caught.value.errors] == fields
    assert zone_weights(zone.pk) == before


@pytest.mark.parametrize("username", ["leader", "projects", "invest", "stats", "hp"])
def test_only_the_supervision_office_sets_them(zone: Zone, user_of: Any, username: str) -> None:
    before = zone_weights(zone.pk)
    with pytest.raises(PermissionDenied):
        assessment_weights_set(actor=user_of(username), zone=zone, weights=dict(CHOSEN))
    assert zone_weights(zone.pk) == before
