"""Writes of the statistics side: imports (staged → validated → published), publishing values with their
history, cluster targets. Every write is atomic and audited."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zoneops.accounts.models import User, Zone
from zoneops.core.access import Perm, require_perm
from zoneops.core.errors import InvalidInput
from zoneops.core.services import audit_record
from zoneops.indicators.models import (
    ClusterTarget,
    ImportBatch,
    ImportStatus,
    IndicatorValue,
    IndicatorValueRevision,
    MonthlySubmission,
)
from zoneops.indicators.parsing import CellProblem, FileUnreadable, parse_sheet, read_rows
from zoneops.indicators.totals import totals_refresh
from zoneops.indicators.validation import Key, validate_sheet

MAX_FILE_BYTES = 50 * 1024 * 1024
ACCEPTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")


@dataclass(frozen=True)
class PublishCounts:
    created: int
    updated: int
    unchanged: int

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def values_publish(
    *,
    zone: Zone,
    values: Mapping[Key, Decimal],
    batch: ImportBatch | None = None,
    submission: MonthlySubmission | None = None,
) -> PublishCounts:
    """Upsert monthly values on (enterprise, indicator, period). A changed value keeps its predecessor
    as a revision; an equal value is left alone, so publishing the same figures twice changes nothing.
    Must run inside the caller's transaction; refreshes the totals of the years touched."""
    if not values:
        return PublishCounts(0, 0, 0)
    moment = timezone.now()
    enterprise_ids = {k[0] for k in values}
    periods = {k[2] for k in values}
    existing = {
        (v.enterprise_id, v.indicator_id, v.period): v
        for v in IndicatorValue.objects.filter(
            enterprise_id__in=enterprise_ids, indicator_id__in={k[1] for k in values}, period__in=periods
        )
    }
    created: list[IndicatorValue] = []
    changed: list[IndicatorValue] = []
    history: list[IndicatorValueRevision] = []
    unchanged = 0
    for (enterprise_id, code, period), value in values.items():
        current = existing.get((enterprise_id, code, period))
        if current is None:
            created.append(
                IndicatorValue(
                    zone=zone,
                    enterprise_id=enterprise_id,
                    indicator_id=code,
                    period=period,
                    value=value,
                    batch=batch,
                    submission=submission,
                    revision=1,
                    updated_at=moment,
                )
            )
            continue
        if current.value == value:
            unchanged += 1
            continue
        history.append(
            IndicatorValueRevision(
                zone=zone,
                enterprise_id=enterprise_id,
                indicator_id=code,
                period=period,
                revision=current.revision,
                value=current.value,
                batch_id=current.batch_id,
                submission_id=current.submission_id,
                replaced_at=moment,
                replaced_by_batch=batch,
                replaced_by_submission=submission,
            )
        )
        current.value = value
        current.batch = batch
        current.submission = submission
        current.revision += 1
        current.updated_at = moment
        changed.append(current)
    IndicatorValue.objects.bulk_create(created, batch_size=5_000)
    IndicatorValueRevision.objects.bulk_create(history, batch_size=5_000)
    IndicatorValue.objects.bulk_update(
        changed, ["value", "batch", "submission", "revision", "updated_at"], batch_size=5_000
    )
    if created or changed:
        touched = created + changed
        totals_refresh(
            zone=zone, codes={v.indicator_id for v in touched}, years={v.period.year for v in touched}
        )
    return PublishCounts(created=len(created), updated=len(changed), unchanged=unchanged)


def _problems(items: list[CellProblem]) -> list[dict[str, object]]:
    return [{"row": p.row, "column": p.column, "message": p.message} for p in items]


@transaction.atomic
def import_start(
    *,
    actor: User,
    zone: Zone,
    file_name: str,
    content: bytes,
    cumulative: bool | None = None,
    declared_period: dt.date | None = None,
    dry_run: bool = False,
    enqueue: bool = True,
) -> ImportBatch:
    """Accept a file for import and queue its validation; the job publishes it if it is clean.
    ``enqueue=False`` leaves running the job to the caller (the shell command runs it in the foreground)."""
    require_perm(actor, Perm.INDICATOR_IMPORT)
    if not file_name.lower().endswith(ACCEPTED_SUFFIXES):
        raise InvalidInput.single("file", _("Upload an Excel (.xlsx, .xls, .ods) or CSV file."))
    if not content:
        raise InvalidInput.single("file", _("The file is empty."))
    if len(content) > MAX_FILE_BYTES:
        raise InvalidInput.single("file", _("The file is larger than 50 MB."))
    batch = ImportBatch.objects.create(
        zone=zone,
        created_by=actor,
        file_name=file_name[:255],
        file_sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        language=actor.language or translation.get_language() or "zh-hans",
        cumulative=bool(cumulative),
        dry_run=dry_run,
        declared_period=declared_period,
        status=ImportStatus.RUNNING,
    )
    audit_record(
        actor=actor,
        action="indicator_import.start",
        instance=batch,
        after={"file": batch.file_name, "sha256": batch.file_sha256, "dry_run": dry_run},
    )
    from zoneops.indicators.tasks import run_import

    # cumulative=None means "detect from the headers (累计)".
    detect = cumulative is None
    if enqueue:
        transaction.on_commit(lambda: run_import(batch.pk, detect))
    return batch


def _set_progress(batch: ImportBatch, percent: int) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(progress=percent)


def import_run(
    *, batch_id: int, detect_cumulative: bool = True, accept_warnings: bool = False
) -> ImportBatch:
    """Validate the whole file; reject it with every problem, or publish it whole (one transaction)."""
    batch = ImportBatch.objects.select_related("zone", "created_by").get(pk=batch_id)
    with translation.override(batch.language):
        try:
            rows = read_rows(content=bytes(batch.content), file_name=batch.file_name)
        except FileUnreadable as unreadable:
            return _finish(
                batch, ImportStatus.REJECTED, errors=[{"row": 0, "column": "", "message": str(unreadable)}]
            )
        _set_progress(batch, 20)
        sheet = parse_sheet(rows, cumulative=None if detect_cumulative else batch.cumulative)
        _set_progress(batch, 40)
        checked = validate_sheet(zone=batch.zone, sheet=sheet, declared_period=batch.declared_period)
        _set_progress(batch, 70)
        batch.cumulative = sheet.cumulative
        batch.rows = checked.rows
        batch.periods = [f"{p:%Y-%m}" for p in checked.periods]
        if checked.errors:
            return _finish(
                batch,
                ImportStatus.REJECTED,
                errors=_problems(checked.errors),
                warnings=_problems(checked.warnings),
            )
        if checked.warnings and not accept_warnings:
            return _finish(batch, ImportStatus.AWAITING_CONFIRMATION, warnings=_problems(checked.warnings))
        if batch.dry_run:
            return _finish(
                batch,
                ImportStatus.COMPLETED,
                warnings=_problems(checked.warnings),
                counts=_dry_counts(checked.values),
            )
        with transaction.atomic():
            counts = values_publish(zone=batch.zone, values=checked.values, batch=batch)
            finished = _finish(
                batch, ImportStatus.COMPLETED, warnings=_problems(checked.warnings), counts=counts.as_dict()
            )
            audit_record(
                actor=batch.created_by,
                action="indicator_import.publish",
                instance=batch,
                after={"counts": counts.as_dict(), "periods": batch.periods},
            )
        return finished


def _dry_counts(values: Mapping[Key, Decimal]) -> dict[str, int]:
    existing = {
        (v.enterprise_id, v.indicator_id, v.period): v.value
        for v in IndicatorValue.objects.filter(
            enterprise_id__in={k[0] for k in values}, period__in={k[2] for k in values}
        ).only("enterprise_id", "indicator_id", "period", "value")
    }
    created = sum(1 for k in values if k not in existing)
    unchanged = sum(1 for k, v in values.items() if existing.get(k) == v)
    return {"created": created, "updated": len(values) - created - unchanged, "unchanged": unchanged}


def _finish(
    batch: ImportBatch,
    status: str,
    *,
    errors: list[dict[str, object]] | None = None,
    warnings: list[dict[str, object]] | None = None,
    counts: dict[str, int] | None = None,
) -> ImportBatch:
    batch.status = status
    batch.errors = errors or []
    batch.warnings = warnings or []
    batch.counts = counts or {"created": 0, "updated": 0, "unchanged": 0}
    batch.progress = 100
    batch.finished_at = timezone.now()
    batch.save(
        update_fields=[
            "status",
            "errors",
            "warnings",
            "counts",
            "progress",
            "finished_at",
            "cumulative",
            "rows",
            "periods",
            "updated_at",
        ]
    )
    return batch


def import_confirm(*, actor: User, batch: ImportBatch) -> ImportBatch:
    """A statistician accepts the warnings of a clean file; it is validated again and published."""
    require_perm(actor, Perm.INDICATOR_IMPORT)
    if batch.status != ImportStatus.AWAITING_CONFIRMATION:
        raise InvalidInput.single("status", _("Only an import awaiting confirmation can be confirmed."))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="indicator_import.confirm",
            instance=batch,
            after={"warnings": len(batch.warnings)},
        )
    return import_run(batch_id=batch.pk, detect_cumulative=False, accept_warnings=True)


@transaction.atomic
def cluster_target_set(
    *, actor: User | None, zone: Zone, cluster_id: int, indicator: str, year: int, value: Decimal
) -> ClusterTarget:
    if actor is not None:
        require_perm(actor, Perm.INDICATOR_IMPORT)
    if value <= 0:
        raise InvalidInput.single("value", _("A target must be positive."))
    target, created = ClusterTarget.objects.update_or_create(
        zone=zone, cluster_id=cluster_id, indicator_id=indicator, year=year, defaults={"value": value}
    )
    audit_record(
        actor=actor,
        action="cluster_target.set",
        instance=target,
        after={
            "cluster": cluster_id,
            "indicator": indicator,
            "year": year,
            "value": str(value),
            "created": created,
        },
    )
    return target
