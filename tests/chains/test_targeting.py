"""Opportunity ranking over a peer matrix: ranks, weights, positions and reasons."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from zoneops.accounts.models import Zone
from zoneops.chains.services import peer_dataset_load
from zoneops.chains.targeting import STRATEGIES, _ranks, opportunities, weights_for
from zoneops.core.errors import InvalidInput

pytestmark = pytest.mark.django_db


def test_percentile_ranks_share_ties_and_put_nan_last() -> None:
    ranks = _ranks(np.array([3.0, 1.0, 3.0, np.nan, 2.0]))
    assert ranks.tolist() == [0.875, 0.25, 0.875, 0.0, 0.5]


def test_weights_override_the_preset_and_refuse_nonsense() -> None:
    assert weights_for(strategy="balanced", overrides={"pci": 1.0}).pci == 1.0
    assert weights_for(strategy="low_hanging", overrides={}) == STRATEGIES["low_hanging"]
    with pytest.raises(InvalidInput) as raised:
        weights_for(strategy="everything")
    assert raised.value.errors[0].field == "strategy"
    with pytest.raises(InvalidInput):
        weights_for(
            strategy="balanced", overrides={"pci": 0.0, "cog": 0.0, "market_size": 0.0, "market_growth": 0.0}
        )
    with pytest.raises(InvalidInput):
        weights_for(strategy="balanced", overrides={"cog": -1.0})


def _small_matrix(zone: Zone, user: Any) -> None:
    # Home makes 3913 and 3982; zones that make both also make 3976; nobody near home makes 1811.
    rows = []
    for year, factor in ((2020, 1.0), (2021, 1.2)):
        rows += [
            (year, "Home", "3913", 50 * factor),
            (year, "Home", "3982", 40 * factor),
            (year, "Home", "3976", 1),
            (year, "P1", "3913", 30),
            (year, "P1", "3982", 30),
            (year, "P1", "3976", 30),
            (year, "P2", "3913", 20),
            (year, "P2", "3982", 25),
            (year, "P2", "3976", 20),
            (year, "P3", "1811", 80),
            (year, "P3", "1713", 60),
            (year, "P4", "1811", 70),
            (year, "P4", "1713", 40),
            (year, "P4", "3976", 5),
        ]
    peer_dataset_load(
        actor=user,
        zone=zone,
        name="small",
        home_location="Home",
        rows=[(str(y), loc, ind, str(v)) for y, loc, ind, v in rows],
    )


def test_positions_and_reasons_on_a_small_matrix(zone: Zone, user_of: Any) -> None:
    _small_matrix(zone, user_of("invest"))
    table = opportunities(user=user_of("invest"), include_present=True)
    assert table.locations == 5
    by_code = {o.industry: o for o in table.opportunities}
    assert by_code["3913"].position in ("strength", "threat")
    assert by_code["3982"].position in ("strength", "threat")
    assert by_code["3976"].present is True
    assert by_code["3976"].rca < 1
    assert by_code["3976"].position == "opportunity"
    assert by_code["1811"].position == "weakness"
    assert by_code["3976"].density > by_code["1811"].density
    assert by_code["3976"].feasibility > by_code["1811"].feasibility
    assert [r.industry for r in by_code["3976"].related] == ["3913", "3982"]
    assert by_code["3976"].reasons[0].startswith("Feasible: related to the zone's strengths 3913")
    assert by_code["1811"].reasons[0] == "Little related local capability: a long jump."
    ranked = opportunities(user=user_of("invest"))
    assert {o.industry for o in ranked.opportunities} == {"3976", "1811", "1713"}
    assert ranked.opportunities[0].industry == "3976"


def test_enterprise_users_may_not_rank(zone: Zone, user_of: Any) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        opportunities(user=user_of("hp"))
