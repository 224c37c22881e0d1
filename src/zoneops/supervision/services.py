"""Writes of supervision (督办): raise, respond, verify, close, send back, extend, remind, escalate; and the
supervision office's assessment adjustments. Each step is audited and put on the item's timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Min
from django.utils.translation import gettext as _

from zoneops.accounts.models import Department, User, Zone
from zoneops.core import clock
from zoneops.core.access import Perm, has_perm, require_perm
from zoneops.core.errors import FieldError, InvalidInput, TransitionNotAllowed
from zoneops.core.selectors import WorkdayCounter, add_working_days
from zoneops.core.services import audit_record, notify
from zoneops.core.uploads import FileKind, document_check
from zoneops.projects.models import KeyProject, Problem, ProblemStatus
from zoneops.supervision.models import (
    AssessmentAdjustment,
    AssessmentScheme,
    ItemSource,
    ItemStatus,
    SupervisionEvent,
    SupervisionEvidence,
    SupervisionItem,
)

# The state machine, in one place: action → (states it may start from, state it leads to).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "respond": (frozenset({ItemStatus.ASSIGNED, ItemStatus.RETURNED}), ItemStatus.RESPONDED),
    "verify": (frozenset({ItemStatus.RESPONDED}), ItemStatus.VERIFIED),
    "close": (frozenset({ItemStatus.VERIFIED}), ItemStatus.CLOSED),
    "return": (frozenset({ItemStatus.RESPONDED, ItemStatus.VERIFIED}), ItemStatus.RETURNED),
}
ESCALATE_AFTER_WORKING_DAYS = 3
REMIND_EVERY_WORKING_DAYS = 3
# The states in which the department assigned is the one to act.
AWAITING_DEPARTMENT = frozenset({ItemStatus.ASSIGNED, ItemStatus.RETURNED})


def is_department_member(user: User, item: SupervisionItem) -> bool:
    return user.department_id == item.department_id or item.department.head_id == user.pk


def _event(
    *,
    item: SupervisionItem,
    actor: User | None,
    action: str,
    note: str = "",
    evidence: str = "",
    deadline_after: dt.date | None = None,
) -> SupervisionEvent:
    return SupervisionEvent.objects.create(
        item=item,
        at=clock.now(zone=item.zone),
        actor=actor,
        action=action,
        status_after=item.status,
        note=note,
        evidence=evidence,
        deadline_after=deadline_after,
    )


def _next_number(zone: Zone, year: int) -> str:
    prefix = f"DB{year}-"
    last = SupervisionItem.objects.filter(zone=zone, number__startswith=prefix).aggregate(m=Max("number"))[
        "m"
    ]
    serial = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{serial:04d}"


@transaction.atomic
def item_raise(
    *,
    actor: User,
    zone: Zone,
    source: str,
    subject: str,
    department: Department,
    working_days: int,
    instructions: str = "",
    leader: User | None = None,
    project: KeyProject | None = None,
    problem: Problem | None = None,
) -> SupervisionItem:
    """Assign an item to a department with a deadline in working days from today.

    Without a leader named, an item about a project (or a project's problem) is escalated, when overdue,
    to that project's leader in charge (包保领导); an item without any leader is never escalated."""
    require_perm(actor, Perm.SUPERVISION_MANAGE)
    errors: list[FieldError] = []
    if source not in ItemSource.values:
        errors.append(
            FieldError("source", _("Choose one of: %(choices)s.") % {"choices": ", ".join(ItemSource.values)})
        )
    if not subject.strip():
        errors.append(FieldError("subject", _("This field is required.")))
    elif len(subject.strip()) > 300:
        errors.append(FieldError("subject", _("Enter at most %(max)s characters.") % {"max": 300}))
    if department.zone_id != zone.pk:
        errors.append(FieldError("department_id", _("No department with this id in the zone.")))
    if not 1 <= working_days <= 250:
        errors.append(FieldError("working_days", _("Enter a whole number from 1 to 250.")))
    if problem is not None and SupervisionItem.objects.filter(problem=problem).exists():
        errors.append(FieldError("problem_id", _("This problem is under supervision already.")))
    if errors:
        raise InvalidInput(errors)
    today = clock.today(zone=zone)
    project = project if project is not None else (problem.project if problem else None)
    if leader is None and project is not None:
        leader = project.leader
    item = SupervisionItem.objects.create(
        zone=zone,
        number=_next_number(zone, today.year),
        source=source,
        subject=subject.strip(),
        instructions=instructions.strip(),
        department=department,
        leader=leader,
        project=project,
        problem=problem,
        opened_on=today,
        working_days=working_days,
        deadline=add_working_days(start=today, days=working_days).date,
    )
    if problem is not None:
        problem.status = ProblemStatus.SUPERVISED
        problem.save(update_fields=["status", "updated_at"])
    _event(item=item, actor=actor, action="raise", note=item.instructions, deadline_after=item.deadline)
    audit_record(
        actor=actor,
        action="supervision.raise",
        instance=item,
        after={
            "number": item.number,
            "subject": item.subject,
            "department_id": department.pk,
            "deadline": item.deadline.isoformat(),
            "problem_id": problem.pk if problem else None,
            "leader_id": leader.pk if leader else None,
        },
    )
    notify(
        zone=zone,
        event_key=f"supervision:{item.pk}:raise",
        title=_("Supervision item %(number)s: %(subject)s (due %(deadline)s)")
        % {"number": item.number, "subject": item.subject, "deadline": f"{item.deadline:%Y-%m-%d}"},
        link=f"/supervision/{item.pk}/",
        departments=[department],
    )
    return item


def problem_to_supervision(
    *,
    actor: User,
    problem: Problem,
    working_days: int,
    department: Department | None = None,
    instructions: str = "",
) -> SupervisionItem:
    """One action: a project's problem becomes a supervision item for the responsible department."""
    project = problem.project
    return item_raise(
        actor=actor,
        zone=project.zone,
        source=ItemSource.PROJECT_PROBLEM,
        subject=f"{project.name}：{problem.description}"[:300],
        department=department or project.department,
        working_days=working_days,
        instructions=instructions,
        leader=project.leader,
        problem=problem,
    )


Upload = tuple[str, bytes]  # a file's name as given and its bytes


def _evidence_checked(files: Sequence[Upload]) -> list[tuple[str, FileKind, bytes]]:
    """Every file checked before anything is written, so a bad one leaves the step undone."""
    checked: list[tuple[str, FileKind, bytes]] = []
    errors: list[FieldError] = []
    for index, (name, content) in enumerate(files):
        clean_name, kind, problems = document_check(name=name, content=content)
        errors.extend(FieldError(f"files.{index}", f"{name}: {p.message}") for p in problems)
        if kind is not None and not problems:
            checked.append((clean_name, kind, content))
    if errors:
        raise InvalidInput(errors)
    return checked


def _evidence_store(
    *, actor: User, event: SupervisionEvent, checked: Sequence[tuple[str, FileKind, bytes]]
) -> list[SupervisionEvidence]:
    stored: list[SupervisionEvidence] = []
    for clean_name, kind, content in checked:
        document = SupervisionEvidence(
            item=event.item,
            event=event,
            name=clean_name,
            content_type=kind.mime,
            size=len(content),
            uploaded_by=actor,
            uploaded_at=event.at,
        )
        document.file.save(f"item-{event.item_id}.{kind.extension}", ContentFile(content), save=False)
        document.save()
        stored.append(document)
    return stored


@transaction.atomic
def item_act(
    *,
    actor: User,
    item: SupervisionItem,
    action: str,
    note: str = "",
    evidence: str = "",
    files: Sequence[Upload] = (),
) -> SupervisionItem:
    """Respond (the department, with what was done, evidence in words and files), verify, close or send
    back (the supervision office)."""
    if action not in TRANSITIONS:
        raise InvalidInput.single(
            "action", _("Choose one of: %(choices)s.") % {"choices": ", ".join(TRANSITIONS)}
        )
    if action == "respond":
        if not (is_department_member(actor, item) or has_perm(actor, Perm.SUPERVISION_MANAGE)):
            raise PermissionDenied(_("Only the department assigned answers this item."))
        if not note.strip():
            raise InvalidInput.single("note", _("Say what was done."))
    else:
        require_perm(actor, Perm.SUPERVISION_MANAGE)
        if action == "return" and not note.strip():
            raise InvalidInput.single("note", _("Give the reason for sending it back."))
        if files:
            raise InvalidInput.single("files", _("Files go with the department's response."))
    checked = _evidence_checked(files)
    allowed, target = TRANSITIONS[action]
    if item.status not in allowed:
        raise TransitionNotAllowed(
            _("An item that is %(status)s cannot be %(action)s.")
            % {"status": item.get_status_display(), "action": action}
        )
    before = item.status
    item.status = target
    if target == ItemStatus.CLOSED:
        item.closed_on = clock.today(zone=item.zone)
    # Only what the step changes: the daily follow-up may have reminded or escalated the item since.
    item.save(update_fields=["status", "closed_on", "updated_at"])
    if (
        target == ItemStatus.CLOSED
        and item.problem is not None
        and item.problem.status != ProblemStatus.RESOLVED
    ):
        # Closing the item solves its problem as the project page would (the same audit row, the project's
        # colour recomputed at once); the supervision office's SUPERVISION_MANAGE authorises it. A problem
        # resolved on the project page meanwhile keeps its own resolution.
        from zoneops.projects.services import problem_resolve_write

        problem_resolve_write(actor=actor, problem=item.problem)
    event = _event(item=item, actor=actor, action=action, note=note.strip(), evidence=evidence.strip())
    stored = _evidence_store(actor=actor, event=event, checked=checked)
    audit_record(
        actor=actor,
        action=f"supervision.{action}",
        instance=item,
        before={"status": before},
        after={"status": target, **({"files": [d.file.name for d in stored]} if stored else {})},
        note=note.strip(),
    )
    if action == "respond":
        notify(
            zone=item.zone,
            event_key=f"supervision:{item.pk}:respond:{item.events.count()}",
            title=_("%(number)s answered by %(department)s")
            % {"number": item.number, "department": item.department.name},
            link=f"/supervision/{item.pk}/",
            roles=["supervisor"],
        )
    elif action == "return":
        notify(
            zone=item.zone,
            event_key=f"supervision:{item.pk}:return:{item.events.count()}",
            title=_("%(number)s sent back: %(reason)s") % {"number": item.number, "reason": note.strip()},
            link=f"/supervision/{item.pk}/",
            departments=[item.department],
        )
    return item


@transaction.atomic
def item_progress(
    *, actor: User, item: SupervisionItem, note: str, files: Sequence[Upload] = ()
) -> SupervisionEvent:
    """The department reports progress on an open item (what is done so far, with files) without
    answering it yet: the supervision office sees it on the timeline and the status stays."""
    if not (is_department_member(actor, item) or has_perm(actor, Perm.SUPERVISION_MANAGE)):
        raise PermissionDenied(_("Only the department assigned answers this item."))
    if item.status in (ItemStatus.CLOSED, ItemStatus.VERIFIED):
        raise TransitionNotAllowed(
            _("An item that is %(status)s takes no more progress reports.")
            % {"status": item.get_status_display()}
        )
    if not note.strip():
        raise InvalidInput.single("note", _("Say what was done."))
    checked = _evidence_checked(files)
    event = _event(item=item, actor=actor, action="progress", note=note.strip())
    stored = _evidence_store(actor=actor, event=event, checked=checked)
    audit_record(
        actor=actor,
        action="supervision.progress",
        instance=item,
        after={"status": item.status, "files": [d.file.name for d in stored]},
        note=note.strip(),
    )
    return event


@transaction.atomic
def extension_request(*, actor: User, item: SupervisionItem, to: dt.date, reason: str) -> SupervisionItem:
    if not is_department_member(actor, item):
        raise PermissionDenied(_("Only the department assigned answers this item."))
    errors: list[FieldError] = []
    if item.status == ItemStatus.CLOSED:
        raise TransitionNotAllowed(_("A closed item cannot be extended."))
    if to <= item.deadline:
        errors.append(
            FieldError(
                "to", _("The new deadline must come after %(deadline)s.") % {"deadline": item.deadline}
            )
        )
    if not reason.strip():
        errors.append(FieldError("reason", _("This field is required.")))
    if errors:
        raise InvalidInput(errors)
    item.extension_requested_to = to
    item.extension_reason = reason.strip()
    item.save(update_fields=["extension_requested_to", "extension_reason", "updated_at"])
    _event(item=item, actor=actor, action="request_extension", note=reason.strip(), deadline_after=to)
    audit_record(
        actor=actor,
        action="supervision.request_extension",
        instance=item,
        after={"to": to.isoformat(), "reason": reason.strip()},
    )
    return item


@transaction.atomic
def extension_decide(*, actor: User, item: SupervisionItem, approve: bool, note: str = "") -> SupervisionItem:
    require_perm(actor, Perm.SUPERVISION_MANAGE)
    if item.extension_requested_to is None:
        raise TransitionNotAllowed(_("No extension was requested."))
    before = item.deadline
    if approve:
        item.deadline = item.extension_requested_to
    requested = item.extension_requested_to
    item.extension_requested_to = None
    item.save(update_fields=["deadline", "extension_requested_to", "updated_at"])
    _event(
        item=item,
        actor=actor,
        action="approve_extension" if approve else "refuse_extension",
        note=note.strip(),
        deadline_after=item.deadline,
    )
    audit_record(
        actor=actor,
        action="supervision.approve_extension" if approve else "supervision.refuse_extension",
        instance=item,
        before={"deadline": before.isoformat()},
        after={"deadline": item.deadline.isoformat(), "requested": requested.isoformat()},
        note=note.strip(),
    )
    return item


@transaction.atomic
def item_remind(*, actor: User | None, item: SupervisionItem) -> SupervisionItem:
    """Remind (催办) the department of an open item."""
    if actor is not None:
        require_perm(actor, Perm.SUPERVISION_MANAGE)
    if item.status == ItemStatus.CLOSED:
        raise TransitionNotAllowed(_("A closed item needs no reminder."))
    today = clock.today(zone=item.zone)
    item.reminded_on = today
    item.save(update_fields=["reminded_on", "updated_at"])
    _event(item=item, actor=actor, action="remind")
    audit_record(actor=actor, action="supervision.remind", instance=item, after={"on": today.isoformat()})
    notify(
        zone=item.zone,
        event_key=f"supervision:{item.pk}:remind:{today:%Y-%m-%d}",
        title=_("Reminder: %(number)s %(subject)s is due %(deadline)s")
        % {"number": item.number, "subject": item.subject, "deadline": f"{item.deadline:%Y-%m-%d}"},
        link=f"/supervision/{item.pk}/",
        departments=[item.department],
    )
    return item


def overdue_follow_up(*, zone: Zone) -> int:
    """Daily, on working days: remind (催办) the department of every overdue item that waits for it
    (assigned or sent back), again every ``REMIND_EVERY_WORKING_DAYS``; after ``ESCALATE_AFTER_WORKING_DAYS``
    working days overdue, escalate it to the leader in charge (once). An item the department has answered
    waits for the supervision office, not for the department, so it is neither reminded nor escalated.
    Returns the number of items followed up."""
    today = clock.today(zone=zone)
    overdue = list(
        SupervisionItem.objects.filter(
            zone=zone, deadline__lt=today, status__in=AWAITING_DEPARTMENT
        ).select_related("department", "leader", "zone")
    )
    # The calendar from the oldest date counted from, read once for all the items.
    counter = WorkdayCounter(
        first=min(
            [today, *(i.deadline for i in overdue), *(i.reminded_on for i in overdue if i.reminded_on)]
        ),
        last=today,
    )
    if today not in counter.days:
        return 0
    followed = 0
    for item in overdue:
        with transaction.atomic():
            if (
                item.reminded_on is None
                or item.reminded_on < item.deadline
                or counter.between(start=item.reminded_on, end=today) >= REMIND_EVERY_WORKING_DAYS
            ):
                item_remind(actor=None, item=item)
            late = counter.between(start=item.deadline, end=today)
            if late >= ESCALATE_AFTER_WORKING_DAYS and item.escalated_on is None and item.leader is not None:
                item.escalated_on = today
                item.save(update_fields=["escalated_on", "updated_at"])
                _event(item=item, actor=None, action="escalate", note=item.leader.get_username())
                audit_record(
                    actor=None,
                    action="supervision.escalate",
                    instance=item,
                    after={"leader_id": item.leader.pk},
                )
                notify(
                    zone=zone,
                    event_key=f"supervision:{item.pk}:escalate",
                    title=_("Overdue %(days)s working days: %(number)s %(subject)s")
                    % {"days": late, "number": item.number, "subject": item.subject},
                    link=f"/supervision/{item.pk}/",
                    users=[item.leader],
                )
        followed += 1
    return followed


@transaction.atomic
def adjustment_add(
    *, actor: User, zone: Zone, department_id: int, period: str, points: Decimal, reason: str
) -> AssessmentAdjustment:
    """A bonus (positive) or penalty (negative) for a department of the zone in a period, with its reason."""
    from zoneops.supervision.assessment import parse_period

    require_perm(actor, Perm.ASSESSMENT_ADJUST)
    errors: list[FieldError] = []
    try:
        parse_period(period)
    except ValueError:
        errors.append(FieldError("period", _("Write the period as 2022Q1 or 2022.")))
    if not points.is_finite() or not Decimal(-20) <= points <= Decimal(20) or points == 0:
        errors.append(FieldError("points", _("Enter points between -20 and 20, not 0.")))
    if not reason.strip():
        errors.append(FieldError("reason", _("This field is required.")))
    department = Department.objects.filter(zone=zone, pk=department_id).first()
    if department is None:
        errors.append(FieldError("department_id", _("No department with this id in the zone.")))
    if errors or department is None:
        raise InvalidInput(errors)
    period = parse_period(period).code
    adjustment = AssessmentAdjustment.objects.create(
        zone=zone,
        department=department,
        period=period,
        points=points,
        reason=reason.strip(),
        entered_by=actor,
    )
    audit_record(
        actor=actor,
        action="assessment.adjust",
        instance=adjustment,
        after={
            "department_id": department.pk,
            "period": period,
            "points": str(points),
            "reason": reason.strip(),
        },
    )
    return adjustment


@transaction.atomic
def assessment_weights_set(
    *, actor: User, zone: Zone, weights: dict[str, int], period: str = ""
) -> AssessmentScheme:
    """The zone's assessment weights: points out of 100 per measure (0 leaves a measure out). A measure a
    department has nothing to be measured on does not apply, so the weights that apply are scaled to 100
    anyway; they need not add up to 100, only to more than 0.

    With a ``period`` (2023 or 2023Q2) the weights are that period's own scheme. Without, they are the
    standing scheme, which applies from the running period on: every closed period without a scheme of
    its own first keeps the weights it was assessed under, so changing the weights never rescores the past.
    """
    from zoneops.supervision.assessment import DEFAULT_WEIGHTS, parse_period, zone_weights

    require_perm(actor, Perm.SUPERVISION_MANAGE)
    errors: list[FieldError] = []
    code = ""
    if period.strip():
        try:
            code = parse_period(period).code
        except ValueError:
            errors.append(FieldError("period", _("Write the period as 2022Q1 or 2022.")))
    for measure in weights:
        if measure not in DEFAULT_WEIGHTS:
            errors.append(FieldError(f"weights.{measure}", _("Unknown measure.")))
    for measure in DEFAULT_WEIGHTS:
        value = weights.get(measure)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            errors.append(FieldError(f"weights.{measure}", _("Enter a whole number from 0 to 100.")))
    if not errors and sum(weights.values()) == 0:
        errors.append(FieldError("weights", _("At least one measure needs a weight above 0.")))
    if errors:
        raise InvalidInput(errors)
    chosen = {measure: weights[measure] for measure in DEFAULT_WEIGHTS}
    before = zone_weights(zone.pk, period_code=code)
    frozen: list[str] = []
    if code:
        scheme, _created = AssessmentScheme.objects.update_or_create(
            zone=zone, period=code, defaults={"name": code, "weights": chosen, "is_default": False}
        )
    else:
        frozen = _closed_periods_freeze(zone=zone, weights=before)
        existing = AssessmentScheme.objects.filter(zone=zone, period="", is_default=True).first()
        if existing is None:
            scheme = AssessmentScheme.objects.create(
                zone=zone, name=_("Default scheme"), weights=chosen, is_default=True
            )
        else:
            scheme = existing
            scheme.weights = chosen
            scheme.save(update_fields=["weights", "updated_at"])
    audit_record(
        actor=actor,
        action="assessment.weights",
        instance=scheme,
        before=before,
        after={**chosen, "period": code, "frozen_periods": frozen},
    )
    return scheme


def _closed_periods_freeze(*, zone: Zone, weights: dict[str, int]) -> list[str]:
    """Give every closed quarter and year since the zone's first key project, order or lead a scheme of
    its own with ``weights`` (the ones it has been assessed under), unless it already has one."""
    from zoneops.investment.models import Lead
    from zoneops.servicedesk.models import ServiceOrder
    from zoneops.supervision.assessment import parse_period

    today = clock.today(zone=zone)
    firsts = [
        KeyProject.objects.filter(zone=zone).aggregate(first=Min("year"))["first"],
        (ServiceOrder.objects.filter(zone=zone).aggregate(first=Min("submitted_on"))["first"] or today).year,
        (Lead.objects.filter(zone=zone).aggregate(first=Min("opened_on"))["first"] or today).year,
    ]
    first_year = min(year for year in firsts if year is not None)
    codes = [
        code
        for year in range(first_year, today.year + 1)
        for code in (*(f"{year}Q{quarter}" for quarter in range(1, 5)), str(year))
        if parse_period(code).end < today
    ]
    taken = set(AssessmentScheme.objects.filter(zone=zone, period__in=codes).values_list("period", flat=True))
    missing = [code for code in codes if code not in taken]
    AssessmentScheme.objects.bulk_create(
        [
            AssessmentScheme(zone=zone, name=code, weights=weights, is_default=False, period=code)
            for code in missing
        ]
    )
    return missing
