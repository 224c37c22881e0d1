"""The steps that build the demo zone, in order. Later capabilities append their own step here.

A step runs once per zone and is recorded with its version; raising a step's version makes the next
``zoneops demo`` run it again (steps are written to be re-runnable: they upsert on natural keys).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from zoneops.accounts.models import Zone
from zoneops.demo import chains, figures, investment, projects, servicedesk, weihai


@dataclass(frozen=True)
class DemoStepSpec:
    name: str
    version: int
    run: Callable[[Zone], object]


STEPS: tuple[DemoStepSpec, ...] = (
    DemoStepSpec("registry", 1, weihai.load_registry),
    DemoStepSpec("users", 1, weihai.load_users),
    DemoStepSpec("figures", 1, figures.load_figures),
    DemoStepSpec("chains", 1, chains.load_chains),
    DemoStepSpec("supply", 1, chains.load_supply),
    DemoStepSpec("peers", 1, chains.load_peers),
    DemoStepSpec("projects", 1, projects.load_projects),
    DemoStepSpec("service catalogue", 1, servicedesk.load_catalogue),
    DemoStepSpec("service orders", 1, servicedesk.load_orders),
    DemoStepSpec("investment leads", 1, investment.load_leads),
)
