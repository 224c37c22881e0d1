"""Writes of the service desk: filing, the order state machine, escalation. Every step is checked,
audited and put on the order's timeline; deadlines count working days on China's official calendar."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from zoneops.accounts.models import Department, User, Zone
from zoneops.core import clock
from zoneops.core.access import Perm, has_perm, is_enterprise_user, require_perm
from zoneops.core.errors import FieldError, InvalidInput, TransitionNotAllowed
from zoneops.core.selectors import add_working_days, working_days_between
from zoneops.core.services import audit_record, notify
from zoneops.enterprises.models import Enterprise
from zoneops.projects.models import Problem
from zoneops.servicedesk.models import OrderEvent, OrderStatus, ServiceOrder, ServiceType

S = OrderStatus
# The state machine, in one place: action → (states it may start from, state it leads to, who acts).
# "dispatcher": the general office (ORDER_DISPATCH); "department": staff of the order's department;
# "enterprise": the filing enterprise's contacts.
TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    "accept": (frozenset({S.SUBMITTED}), S.ACCEPTED, "dispatcher"),
    "refuse": (frozenset({S.SUBMITTED}), S.REFUSED, "dispatcher"),
    "dispatch": (frozenset({S.ACCEPTED, S.RETURNED}), S.DISPATCHED, "dispatcher"),
    "merge": (frozenset({S.SUBMITTED, S.ACCEPTED}), S.MERGED, "dispatcher"),
    "start": (frozenset({S.DISPATCHED}), S.IN_PROGRESS, "department"),
    "return": (frozenset({S.DISPATCHED, S.IN_PROGRESS}), S.RETURNED, "department"),
    "wait": (frozenset({S.DISPATCHED, S.IN_PROGRESS}), S.WAITING, "department"),
    "resume": (frozenset({S.WAITING}), S.IN_PROGRESS, "enterprise_or_department"),
    "answer": (frozenset({S.DISPATCHED, S.IN_PROGRESS}), S.ANSWERED, "department"),
    "confirm": (frozenset({S.ANSWERED}), S.CONFIRMED, "enterprise"),
    "close": (frozenset({S.CONFIRMED, S.ANSWERED}), S.CLOSED, "dispatcher"),
    "rate": (frozenset({S.CONFIRMED, S.CLOSED}), S.CLOSED, "enterprise"),
    "reopen": (frozenset({S.ANSWERED, S.CONFIRMED, S.CLOSED}), S.IN_PROGRESS, "enterprise_or_dispatcher"),
}
NEEDS_NOTE = {"refuse", "return", "wait", "answer", "reopen"}
OPEN_STATES = frozenset({S.SUBMITTED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.WAITING, S.RETURNED})
BAD_RATING = 2


def _member(user: User, order: ServiceOrder) -> bool:
    if order.department_id is None:
        return False
    return user.department_id == order.department_id or (
        order.department is not None and order.department.head_id == user.pk
    )


def _own(user: User, order: ServiceOrder) -> bool:
    return is_enterprise_user(user) and user.enterprise_id == order.enterprise_id


def _may(user: User, order: ServiceOrder, who: str) -> bool:
    dispatcher = has_perm(user, Perm.ORDER_DISPATCH)
    if who == "dispatcher":
        return dispatcher
    if who == "department":
        return _member(user, order) or dispatcher
    if who == "enterprise":
        return _own(user, order)
    if who == "enterprise_or_department":
        return _own(user, order) or _member(user, order) or dispatcher
    if who == "enterprise_or_dispatcher":
        return _own(user, order) or dispatcher
    return False


def _holders(*, zone: Zone, perm: Perm) -> list[User]:
    """The zone's active users who hold a permission (roles and department functions both grant them)."""
    return [
        u
        for u in User.objects.filter(zone=zone, is_active=True).select_related("department").order_by("pk")
        if has_perm(u, perm)
    ]


def _event(*, order: ServiceOrder, actor: User | None, action: str, note: str = "") -> OrderEvent:
    return OrderEvent.objects.create(
        order=order,
        at=clock.now(zone=order.zone),
        actor=actor,
        action=action,
        status_after=order.status,
        note=note,
    )


def _number(zone: Zone, year: int) -> str:
    prefix = f"GD{year}-"
    last = ServiceOrder.objects.filter(zone=zone, number__startswith=prefix).aggregate(m=Max("number"))["m"]
    return f"{prefix}{(int(last.removeprefix(prefix)) + 1) if last else 1:05d}"


def _clean_extra(
    service_type: ServiceType, extra: Mapping[str, Any]
) -> tuple[dict[str, Any], list[FieldError]]:
    """The sub-type's typed extra fields: required ones present, numbers numbers, dates dates, choices
    known."""
    errors: list[FieldError] = []
    cleaned: dict[str, Any] = {}
    spec = {f["name"]: f for f in service_type.fields}
    for name in sorted(set(extra) - set(spec)):
        errors.append(FieldError(f"extra.{name}", _("Unknown field.")))
    for name, field in spec.items():
        value = extra.get(name)
        if value in (None, ""):
            if field.get("required"):
                errors.append(FieldError(f"extra.{name}", _("This field is required.")))
            continue
        kind = field.get("type", "text")
        if kind == "number":
            try:
                cleaned[name] = float(str(value).replace(",", ""))
            except ValueError:
                errors.append(FieldError(f"extra.{name}", _("Enter a number.")))
        elif kind == "date":
            try:
                cleaned[name] = dt.date.fromisoformat(str(value)).isoformat()
            except ValueError:
                errors.append(FieldError(f"extra.{name}", _("Enter a valid date (YYYY-MM-DD).")))
        elif kind == "choice":
            if value not in field.get("choices", []):
                errors.append(
                    FieldError(
                        f"extra.{name}",
                        _("Choose one of: %(choices)s.") % {"choices": ", ".join(field.get("choices", []))},
                    )
                )
            cleaned[name] = value
        else:
            cleaned[name] = str(value)[:500]
    return cleaned, errors


def possible_duplicates(*, enterprise: Enterprise, title: str, description: str = "") -> list[ServiceOrder]:
    """Open orders of the same enterprise whose text is close to this one (suggested when filing)."""
    text = f"{title} {description}".strip()
    found: list[tuple[float, ServiceOrder]] = []
    for order in ServiceOrder.objects.filter(enterprise=enterprise, status__in=OPEN_STATES).order_by("-id")[
        :200
    ]:
        ratio = difflib.SequenceMatcher(None, text, f"{order.title} {order.description}").ratio()
        title_ratio = difflib.SequenceMatcher(None, title, order.title).ratio()
        score = max(ratio, title_ratio)
        if score >= 0.6:
            found.append((score, order))
    found.sort(key=lambda pair: (-pair[0], pair[1].pk))
    return [order for _score, order in found[:5]]


@transaction.atomic
def order_file(
    *,
    actor: User,
    enterprise: Enterprise,
    service_type: ServiceType,
    title: str,
    description: str,
    extra: Mapping[str, Any] | None = None,
) -> ServiceOrder:
    """File an order: an enterprise contact for its own enterprise, or a dispatcher on its behalf."""
    if is_enterprise_user(actor):
        require_perm(actor, Perm.ORDER_FILE)
        if actor.enterprise_id != enterprise.pk:
            raise PermissionDenied(_("An enterprise files orders for itself only."))
    else:
        require_perm(actor, Perm.ORDER_DISPATCH)
    return _order_create(
        actor=actor,
        enterprise=enterprise,
        service_type=service_type,
        title=title,
        description=description,
        extra=extra,
    )


@transaction.atomic
def problem_to_order(*, actor: User, problem: Problem, service_type: ServiceType) -> ServiceOrder:
    """One action: a key project's problem becomes a service order for the project's owner enterprise,
    filed by whoever reports on the project (the order keeps the problem it came from)."""
    from zoneops.projects.services import require_report

    project = problem.project
    require_report(actor, project)
    if project.owner is None:
        raise InvalidInput.single("problem_id", _("The project has no owner enterprise to file for."))
    if problem.service_orders.exclude(status__in=[S.CLOSED, S.REFUSED, S.MERGED]).exists():
        raise InvalidInput.single("problem_id", _("An open service order exists for this problem."))
    order = _order_create(
        actor=actor,
        enterprise=project.owner,
        service_type=service_type,
        title=f"{project.name}：{problem.description}"[:200],
        description=problem.description,
        extra={},
        check_required_fields=False,
    )
    order.problem = problem
    order.save(update_fields=["problem", "updated_at"])
    return order


def _order_create(
    *,
    actor: User,
    enterprise: Enterprise,
    service_type: ServiceType,
    title: str,
    description: str,
    extra: Mapping[str, Any] | None,
    check_required_fields: bool = True,
) -> ServiceOrder:
    errors: list[FieldError] = []
    if not title.strip():
        errors.append(FieldError("title", _("This field is required.")))
    elif len(title.strip()) > 200:
        errors.append(FieldError("title", _("Enter at most %(max)s characters.") % {"max": 200}))
    if not description.strip():
        errors.append(FieldError("description", _("This field is required.")))
    if service_type.zone_id != enterprise.zone_id or not service_type.active:
        errors.append(FieldError("service_type", _("No such service in the zone.")))
    cleaned, extra_errors = _clean_extra(service_type, extra or {})
    if not check_required_fields:
        # Filed from a project problem: the department completes the sub-type's fields with the enterprise.
        extra_errors = [e for e in extra_errors if e.message != _("This field is required.")]
    errors += extra_errors
    if errors:
        raise InvalidInput(errors)
    today = clock.today(zone=enterprise.zone)
    due = add_working_days(start=today, days=service_type.accept_days)
    order = ServiceOrder.objects.create(
        zone_id=enterprise.zone_id,
        number=_number(enterprise.zone, today.year),
        enterprise=enterprise,
        service_type=service_type,
        title=title.strip(),
        description=description.strip(),
        extra=cleaned,
        department=service_type.department,
        filed_by=actor,
        submitted_on=today,
        accept_due=due.date,
        deadline_provisional=due.provisional,
    )
    _event(order=order, actor=actor, action="submit")
    audit_record(
        actor=actor,
        action="order.submit",
        instance=order,
        after={"number": order.number, "service_type": service_type.code, "title": order.title},
    )
    notify(
        zone=order.zone,
        event_key=f"order:{order.pk}:submit",
        title=_("New service order %(number)s: %(title)s") % {"number": order.number, "title": order.title},
        link=f"/api/v1/orders/{order.pk}",
        users=_holders(zone=order.zone, perm=Perm.ORDER_DISPATCH),
    )
    return order


@transaction.atomic
def order_act(
    *,
    actor: User,
    order: ServiceOrder,
    action: str,
    note: str = "",
    department: Department | None = None,
    handler: User | None = None,
    rating: int | None = None,
    duplicate_of: ServiceOrder | None = None,
) -> ServiceOrder:
    """One step of the order's state machine (``TRANSITIONS``)."""
    if action not in TRANSITIONS:
        raise InvalidInput.single(
            "action", _("Choose one of: %(choices)s.") % {"choices": ", ".join(TRANSITIONS)}
        )
    sources, target, who = TRANSITIONS[action]
    if not _may(actor, order, who):
        raise PermissionDenied(_("Your role may not do this."))
    if order.status not in sources:
        raise TransitionNotAllowed(
            _("An order that is %(status)s cannot be %(action)s.")
            % {"status": order.get_status_display(), "action": action}
        )
    errors: list[FieldError] = []
    if action in NEEDS_NOTE and not note.strip():
        errors.append(FieldError("note", _("This field is required.")))
    if action == "dispatch" and department is None and order.department_id is None:
        errors.append(FieldError("department_id", _("Choose the department.")))
    if department is not None and department.zone_id != order.zone_id:
        errors.append(FieldError("department_id", _("No department with this id in the zone.")))
    if action == "rate" and (rating is None or not 1 <= rating <= 5):
        errors.append(FieldError("rating", _("Enter a whole number from 1 to 5.")))
    if action == "merge" and (
        duplicate_of is None or duplicate_of.pk == order.pk or duplicate_of.zone_id != order.zone_id
    ):
        errors.append(FieldError("duplicate_of", _("Name the order this one duplicates.")))
    if errors:
        raise InvalidInput(errors)
    today = clock.today(zone=order.zone)
    before = order.status
    changes: dict[str, Any] = {}
    if action == "accept":
        reply = add_working_days(start=today, days=order.service_type.reply_days)
        resolve = add_working_days(start=today, days=order.service_type.resolve_days)
        order.reply_due, order.resolve_due = reply.date, resolve.date
        order.deadline_provisional = order.deadline_provisional or reply.provisional or resolve.provisional
        changes = {"reply_due": reply.date.isoformat(), "resolve_due": resolve.date.isoformat()}
    elif action == "dispatch":
        if department is not None:
            order.department = department
        order.handler = handler
        changes = {"department_id": order.department_id, "handler_id": handler.pk if handler else None}
    elif action == "wait":
        order.waiting_since = today
    elif action == "resume" and order.waiting_since is not None and order.resolve_due is not None:
        # The clock paused while the enterprise was asked for something: the deadline moves by as many
        # working days as the wait lasted.
        paused = max(0, working_days_between(start=order.waiting_since, end=today))
        moved = add_working_days(start=order.resolve_due, days=paused)
        order.resolve_due = moved.date
        order.waiting_since = None
        changes = {"resolve_due": moved.date.isoformat(), "paused_working_days": paused}
    elif action == "answer":
        order.answered_on = today
    elif action in ("close", "rate") and order.closed_on is None:
        order.closed_on = today
    elif action == "merge":
        order.duplicate_of = duplicate_of
        order.closed_on = today
        changes = {"duplicate_of": duplicate_of.number if duplicate_of else None}
    elif action == "reopen":
        order.closed_on = None
        order.answered_on = None
    if action == "rate":
        order.rating = rating
        order.rating_comment = note.strip()[:500]
        changes = {"rating": rating}
    order.status = target
    order.save()
    _event(order=order, actor=actor, action=action, note=note.strip())
    audit_record(
        actor=actor,
        action=f"order.{action}",
        instance=order,
        before={"status": before},
        after={"status": target, **changes},
        note=note.strip(),
    )
    if action == "rate" and rating is not None and rating <= BAD_RATING:
        notify(
            zone=order.zone,
            event_key=f"order:{order.pk}:bad-rating:{order.events.count()}",
            title=_("%(number)s rated %(rating)s: follow up with the enterprise")
            % {"number": order.number, "rating": rating},
            link=f"/api/v1/orders/{order.pk}",
            users=_holders(zone=order.zone, perm=Perm.ORDER_DISPATCH),
            departments=[order.department] if order.department else [],
        )
    elif action in ("answer", "refuse"):
        notify(
            zone=order.zone,
            event_key=f"order:{order.pk}:{action}:{order.events.count()}",
            title=_("Your order %(number)s: %(status)s")
            % {"number": order.number, "status": order.get_status_display()},
            link=f"/api/v1/orders/{order.pk}",
            users=list(order.enterprise.users.filter(is_active=True)),
        )
    return order


ESCALATION_HEAD_AFTER = 2  # working days overdue
ESCALATION_SUPERVISION_AFTER = 5


def escalate_overdue(*, zone: Zone) -> int:
    """The periodic escalation over the zone's open orders past their deadline: level 1 reminds the
    handler (or the department), level 2 the department head, level 3 raises a supervision item. Each
    level once per order. Returns the number of steps taken."""
    from zoneops.supervision.models import ItemSource
    from zoneops.supervision.services import item_raise

    today = clock.today(zone=zone)
    steps = 0
    supervisor = next(iter(_holders(zone=zone, perm=Perm.SUPERVISION_MANAGE)), None)
    overdue = ServiceOrder.objects.filter(
        zone=zone,
        status__in=[S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.RETURNED],
        resolve_due__lt=today,
        escalation_level__lt=3,
    ).select_related("department", "department__head", "handler", "zone")
    for order in overdue:
        assert order.resolve_due is not None
        late = working_days_between(start=order.resolve_due, end=today)
        wanted = 3 if late >= ESCALATION_SUPERVISION_AFTER else 2 if late >= ESCALATION_HEAD_AFTER else 1
        with transaction.atomic():
            while order.escalation_level < wanted:
                level = order.escalation_level + 1
                if level == 3 and supervisor is not None and order.department is not None:
                    item = item_raise(
                        actor=supervisor,
                        zone=zone,
                        source=ItemSource.SERVICE_ORDER,
                        subject=f"{order.number} {order.title}"[:300],
                        department=order.department,
                        working_days=3,
                        instructions=_("Service order overdue %(days)s working days.") % {"days": late},
                    )
                    order.supervision_item = item
                else:
                    users = [order.handler] if level == 1 and order.handler else []
                    if level == 2 and order.department is not None and order.department.head is not None:
                        users = [order.department.head]
                    notify(
                        zone=zone,
                        event_key=f"order:{order.pk}:escalation:{level}",
                        title=_("Service order %(number)s is overdue since %(due)s")
                        % {"number": order.number, "due": f"{order.resolve_due:%Y-%m-%d}"},
                        link=f"/api/v1/orders/{order.pk}",
                        users=users,
                        departments=[order.department]
                        if level == 1 and not users and order.department
                        else [],
                    )
                order.escalation_level = level
                order.save(update_fields=["escalation_level", "supervision_item", "updated_at"])
                _event(order=order, actor=None, action=f"escalate_{level}")
                audit_record(
                    actor=None, action="order.escalate", instance=order, after={"level": level, "late": late}
                )
                steps += 1
    return steps
