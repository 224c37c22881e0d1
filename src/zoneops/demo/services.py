"""Loading the demo zone (idempotent: a second run reuses the data and adds only new steps)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from zoneops.accounts.models import Zone
from zoneops.core.services import audit_record
from zoneops.demo import weihai
from zoneops.demo.models import DemoStep
from zoneops.demo.steps import STEPS


@dataclass(frozen=True)
class DemoLoadResult:
    zone: Zone
    ran: list[str]
    skipped: list[str]


def demo_load() -> DemoLoadResult:
    """Create or complete the demo zone. Each step commits on its own, so an interrupted load resumes."""
    with transaction.atomic():
        zone = weihai.load_zone()
    ran: list[str] = []
    skipped: list[str] = []
    for step in STEPS:
        done = DemoStep.objects.filter(zone=zone, name=step.name).first()
        if done is not None and done.version >= step.version:
            skipped.append(step.name)
            continue
        with transaction.atomic():
            step.run(zone)
            record, _ = DemoStep.objects.update_or_create(
                zone=zone, name=step.name, defaults={"version": step.version, "loaded_at": timezone.now()}
            )
            audit_record(
                actor=None,
                action="demo.load_step",
                instance=record,
                zone=zone,
                after={"step": step.name, "version": step.version},
            )
        ran.append(step.name)
    return DemoLoadResult(zone=zone, ran=ran, skipped=skipped)
