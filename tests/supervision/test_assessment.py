"""The department assessment read without the previous quarter (the cockpit's ranking)."""

from __future__ import annotations

from typing import Any

import pytest

from zoneops.supervision.assessment import assessment

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("period", ["2022Q1", "2021Q4", "2021"])
def test_the_ranking_alone_is_the_full_assessments(user_of: Any, period: str) -> None:
    leader = user_of("leader")
    full = assessment(user=leader, period_code=period)
    alone = assessment(user=leader, period_code=period, with_change=False)
    assert full
    assert [(r.department_id, r.rank, r.score, r.breakdown) for r in alone] == [
        (r.department_id, r.rank, r.score, r.breakdown) for r in full
    ]
    assert all(r.previous_score is None and r.change is None for r in alone)
    if period == "2022Q1":  # 2021Q4 was scored too, so the full read has a change to show
        assert any(r.previous_score is not None for r in full)
