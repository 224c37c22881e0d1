"""Writes of key projects: plans, milestones, monthly reports, problems, warning rules and warnings."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from zoneops.accounts.models import Department, User, Zone
from zoneops.core import clock
from zoneops.core.access import Perm, has_perm, require_perm
from zoneops.core.errors import FieldError, InvalidInput
from zoneops.core.selectors import WorkdayCounter
from zoneops.core.services import audit_record, model_snapshot, notify, snapshot_changes
from zoneops.core.uploads import file_kind
from zoneops.projects.models import (
    KeyProject,
    Milestone,
    MilestoneKind,
    MonthlyReport,
    Problem,
    ProblemStatus,
    ProjectLevel,
    ProjectPhoto,
    ProjectStatus,
    ProjectType,
    SchedulingSettings,
    WarningRule,
    WarningRuleCode,
    WarningSnapshot,
)
from zoneops.projects.warnings import evaluate, zone_rules


def may_report(user: User, project: KeyProject) -> bool:
    """The project office and the zone administrator report on every project; department staff on their
    own department's projects."""
    if has_perm(user, Perm.PROJECT_EDIT):
        return True
    return has_perm(user, Perm.PROJECT_REPORT) and user.department_id == project.department_id


def require_report(user: User, project: KeyProject) -> None:
    if not may_report(user, project):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Only the responsible department reports on this project."))


def deadline_day(*, zone_id: int) -> int:
    settings_row = SchedulingSettings.objects.filter(zone_id=zone_id).first()
    return settings_row.report_deadline_day if settings_row else 25


def report_deadline_set(*, actor: User, zone: Zone, day: int, refresh: bool = True) -> SchedulingSettings:
    """The day of each month by which the departments report the month (月调度): from the 1st to the 28th,
    so every month has it. The projects' warnings are recomputed unless the caller changes more settings
    and recomputes once itself (``refresh=False``)."""
    require_perm(actor, Perm.PROJECT_EDIT)
    if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 28:
        raise InvalidInput.single("report_deadline_day", _("Enter a day from 1 to 28."))
    before = deadline_day(zone_id=zone.pk)
    row, _created = SchedulingSettings.objects.update_or_create(
        zone=zone, defaults={"report_deadline_day": day}
    )
    audit_record(
        actor=actor,
        action="project.deadline_day",
        instance=row,
        before={"report_deadline_day": before},
        after={"report_deadline_day": day},
    )
    if refresh:
        warnings_refresh(zone=zone)
    return row


def report_deadline(*, zone_id: int, period: dt.date) -> dt.date:
    """Reports for a month are due by the zone's day of that month."""
    return period.replace(day=min(deadline_day(zone_id=zone_id), 28))


# --- projects ------------------------------------------------------------------------------------

_PROJECT_FIELDS = {
    "code": 40,
    "name": 200,
    "construction_content": 4000,
    "capacity_unit": 60,
}
_MONEY_FIELDS = ("total_investment", "planned_investment", "capacity_target", "expected_output")
_DATE_FIELDS = ("planned_start", "planned_completion")
_CHOICES: dict[str, Any] = {
    "level": ProjectLevel,
    "project_type": ProjectType,
    "status": ProjectStatus,
}
_REQUIRED = (
    "code",
    "name",
    "year",
    "level",
    "project_type",
    "total_investment",
    "planned_investment",
    "planned_start",
    "planned_completion",
    "department",
)


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        raise ValueError from None
    if not number.is_finite():
        raise ValueError
    return number


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


@transaction.atomic
def project_save(
    *, actor: User, zone: Zone, values: Mapping[str, Any], project: KeyProject | None = None
) -> KeyProject:
    """Create or change a key project; every field is checked and every problem named. A changed plan
    (investment, dates, status) moves the project's warnings, so they are recomputed with it."""
    require_perm(actor, Perm.PROJECT_EDIT)
    return project_write(actor=actor, zone=zone, values=values, project=project)


def project_write(
    *,
    actor: User,
    zone: Zone,
    values: Mapping[str, Any],
    project: KeyProject | None = None,
    note: str = "",
) -> KeyProject:
    """``project_save`` without its permission check, for the writes another capability authorises: a
    lead signed in the investment pipeline becomes a key project, and its registration and construction
    update it (the pipeline checks LEAD_EDIT). The same checks of every field, the same audit, and the
    project's warnings recomputed with it."""
    allowed = (
        set(_PROJECT_FIELDS)
        | set(_MONEY_FIELDS)
        | set(_DATE_FIELDS)
        | set(_CHOICES)
        | {
            "year",
            "department",
            "officer",
            "leader",
            "owner",
            "cluster",
            "chain_node",
        }
    )
    errors = [FieldError(k, _("Unknown field.")) for k in sorted(set(values) - allowed)]
    cleaned: dict[str, Any] = {}
    if project is None:
        errors += [
            FieldError(k, _("This field is required.")) for k in _REQUIRED if values.get(k) in (None, "")
        ]
    for key, limit in _PROJECT_FIELDS.items():
        if key in values and values[key] is not None:
            text = str(values[key]).strip()
            if len(text) > limit:
                errors.append(FieldError(key, _("Enter at most %(max)s characters.") % {"max": limit}))
            cleaned[key] = text
    for key in _MONEY_FIELDS:
        if key in values:
            try:
                amount = _decimal(values[key])
            except ValueError:
                errors.append(FieldError(key, _("Enter a number.")))
                continue
            if amount is not None and amount < 0:
                errors.append(FieldError(key, _("Enter a number of at least 0.")))
            # Kept to the fen as stored, so an unchanged amount (5E+9 against 5000000000.00) is no change.
            cleaned[key] = amount.quantize(Decimal("0.01")) if amount is not None else None
    for key in _DATE_FIELDS:
        if key in values:
            try:
                cleaned[key] = _date(values[key])
            except ValueError:
                errors.append(FieldError(key, _("Enter a valid date (YYYY-MM-DD).")))
    for key, choices in _CHOICES.items():
        if key in values:
            if values[key] not in choices.values:
                errors.append(
                    FieldError(key, _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices.values)})
                )
            cleaned[key] = values[key]
    if "year" in values:
        year = values["year"]
        if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
            errors.append(FieldError("year", _("Enter a year between 2000 and 2100.")))
        cleaned["year"] = year
    lookups: dict[str, tuple[Any, Any]] = {
        "department": (Department.objects.filter(zone=zone), _("No department with this id in the zone.")),
        "officer": (User.objects.filter(zone=zone), _("No user with this id in the zone.")),
        "leader": (User.objects.filter(zone=zone), _("No user with this id in the zone.")),
    }
    from zoneops.chains.models import ChainNode, Cluster
    from zoneops.enterprises.models import Enterprise

    lookups["owner"] = (Enterprise.objects.filter(zone=zone), _("No enterprise with this id in the zone."))
    lookups["cluster"] = (Cluster.objects.filter(zone=zone), _("No cluster with this id in the zone."))
    lookups["chain_node"] = (
        ChainNode.objects.filter(chain__zone=zone).select_related("chain"),
        _("No chain node with this id in the zone."),
    )
    for key, (queryset, message) in lookups.items():
        if key in values:
            if values[key] in (None, ""):
                if key == "department":
                    continue
                cleaned[key] = None
                continue
            found = queryset.filter(pk=values[key]).first()
            if found is None:
                errors.append(FieldError(key, message))
            cleaned[key] = found
    node = cleaned.get("chain_node", project.chain_node if project else None)
    cluster = cleaned.get("cluster", project.cluster if project else None)
    if isinstance(node, ChainNode) and cluster is not None and node.chain.cluster_id != cluster.pk:
        errors.append(FieldError("chain_node", _("The chain node is not in the project's cluster.")))
    start = cleaned.get("planned_start", project.planned_start if project else None)
    end = cleaned.get("planned_completion", project.planned_completion if project else None)
    if start and end and end < start:
        errors.append(FieldError("planned_completion", _("The completion cannot come before the start.")))
    code = cleaned.get("code", project.code if project else "")
    year_value = cleaned.get("year", project.year if project else None)
    if code and isinstance(year_value, int):
        clash = KeyProject.objects.filter(zone=zone, code=code, year=year_value)
        if project is not None:
            clash = clash.exclude(pk=project.pk)
        if clash.exists():
            errors.append(FieldError("code", _("Another project of the year has this code.")))
    if errors:
        raise InvalidInput(errors)
    before = model_snapshot(project) if project is not None else {}
    if project is None:
        project = KeyProject(zone=zone)
    for key, value in cleaned.items():
        setattr(project, key, value)
    project.save()
    changed_before, changed_after = snapshot_changes(before, model_snapshot(project))
    audit_record(
        actor=actor,
        action="project.create" if not before else "project.update",
        instance=project,
        before=changed_before or None,
        after=changed_after,
        note=note,
    )
    # A changed plan (investment, dates, status) moves the project's warnings, whoever wrote it.
    warnings_refresh(zone=zone, projects=[project])
    return project


@transaction.atomic
def milestone_save(
    *,
    actor: User,
    project: KeyProject,
    kind: str,
    name: str,
    planned_date: dt.date,
    actual_date: dt.date | None = None,
    milestone: Milestone | None = None,
) -> Milestone:
    """Add a milestone to the project's plan or change one (its planned date, or the date it was reached);
    the project's warnings are recomputed with it."""
    require_perm(actor, Perm.PROJECT_EDIT)
    errors: list[FieldError] = []
    if kind not in MilestoneKind.values:
        errors.append(
            FieldError(
                "kind", _("Choose one of: %(choices)s.") % {"choices": ", ".join(MilestoneKind.values)}
            )
        )
    if not name.strip():
        errors.append(FieldError("name", _("This field is required.")))
    elif len(name.strip()) > 200:
        errors.append(FieldError("name", _("Enter at most %(max)s characters.") % {"max": 200}))
    if actual_date is not None and actual_date > clock.today(zone=project.zone):
        errors.append(FieldError("actual_date", _("A milestone cannot be reached in the future.")))
    if milestone is not None and milestone.project_id != project.pk:
        errors.append(
            FieldError("milestone_id", _("No milestone %(id)s in this project.") % {"id": milestone.pk})
        )
    if errors:
        raise InvalidInput(errors)
    before = model_snapshot(milestone) if milestone is not None else {}
    if milestone is None:
        milestone = Milestone(project=project, sort_order=project.milestones.count())
    milestone.kind = kind
    milestone.name = name.strip()
    milestone.planned_date = planned_date
    milestone.actual_date = actual_date
    milestone.save()
    changed_before, changed_after = snapshot_changes(before, model_snapshot(milestone))
    audit_record(
        actor=actor,
        action="project.milestone_save",
        instance=milestone,
        zone=project.zone,
        before=changed_before or None,
        after=changed_after,
    )
    warnings_refresh(zone=project.zone, projects=[project])
    return milestone


# --- monthly scheduling ---------------------------------------------------------------------------


@transaction.atomic
def report_submit(
    *,
    actor: User,
    project: KeyProject,
    period: dt.date,
    investment_month: Decimal,
    progress_percent: int,
    progress_text: str = "",
    reached: Mapping[int, dt.date] | None = None,
    problems: Iterable[str] = (),
    correction_reason: str = "",
) -> MonthlyReport:
    """The responsible department's report for a month: investment this month (the year's cumulative is
    summed from the months), physical progress, milestones reached, problems needing coordination.

    A second report for the same month is a correction and needs a reason; both versions are audited.
    The project's warnings are recomputed with the report."""
    require_report(actor, project)
    period = period.replace(day=1)
    today = clock.today(zone=project.zone)
    errors: list[FieldError] = []
    if period.year != project.year:
        errors.append(
            FieldError(
                "period", _("The month must be in the project's year %(year)s.") % {"year": project.year}
            )
        )
    if period > today.replace(day=1):
        errors.append(FieldError("period", _("A month that has not begun cannot be reported.")))
    if not investment_month.is_finite() or investment_month < 0:
        errors.append(FieldError("investment_month", _("Enter a number of at least 0.")))
    if not 0 <= progress_percent <= 100:
        errors.append(FieldError("progress_percent", _("Enter a whole number from 0 to 100.")))
    previous = MonthlyReport.objects.filter(project=project, period__lt=period).order_by("-period").first()
    if previous is not None and progress_percent < previous.progress_percent:
        errors.append(
            FieldError(
                "progress_percent",
                _("Progress cannot fall below last reported %(percent)s%%.")
                % {"percent": previous.progress_percent},
            )
        )
    existing = MonthlyReport.objects.filter(project=project, period=period).first()
    if existing is not None and not correction_reason.strip():
        errors.append(
            FieldError(
                "correction_reason", _("This month is reported already: give a reason for the correction.")
            )
        )
    milestones = {m.pk: m for m in project.milestones.all()}
    for milestone_id, when in (reached or {}).items():
        if milestone_id not in milestones:
            errors.append(
                FieldError("reached", _("No milestone %(id)s in this project.") % {"id": milestone_id})
            )
        elif when > today:
            errors.append(FieldError("reached", _("A milestone cannot be reached in the future.")))
    descriptions = [p.strip() for p in problems if p.strip()]
    if errors:
        raise InvalidInput(errors)

    earlier = sum(
        (
            r.investment_month
            for r in MonthlyReport.objects.filter(
                project=project, period__lt=period, period__year=period.year
            )
        ),
        Decimal(0),
    )
    before = model_snapshot(existing) if existing is not None else {}
    report = existing or MonthlyReport(project=project, period=period)
    report.investment_month = investment_month.quantize(Decimal("0.01"))
    report.investment_cumulative = (earlier + report.investment_month).quantize(Decimal("0.01"))
    report.progress_percent = progress_percent
    report.progress_text = progress_text.strip()
    report.submitted_by = actor
    report.submitted_at = clock.now(zone=project.zone)
    if existing is None:
        report.on_time = today <= report_deadline(zone_id=project.zone_id, period=period)
    else:
        report.revision += 1
        report.correction_reason = correction_reason.strip()
    report.save()
    # A correction moves this month's amount, so later months' cumulative sums move with it.
    running = report.investment_cumulative
    for later in MonthlyReport.objects.filter(
        project=project, period__gt=period, period__year=period.year
    ).order_by("period"):
        running += later.investment_month
        if later.investment_cumulative != running:
            later.investment_cumulative = running
            later.save(update_fields=["investment_cumulative", "updated_at"])
    for milestone_id, when in (reached or {}).items():
        milestone = milestones[milestone_id]
        if milestone.actual_date != when:
            milestone.actual_date = when
            milestone.save(update_fields=["actual_date", "updated_at"])
    for description in descriptions:
        Problem.objects.create(project=project, report=report, description=description, raised_on=today)
    if project.status == ProjectStatus.PREPARING and progress_percent > 0:
        project.status = ProjectStatus.UNDER_CONSTRUCTION
        project.save(update_fields=["status", "updated_at"])
    changed_before, changed_after = snapshot_changes(before, model_snapshot(report))
    audit_record(
        actor=actor,
        action="project.report_submit" if not before else "project.report_correct",
        instance=report,
        zone=project.zone,
        before=changed_before or None,
        after=changed_after
        | {"problems": descriptions, "reached": {str(k): str(v) for k, v in (reached or {}).items()}},
        note=correction_reason.strip(),
    )
    warnings_refresh(zone=project.zone, projects=[project])
    return report


@transaction.atomic
def problem_raise(*, actor: User, project: KeyProject, description: str, guarantee: str = "") -> Problem:
    require_report(actor, project)
    if not description.strip():
        raise InvalidInput.single("description", _("This field is required."))
    problem = Problem.objects.create(
        project=project,
        description=description.strip(),
        guarantee=guarantee,
        raised_on=clock.today(zone=project.zone),
    )
    audit_record(
        actor=actor,
        action="project.problem_raise",
        instance=problem,
        zone=project.zone,
        after=model_snapshot(problem),
    )
    return problem


@transaction.atomic
def problem_resolve(*, actor: User, problem: Problem) -> Problem:
    require_report(actor, problem.project)
    return problem_resolve_write(actor=actor, problem=problem)


def problem_resolve_write(*, actor: User, problem: Problem) -> Problem:
    """``problem_resolve`` without its permission check, for a resolution another capability authorises:
    the supervision office closing the item raised from the problem (SUPERVISION_MANAGE). The same
    audit row and the project's colour recomputed at once, as on the project page."""
    if problem.status == ProblemStatus.RESOLVED:
        raise InvalidInput.single("status", _("The problem is resolved already."))
    before = problem.status
    problem.status = ProblemStatus.RESOLVED
    problem.resolved_on = clock.today(zone=problem.project.zone)
    problem.save(update_fields=["status", "resolved_on", "updated_at"])
    audit_record(
        actor=actor,
        action="project.problem_resolve",
        instance=problem,
        zone=problem.project.zone,
        before={"status": before},
        after={"status": problem.status},
    )
    warnings_refresh(zone=problem.project.zone, projects=[problem.project])
    return problem


# --- photos ---------------------------------------------------------------------------------------

PHOTO_MAX_BYTES = 10 * 1024 * 1024


def photo_type(content: bytes) -> tuple[str, str] | None:
    """The image type from the file's first bytes (the name and the browser's claim are not trusted)."""
    kind = file_kind(content)
    return (kind.mime, kind.extension) if kind is not None and kind.image else None


@transaction.atomic
def photo_add(
    *, actor: User, project: KeyProject, content: bytes, caption: str = "", taken_on: dt.date | None = None
) -> ProjectPhoto:
    require_report(actor, project)
    errors: list[FieldError] = []
    kind = photo_type(content)
    if kind is None:
        errors.append(FieldError("file", _("Upload a JPEG, PNG or WebP photo.")))
    if len(content) > PHOTO_MAX_BYTES:
        errors.append(FieldError("file", _("The photo is larger than 10 MB.")))
    if len(caption) > 200:
        errors.append(FieldError("caption", _("Enter at most %(max)s characters.") % {"max": 200}))
    today = clock.today(zone=project.zone)
    if taken_on is not None and taken_on > today:
        errors.append(FieldError("taken_on", _("A photo cannot be taken in the future.")))
    if errors or kind is None:
        raise InvalidInput(errors)
    mime, extension = kind
    photo = ProjectPhoto(
        project=project,
        content_type=mime,
        size=len(content),
        caption=caption.strip(),
        taken_on=taken_on or today,
        uploaded_by=actor,
    )
    photo.file.save(f"{project.code}-{today:%Y%m%d}.{extension}", ContentFile(content), save=False)
    photo.save()
    audit_record(
        actor=actor,
        action="project.photo_add",
        instance=photo,
        zone=project.zone,
        after={"file": photo.file.name, "size": photo.size, "caption": photo.caption},
    )
    return photo


# --- warnings -------------------------------------------------------------------------------------


@transaction.atomic
def warning_rule_set(
    *,
    actor: User,
    zone: Zone,
    code: str,
    amber: Decimal,
    red: Decimal,
    enabled: bool = True,
    refresh: bool = True,
) -> WarningRule:
    """Set one rule's thresholds. Every project's warnings are recomputed, unless the caller sets several
    rules and recomputes once itself (``refresh=False``)."""
    require_perm(actor, Perm.PROJECT_EDIT)
    errors: list[FieldError] = []
    if code not in WarningRuleCode.values:
        errors.append(
            FieldError(
                "code", _("Choose one of: %(choices)s.") % {"choices": ", ".join(WarningRuleCode.values)}
            )
        )
    if amber < 0:
        errors.append(FieldError("amber", _("Enter a number of at least 0.")))
    if red < amber:
        errors.append(FieldError("red", _("The red threshold cannot be below the amber one.")))
    if errors:
        raise InvalidInput(errors)
    rule = WarningRule.objects.filter(zone=zone, code=code).first()
    before = model_snapshot(rule) if rule is not None else {}
    rule, _created = WarningRule.objects.update_or_create(
        zone=zone, code=code, defaults={"amber": amber, "red": red, "enabled": enabled}
    )
    changed_before, changed_after = snapshot_changes(before, model_snapshot(rule))
    audit_record(
        actor=actor,
        action="project.warning_rule_set",
        instance=rule,
        before=changed_before or None,
        after=changed_after,
    )
    if refresh:
        warnings_refresh(zone=zone)
    return rule


def warnings_refresh(
    *, zone: Zone, projects: Iterable[KeyProject] | None = None, today: dt.date | None = None
) -> int:
    """Evaluate the warnings of the zone's projects (of the current year, or the given ones) and store
    each project's level, reasons and a snapshot for the day. Returns how many projects changed level.

    Loads rows per kind in one query each, so thousands of projects take a few queries."""
    today = today or clock.today(zone=zone)
    chosen = (
        list(projects)
        if projects is not None
        else list(KeyProject.objects.filter(zone=zone, year=today.year))
    )
    if not chosen:
        return 0
    ids = [p.pk for p in chosen]
    reports: dict[int, list[MonthlyReport]] = defaultdict(list)
    for report in MonthlyReport.objects.filter(project_id__in=ids).only(
        "project_id", "period", "investment_cumulative", "progress_percent"
    ):
        reports[report.project_id].append(report)
    milestones: dict[int, list[Milestone]] = defaultdict(list)
    for milestone in Milestone.objects.filter(project_id__in=ids, actual_date__isnull=True).only(
        "project_id", "name", "planned_date", "actual_date"
    ):
        milestones[milestone.project_id].append(milestone)
    problems: dict[int, list[Problem]] = defaultdict(list)
    for problem in (
        Problem.objects.filter(project_id__in=ids)
        .exclude(status=ProblemStatus.RESOLVED)
        .only("project_id", "description", "raised_on", "status")
    ):
        problems[problem.project_id].append(problem)
    first = min(
        [today - dt.timedelta(days=400)]
        + [m.planned_date for ms in milestones.values() for m in ms]
        + [p.raised_on for ps in problems.values() for p in ps]
    )
    workdays = WorkdayCounter(first=first - dt.timedelta(days=1), last=today)
    rules = zone_rules(zone_id=zone.pk)
    day = deadline_day(zone_id=zone.pk)
    changed = 0
    updates: list[KeyProject] = []
    snapshots: list[WarningSnapshot] = []
    for project in chosen:
        result = evaluate(
            project=project,
            today=today,
            rules=rules,
            deadline_day=day,
            reports=reports[project.pk],
            milestones=milestones[project.pk],
            problems=problems[project.pk],
            workdays=workdays,
        )
        if result.level != project.warning_level:
            changed += 1
        project.warning_level = result.level
        project.warning_reasons = result.reasons
        project.warning_rules = "".join(f",{r['rule']}" for r in result.reasons) + (
            "," if result.reasons else ""
        )
        project.warning_checked_on = today
        updates.append(project)
        snapshots.append(
            WarningSnapshot(project=project, on=today, level=result.level, reasons=result.reasons)
        )
    with transaction.atomic():
        KeyProject.objects.bulk_update(
            updates,
            ["warning_level", "warning_reasons", "warning_rules", "warning_checked_on"],
            batch_size=1000,
        )
        WarningSnapshot.objects.filter(project_id__in=ids, on=today).delete()
        WarningSnapshot.objects.bulk_create(snapshots, batch_size=1000)
    return changed


def report_reminders(*, zone: Zone) -> int:
    """Remind the officer of each project whose report for the month is late; from 5 days after the
    deadline tell the department head too. Each reminder is sent once."""
    today = clock.today(zone=zone)
    day = deadline_day(zone_id=zone.pk)
    from zoneops.projects.selectors import reports_missing

    sent = 0
    for project, month in reports_missing(zone_id=zone.pk, today=today):
        late_days = (today - month.replace(day=min(day, 28))).days
        users = [project.officer] if project.officer else []
        stage = "officer"
        if late_days >= 5 and project.department.head is not None:
            users.append(project.department.head)
            stage = "head"
        if not users:
            continue
        sent += len(
            notify(
                zone=zone,
                event_key=f"project-report:{project.pk}:{month:%Y-%m}:{stage}",
                title=_("The monthly report of %(project)s for %(month)s is late")
                % {"project": project.name, "month": f"{month:%Y-%m}"},
                link=f"/projects/{project.pk}/report/?period={month:%Y-%m}",
                users=users,
            )
        )
    return sent
