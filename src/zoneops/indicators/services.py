"""Writes of the statistics side: imports (staged → validated → published), publishing values with their
history, cluster targets. Every write is atomic and audited."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from numpy.typing import NDArray

from zoneops.accounts.models import Role, User, Zone
from zoneops.core import clock
from zoneops.core.access import Perm, is_enterprise_user, require_perm
from zoneops.core.bulk import Labels, Scaled, insert_columns, insert_rows, select_columns
from zoneops.core.errors import FieldError, InvalidInput
from zoneops.core.services import audit_record, notify
from zoneops.enterprises.models import Enterprise
from zoneops.indicators.models import (
    ClusterTarget,
    ImportBatch,
    ImportStatus,
    Indicator,
    IndicatorValue,
    IndicatorValueRevision,
    MonthlySubmission,
    SubmissionStatus,
)
from zoneops.indicators.parsing import (
    MAX_CENTS,
    CellProblem,
    FileUnreadable,
    month_date,
    parse_number,
    parse_sheet,
    read_rows,
)
from zoneops.indicators.totals import totals_refresh
from zoneops.indicators.validation import (
    ValueColumns,
    cents_sql,
    few,
    indicator_number_sql,
    lookup,
    published_filter,
    validate_sheet,
    value_keys,
)

MAX_FILE_BYTES = 50 * 1024 * 1024
_STAGE = "zoneops_staged_values"
ACCEPTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")


@dataclass(frozen=True)
class PublishCounts:
    created: int
    updated: int
    unchanged: int

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


VALUE_FIELDS = (
    "zone_id",
    "enterprise_id",
    "indicator_id",
    "period",
    "value",
    "batch_id",
    "submission_id",
    "revision",
    "updated_at",
)


def values_insert(*, rows: Iterable[Sequence[object]]) -> int:
    """Insert new monthly values as given, in ``VALUE_FIELDS`` order: the bulk path shared by publishing and
    by generated data. No history and no totals here; callers refresh totals once at the end."""
    return insert_rows(model=IndicatorValue, fields=VALUE_FIELDS, rows=rows)


@dataclass(frozen=True)
class _Comparison:
    """Values against the published ones: ids of the values they replace (-1 for new ones), and which
    of them differ."""

    existing: NDArray[np.int64]
    changed: NDArray[np.bool_]

    @property
    def created(self) -> NDArray[np.bool_]:
        return self.existing < 0

    def counts(self) -> PublishCounts:
        created = int(self.created.sum())
        updated = int(self.changed.sum())
        unchanged = len(self.existing) - created - updated
        return PublishCounts(created=created, updated=updated, unchanged=unchanged)


def _compare(*, zone: Zone, values: ValueColumns) -> _Comparison:
    """One read of the published values in the range of the given ones (the zone's range: not an IN list
    of every enterprise, a province file names 100,000 of them), matched with NumPy."""
    first, last = int(values.period.min()), int(values.period.max())
    where, params = published_filter(
        zone=zone,
        codes=values.codes,
        first=month_date(first),
        last=month_date(last),
        enterprises=few(values.enterprise),
    )
    number, number_params = indicator_number_sql(values.codes)
    pk, enterprise, indicator, period, cents = select_columns(
        f"SELECT id, enterprise_id, {number}, period, {cents_sql('value')} "  # noqa: S608
        f"FROM indicators_indicatorvalue WHERE {where}",
        [*number_params, *params],
        ["int8", "int8", "int4", "date", "int8"],
    )
    published = ValueColumns(
        codes=values.codes,
        enterprise=enterprise,
        indicator=indicator.astype(np.int64),
        period=period.astype("datetime64[M]").astype(np.int64),
        cents=cents,
    )
    span = last - first + 1
    at = lookup(value_keys(values, first=first, span=span), value_keys(published, first=first, span=span))
    if not len(pk):
        return _Comparison(existing=at, changed=np.zeros(len(at), dtype=np.bool_))
    found = np.maximum(at, 0)
    existing = np.where(at >= 0, pk[found], -1)
    return _Comparison(existing=existing, changed=(at >= 0) & (cents[found] != values.cents))


def _insert_order(values: ValueColumns) -> NDArray[np.int64]:
    """Rows by enterprise (the unique index's order), and within blocks of 4,096 by indicator, so the
    binary COPY writes few blocks of one layout while the index pages it touches stay in memory."""
    by_key = np.lexsort((values.period, values.indicator, values.enterprise))
    block = np.arange(len(by_key)) // 4096
    return by_key[np.lexsort((np.arange(len(by_key)), values.indicator[by_key], block))]


def values_publish(
    *,
    zone: Zone,
    values: ValueColumns,
    batch: ImportBatch | None = None,
    submission: MonthlySubmission | None = None,
) -> PublishCounts:
    """Upsert monthly values on (enterprise, indicator, period). A changed value keeps its predecessor
    as a revision; an equal value is left alone, so publishing the same figures twice changes nothing.
    Must run inside the caller's transaction; refreshes the totals of the years touched.

    Set-based: one read of the published values in range, new values by binary COPY, changed ones
    through a staging table with two statements (history rows, then the update)."""
    if not len(values):
        return PublishCounts(0, 0, 0)
    moment = timezone.now()
    batch_id = batch.pk if batch is not None else None
    submission_id = submission.pk if submission is not None else None
    compared = _compare(zone=zone, values=values)
    created = np.flatnonzero(compared.created)
    if created.size:
        new = values.take(created[_insert_order(values.take(created))])
        insert_columns(
            model=IndicatorValue,
            rows=len(new),
            columns={
                "zone_id": zone.pk,
                "enterprise_id": new.enterprise,
                "indicator_id": Labels(new.codes, new.indicator),
                "period": new.period.astype("datetime64[M]"),
                "value": Scaled(new.cents, 2),
                "batch_id": batch_id,
                "submission_id": submission_id,
                "revision": 1,
                "updated_at": moment,
            },
        )
    changed = np.flatnonzero(compared.changed)
    if changed.size:
        _values_replace(
            ids=compared.existing[changed],
            cents=values.cents[changed],
            moment=moment,
            batch_id=batch_id,
            submission_id=submission_id,
        )
    touched = np.flatnonzero(compared.created | compared.changed)
    if touched.size:
        pairs = set(
            zip(
                values.indicator[touched].tolist(),
                (values.period[touched] // 12 + 1970).tolist(),
                strict=True,
            )
        )
        totals_refresh(
            zone=zone,
            codes={values.codes[i] for i, _year in pairs},
            years={year for _i, year in pairs},
        )
    return compared.counts()


def _values_replace(
    *,
    ids: NDArray[np.int64],
    cents: NDArray[np.int64],
    moment: dt.datetime,
    batch_id: int | None,
    submission_id: int | None,
) -> None:
    """Replace published values (by id): each old value becomes a revision row, then the new value
    takes its place with the next revision number."""
    value_table = IndicatorValue._meta.db_table
    history_table = IndicatorValueRevision._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {_STAGE} (id BIGINT PRIMARY KEY, value NUMERIC(20, 2))")
        # The staging table has IndicatorValue's id and value columns.
        insert_columns(
            model=IndicatorValue, table=_STAGE, rows=len(ids), columns={"id": ids, "value": Scaled(cents, 2)}
        )
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {_STAGE}")  # so the join below probes the primary key
        when = connection.ops.adapt_datetimefield_value(moment)
        cursor.execute(
            f"""INSERT INTO {history_table} (zone_id, enterprise_id, indicator_id, period, revision, value,
                    batch_id, submission_id, replaced_at, replaced_by_batch_id, replaced_by_submission_id)
                SELECT v.zone_id, v.enterprise_id, v.indicator_id, v.period, v.revision, v.value,
                    v.batch_id, v.submission_id, %s, %s, %s
                FROM {value_table} v JOIN {_STAGE} s ON s.id = v.id""",  # noqa: S608 - names from _meta
            [when, batch_id, submission_id],
        )
        cursor.execute(
            f"""UPDATE {value_table} SET value = s.value, batch_id = %s, submission_id = %s,
                    revision = {value_table}.revision + 1, updated_at = %s
                FROM {_STAGE} s WHERE {value_table}.id = s.id""",  # noqa: S608
            [batch_id, submission_id, when],
        )
        cursor.execute(f"DROP TABLE {_STAGE}")


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
                counts=_dry_counts(batch.zone, checked.values),
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


def _dry_counts(zone: Zone, values: ValueColumns) -> dict[str, int]:
    if not len(values):
        return PublishCounts(0, 0, 0).as_dict()
    return _compare(zone=zone, values=values).counts().as_dict()


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


# --- enterprise submissions ----------------------------------------------------------------------


def submission_deadline(*, period: dt.date) -> dt.date:
    """Figures for a month are due on the zone's deadline day of the following month."""
    following = dt.date(period.year + period.month // 12, period.month % 12 + 1, 1)
    return following.replace(day=settings.ZONEOPS_SUBMISSION_DEADLINE_DAY)


def _submission_values(values: Mapping[str, object]) -> dict[str, str]:
    """Validate a form's values (money in 万元, heads in persons) and return them in yuan, as text."""
    indicators = {i.code: i for i in Indicator.objects.all()}
    errors: list[FieldError] = []
    cleaned: dict[str, str] = {}
    for code, raw in values.items():
        indicator = indicators.get(code)
        if indicator is None:
            errors.append(FieldError(code, _("Unknown field.")))
            continue
        try:
            number = parse_number(raw)
        except (InvalidOperation, ValueError):
            errors.append(FieldError(code, _("Not a number: “%(text)s”.") % {"text": raw}))
            continue
        if number is None:
            continue
        if number < 0 and not indicator.allow_negative:
            errors.append(FieldError(code, _("The value must not be negative.")))
            continue
        if abs(number) * (1 if indicator.unit == "person" else 10_000) * 100 >= MAX_CENTS:
            errors.append(FieldError(code, _("The number is too large.")))
            continue
        if indicator.unit == "person":
            if number != number.to_integral_value():
                errors.append(FieldError(code, _("A head count is a whole number.")))
                continue
            cleaned[code] = str(number.quantize(Decimal(1)))
        else:
            cleaned[code] = str((number * 10_000).quantize(Decimal("0.01")))
    if errors:
        raise InvalidInput(errors)
    if not cleaned:
        raise InvalidInput.single("values", _("Enter at least one figure."))
    return cleaned


@transaction.atomic
def submission_save(
    *, actor: User, enterprise_id: int, period: dt.date, values: Mapping[str, object], submit: bool
) -> MonthlySubmission:
    """An enterprise saves (and, when ``submit``, hands in) its own figures for a month."""
    own = is_enterprise_user(actor) and actor.enterprise_id == enterprise_id
    if not own:
        raise PermissionDenied(_("Only the enterprise's own contacts submit its figures."))
    assert actor.zone is not None
    today = clock.today(zone=actor.zone)
    if period >= dt.date(today.year, today.month, 1):
        raise InvalidInput.single("period", _("Figures are submitted after the month has ended."))
    cleaned = _submission_values(values)
    submission = (
        MonthlySubmission.objects.select_for_update()
        .filter(enterprise_id=enterprise_id, period=period)
        .first()
    )
    if submission is not None and submission.status in (
        SubmissionStatus.SUBMITTED,
        SubmissionStatus.PUBLISHED,
    ):
        raise InvalidInput.single(
            "status",
            _("These figures have been handed in; ask the statistics office to return them for correction."),
        )
    before = dict(submission.values) if submission else None
    if submission is None:
        submission = MonthlySubmission(zone=actor.zone, enterprise_id=enterprise_id, period=period)
    submission.values = cleaned
    submission.status = SubmissionStatus.SUBMITTED if submit else SubmissionStatus.DRAFT
    if submit:
        submission.submitted_by = actor
        submission.submitted_at = clock.now(zone=actor.zone)
    submission.save()
    audit_record(
        actor=actor,
        action="submission.submit" if submit else "submission.save",
        instance=submission,
        before=before,
        after={"values": cleaned, "status": submission.status},
    )
    return submission


@transaction.atomic
def submission_review(
    *, actor: User, submission: MonthlySubmission, publish: bool, note: str = ""
) -> MonthlySubmission:
    """Statistics staff publish a submitted month (its values become the published figures) or return it."""
    require_perm(actor, Perm.INDICATOR_IMPORT)
    locked = (
        MonthlySubmission.objects.select_for_update()
        .select_related("enterprise", "zone")
        .get(pk=submission.pk)
    )
    if locked.status != SubmissionStatus.SUBMITTED:
        raise InvalidInput.single("status", _("Only submitted figures can be reviewed."))
    if not publish and not note.strip():
        raise InvalidInput.single("note", _("Say what needs correcting."))
    counts = None
    if publish:
        values = ValueColumns.from_mapping(
            {
                (locked.enterprise_id, code, locked.period): Decimal(text)
                for code, text in locked.values.items()
            }
        )
        counts = values_publish(zone=locked.zone, values=values, submission=locked)
    locked.status = SubmissionStatus.PUBLISHED if publish else SubmissionStatus.RETURNED
    locked.reviewed_by = actor
    locked.reviewed_at = clock.now(zone=locked.zone)
    locked.review_note = note.strip()
    locked.save()
    audit_record(
        actor=actor,
        action="submission.publish" if publish else "submission.return",
        instance=locked,
        after={
            "status": locked.status,
            "note": locked.review_note,
            "counts": counts.as_dict() if counts else None,
        },
    )
    notify(
        zone=locked.zone,
        event_key=f"submission:{locked.pk}:{locked.status}",
        title=_("Your figures for %(month)s were published") % {"month": f"{locked.period:%Y-%m}"}
        if publish
        else _("Your figures for %(month)s were returned") % {"month": f"{locked.period:%Y-%m}"},
        body=locked.review_note,
        link=f"/indicators/submit/?period={locked.period:%Y-%m}",
        users=list(locked.enterprise.users.filter(is_active=True)),
    )
    return locked


def submission_reminders(*, zone: Zone) -> int:
    """Remind each above-scale enterprise without figures for last month, from 3 days before the deadline;
    once late, also tell the statistics staff how many are missing. Each reminder is sent once."""
    today = clock.today(zone=zone)
    period = dt.date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    deadline = submission_deadline(period=period)
    if (deadline - today).days > 3:
        return 0
    reported = set(
        IndicatorValue.objects.filter(zone=zone, period=period)
        .values_list("enterprise_id", flat=True)
        .distinct()
    ) | set(
        MonthlySubmission.objects.filter(
            zone=zone, period=period, status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.PUBLISHED]
        ).values_list("enterprise_id", flat=True)
    )
    missing = list(
        Enterprise.objects.filter(zone=zone, above_scale=True, users__isnull=False)
        .exclude(pk__in=reported)
        .distinct()
        .prefetch_related("users")
    )
    late = today > deadline
    sent = 0
    for enterprise in missing:
        stage = "late" if late else "due"
        sent += len(
            notify(
                zone=zone,
                event_key=f"submission-reminder:{enterprise.pk}:{period:%Y-%m}:{stage}",
                title=(
                    _("Your figures for %(month)s are late (due %(deadline)s)")
                    if late
                    else _("Your figures for %(month)s are due by %(deadline)s")
                )
                % {"month": f"{period:%Y-%m}", "deadline": f"{deadline:%Y-%m-%d}"},
                link=f"/indicators/submit/?period={period:%Y-%m}",
                users=[u for u in enterprise.users.all() if u.is_active],
            )
        )
    if late and missing:
        sent += len(
            notify(
                zone=zone,
                event_key=f"submission-late:{period:%Y-%m}",
                title=_("%(count)d enterprises have not reported %(month)s")
                % {"count": len(missing), "month": f"{period:%Y-%m}"},
                link="/indicators/submissions/",
                roles=[Role.STATISTICIAN],
            )
        )
    return sent
