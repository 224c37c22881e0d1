"""Handles on the demo zone's key projects."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import translation

from zoneops.accounts.models import Zone
from zoneops.projects.models import KeyProject, Milestone, Problem
from zoneops.projects.services import problem_raise


@dataclass(frozen=True)
class HpProject:
    project: KeyProject
    milestone: Milestone
    problem: Problem


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def hp_project(zone: Zone, user_of: Any) -> HpProject:
    project = KeyProject.objects.get(zone=zone, year=2022, code="SD-2022-001")
    problem = problem_raise(
        actor=user_of("projects"), project=project, description="厂区外电源接入需供电公司协调"
    )
    return HpProject(
        project=project, milestone=project.milestones.order_by("sort_order").last(), problem=problem
    )  # type: ignore[arg-type]


@pytest.fixture
def api_en(api_as: Any) -> Any:
    def make(username: str | None) -> Any:
        client = api_as(username)
        client.headers["Accept-Language"] = "en"
        return client

    return make
