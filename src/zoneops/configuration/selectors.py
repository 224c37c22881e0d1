"""The zone's settings page: what each capability lets its owners set, read through that capability's own
readers — cluster targets (statistics), the monthly report deadline and the warning rules (key project
office), the assessment weights (supervision office), the investment target and stage limits (investment
bureau). Each section is shown only to the role that may change it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from zoneops.accounts.models import User
from zoneops.core.access import Perm, has_perm
from zoneops.projects.selectors import RuleSetting

YI = Decimal(100_000_000)  # 亿: targets are set and shown in 亿元 (100 million yuan)
TARGET_INDICATOR = "revenue"


@dataclass(frozen=True)
class TargetRow:
    cluster_id: int
    cluster: str
    target_yi: Decimal | None


@dataclass(frozen=True)
class WeightRow:
    measure: str
    label: str
    weight: int


@dataclass(frozen=True)
class StageLimitRow:
    stage: str
    label: str
    days: int


@dataclass
class ZoneSettings:
    year: int
    targets: list[TargetRow] | None = None  # None: the section is not the user's to set
    report_deadline_day: int | None = None
    rules: list[RuleSetting] | None = None
    weights: list[WeightRow] | None = None
    pipeline_target_yi: Decimal | None = None
    stage_limits: list[StageLimitRow] | None = None
    sections: list[str] = field(default_factory=list)


def sections_of(user: User) -> list[str]:
    """The settings sections this user may change, in page order."""
    owners = (
        ("targets", Perm.INDICATOR_IMPORT),
        ("scheduling", Perm.PROJECT_EDIT),
        ("assessment", Perm.SUPERVISION_MANAGE),
        ("pipeline", Perm.LEAD_EDIT),
    )
    return [section for section, perm in owners if has_perm(user, perm)]


def zone_settings(*, user: User, year: int) -> ZoneSettings:
    from zoneops.chains.models import Cluster
    from zoneops.indicators.models import ClusterTarget
    from zoneops.investment.models import LeadStage
    from zoneops.investment.selectors import year_targets
    from zoneops.investment.services import stage_limits
    from zoneops.projects.selectors import warning_rules
    from zoneops.projects.services import deadline_day
    from zoneops.supervision.assessment import MEASURE_LABELS, zone_weights

    zone_id = user.zone_id or 0
    result = ZoneSettings(year=year, sections=sections_of(user))
    if not result.sections or user.zone_id is None:
        # Nothing to set: the page refuses (the navigation does not show it either).
        raise PermissionDenied(_("Your role may not do this."))
    if "targets" in result.sections:
        set_values = dict(
            ClusterTarget.objects.filter(
                zone_id=zone_id, indicator_id=TARGET_INDICATOR, year=year
            ).values_list("cluster_id", "value")
        )
        result.targets = [
            TargetRow(c.pk, c.name, set_values[c.pk] / YI if c.pk in set_values else None)
            for c in Cluster.objects.filter(zone_id=zone_id).order_by("sort_order", "code")
        ]
    if "scheduling" in result.sections:
        result.report_deadline_day = deadline_day(zone_id=zone_id)
        result.rules = list(warning_rules(zone_id=zone_id))
    if "assessment" in result.sections:
        weights = zone_weights(zone_id)
        result.weights = [WeightRow(m, str(label), weights.get(m, 0)) for m, label in MEASURE_LABELS.items()]
    if "pipeline" in result.sections:
        targets = year_targets(zone_id)
        result.pipeline_target_yi = Decimal(targets[str(year)]) / YI if str(year) in targets else None
        result.stage_limits = [
            StageLimitRow(stage, str(LeadStage(stage).label), days)
            for stage, days in stage_limits(zone_id).items()
        ]
    return result
