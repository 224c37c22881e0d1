"""Saving a section of the zone settings page: the form's fields parsed and checked, then written through
the owning capability's services, all or nothing (one transaction per section)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from zoneops.accounts.models import User, Zone
from zoneops.configuration.selectors import TARGET_INDICATOR, YI
from zoneops.core.errors import FieldError, InvalidInput


def _whole(text: str, field: str, errors: list[FieldError]) -> int | None:
    text = text.strip()
    if not text.isdigit():
        errors.append(FieldError(field, _("Enter a whole number.")))
        return None
    return int(text)


def _number(text: str, field: str, errors: list[FieldError]) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        errors.append(FieldError(field, _("Enter a number.")))
        return None
    if not value.is_finite():
        errors.append(FieldError(field, _("Enter a number.")))
        return None
    return value


def _yi(text: str, field: str, errors: list[FieldError]) -> Decimal | None:
    """An amount typed in 亿元, in yuan; None when left empty."""
    text = text.strip().replace(",", "")
    if not text:
        return None
    amount = _number(text, field, errors)
    if amount is None:
        return None
    if amount <= 0:
        errors.append(FieldError(field, _("A target must be positive.")))
        return None
    return (amount * YI).quantize(Decimal("0.01"))


def _save_targets(user: User, zone: Zone, year: int, form: Mapping[str, str]) -> None:
    from zoneops.chains.models import Cluster
    from zoneops.indicators.services import cluster_target_set

    errors: list[FieldError] = []
    chosen = []
    for cluster in Cluster.objects.filter(zone=zone).order_by("sort_order", "code"):
        value = _yi(form.get(f"target-{cluster.pk}", ""), f"target-{cluster.pk}", errors)
        if value is not None:
            chosen.append((cluster.pk, value))
    if errors:
        raise InvalidInput(errors)
    for cluster_id, value in chosen:
        cluster_target_set(
            actor=user, zone=zone, cluster_id=cluster_id, indicator=TARGET_INDICATOR, year=year, value=value
        )


def _save_scheduling(user: User, zone: Zone, form: Mapping[str, str]) -> None:
    from zoneops.projects.selectors import warning_rules
    from zoneops.projects.services import report_deadline_set, warning_rule_set, warnings_refresh

    errors: list[FieldError] = []
    day = _whole(form.get("report_deadline_day", ""), "report_deadline_day", errors)
    thresholds = []
    for rule in warning_rules(zone_id=zone.pk):
        amber, red = (
            _number(form.get(f"{edge}-{rule.code}", ""), f"{edge}-{rule.code}", errors)
            for edge in ("amber", "red")
        )
        thresholds.append((rule.code, amber, red, form.get(f"enabled-{rule.code}") == "on"))
    if errors:
        raise InvalidInput(errors)
    assert day is not None
    report_deadline_set(actor=user, zone=zone, day=day, refresh=False)
    for code, amber, red, enabled in thresholds:
        assert amber is not None
        assert red is not None
        try:
            warning_rule_set(
                actor=user, zone=zone, code=code, amber=amber, red=red, enabled=enabled, refresh=False
            )
        except InvalidInput as exc:
            raise InvalidInput([FieldError(f"{e.field}-{code}", e.message) for e in exc.errors]) from exc
    # One recomputation of every project's warnings for the whole section.
    warnings_refresh(zone=zone)


def _save_assessment(user: User, zone: Zone, form: Mapping[str, str]) -> None:
    from zoneops.supervision.assessment import MEASURE_LABELS
    from zoneops.supervision.services import assessment_weights_set

    errors: list[FieldError] = []
    weights = {m: _whole(form.get(f"weight-{m}", ""), f"weights.{m}", errors) for m in MEASURE_LABELS}
    if errors:
        raise InvalidInput(errors)
    assessment_weights_set(actor=user, zone=zone, weights={m: w for m, w in weights.items() if w is not None})


def _save_pipeline(user: User, zone: Zone, year: int, form: Mapping[str, str]) -> None:
    from zoneops.investment.selectors import year_targets
    from zoneops.investment.services import pipeline_settings_set, stage_limits

    errors: list[FieldError] = []
    target = _yi(form.get("pipeline_target", ""), "pipeline_target", errors)
    limits = {
        s: _whole(form.get(f"limit-{s}", ""), f"stage_limits.{s}", errors) for s in stage_limits(zone.pk)
    }
    if errors:
        raise InvalidInput(errors)
    targets: dict[str, object] = dict(year_targets(zone.pk))
    if target is not None:
        targets[str(year)] = str(target)
    else:
        targets.pop(str(year), None)
    pipeline_settings_set(actor=user, zone=zone, stage_limits=limits, year_targets=targets)


@transaction.atomic
def settings_section_save(
    *, actor: User, zone: Zone, section: str, year: int, form: Mapping[str, str]
) -> None:
    """Save one section of the settings page from its form; each owning service checks the permission."""
    if section == "targets":
        _save_targets(actor, zone, year, form)
    elif section == "scheduling":
        _save_scheduling(actor, zone, form)
    elif section == "assessment":
        _save_assessment(actor, zone, form)
    elif section == "pipeline":
        _save_pipeline(actor, zone, year, form)
    else:
        raise InvalidInput.single("section", _("Unknown section."))
