"""Writes of the service desk: filing, the order state machine, escalation. Every step is checked,
audited and put on the order's timeline; deadlines count working days on China's official calendar."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.accounts.models import Department, Role, User, Zone
from zoneops.accounts.selectors import users_with_role
from zoneops.core import clock
from zoneops.core.access import Perm, has_perm, is_enterprise_user, require_perm
from zoneops.core.errors import FieldError, InvalidInput, TransitionNotAllowed
from zoneops.core.selectors import WorkdayCounter, add_working_days, working_days_between
from zoneops.core.services import audit_record, notify, site_link
from zoneops.core.uploads import DOCUMENT_MAX_BYTES, document_check
from zoneops.enterprises.models import Enterprise
from zoneops.projects.models import Problem
from zoneops.servicedesk.models import (
    BAD_RATING,
    FINISHED_STATES,
    OPEN_STATES,
    RUNNING_STATES,
    Open311Key,
    OrderAttachment,
    OrderDayStat,
    OrderEvent,
    OrderRating,
    OrderStatus,
    ServiceOrder,
    ServiceType,
)
from zoneops.servicedesk.selectors import bad_ratings_pending

S = OrderStatus
# The state machine, in one place: action → (states it may start from, state it leads to, who acts).
# "dispatcher": the general office (ORDER_DISPATCH); "department": staff of the order's department;
# "enterprise": the filing enterprise's contacts. A target of None keeps the state (the extension steps
# are a side path: the order goes on being handled while the dispatcher decides; so is the follow-up of a
# bad rating, from any state an order that has been rated can be in).
_RATED_STATES = frozenset(
    {S.DISPATCHED, S.IN_PROGRESS, S.WAITING, S.RETURNED, S.ANSWERED, S.CONFIRMED, S.CLOSED}
)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None, str]] = {
    "accept": (frozenset({S.SUBMITTED}), S.ACCEPTED, "dispatcher"),
    "refuse": (frozenset({S.SUBMITTED}), S.REFUSED, "dispatcher"),
    "dispatch": (frozenset({S.ACCEPTED, S.RETURNED}), S.DISPATCHED, "dispatcher"),
    "merge": (frozenset({S.SUBMITTED, S.ACCEPTED}), S.MERGED, "dispatcher"),
    "start": (frozenset({S.DISPATCHED}), S.IN_PROGRESS, "department"),
    "return": (frozenset({S.DISPATCHED, S.IN_PROGRESS}), S.RETURNED, "department"),
    "wait": (frozenset({S.DISPATCHED, S.IN_PROGRESS}), S.WAITING, "department"),
    "resume": (frozenset({S.WAITING}), S.IN_PROGRESS, "enterprise_or_department"),
    "request_extension": (frozenset({S.DISPATCHED, S.IN_PROGRESS}), None, "department"),
    "decide_extension": (frozenset({S.DISPATCHED, S.IN_PROGRESS, S.WAITING}), None, "dispatcher"),
    "answer": (frozenset({S.DISPATCHED, S.IN_PROGRESS}), S.ANSWERED, "department"),
    "confirm": (frozenset({S.ANSWERED}), S.CONFIRMED, "enterprise"),
    "close": (frozenset({S.CONFIRMED, S.ANSWERED}), S.CLOSED, "dispatcher"),
    "rate": (frozenset({S.CONFIRMED, S.CLOSED}), S.CLOSED, "enterprise"),
    "reopen": (frozenset({S.ANSWERED, S.CONFIRMED, S.CLOSED}), S.IN_PROGRESS, "enterprise_or_dispatcher"),
    "follow_up": (_RATED_STATES, None, "dispatcher"),
}
# What the order page calls each step (the buttons and the timeline).
ACTION_LABELS: dict[str, str | Promise] = {
    "submit": gettext_lazy("filed"),
    "accept": gettext_lazy("accept"),
    "refuse": gettext_lazy("refuse"),
    "dispatch": gettext_lazy("dispatch"),
    "merge": gettext_lazy("merge as duplicate"),
    "start": gettext_lazy("start work"),
    "return": gettext_lazy("return to the dispatcher"),
    "wait": gettext_lazy("ask the enterprise (pause)"),
    "resume": gettext_lazy("resume"),
    "request_extension": gettext_lazy("request an extension"),
    "decide_extension": gettext_lazy("decide the extension"),
    "answer": gettext_lazy("answer"),
    "confirm": gettext_lazy("confirm the answer"),
    "close": gettext_lazy("close"),
    "rate": gettext_lazy("rate"),
    "reopen": gettext_lazy("reopen"),
    "follow_up": gettext_lazy("follow up the bad rating"),
    "attach": gettext_lazy("file attached"),
    "deadline_warning": gettext_lazy("deadline warning"),
    "accept_overdue": gettext_lazy("reminder: acceptance overdue"),
    "reply_overdue": gettext_lazy("reminder: first reply overdue"),
    "escalate_1": gettext_lazy("reminder to the handler"),
    "escalate_2": gettext_lazy("reminder to the department head"),
    "escalate_3": gettext_lazy("handed to supervision"),
}
NEEDS_NOTE = {"refuse", "return", "wait", "answer", "reopen", "request_extension", "follow_up"}
# The department's steps that reach the enterprise: the first one is its first reply.
REPLYING_STEPS = frozenset({"wait", "answer"})
RATEABLE_STATES = frozenset({S.ANSWERED, S.CONFIRMED, S.CLOSED})
ATTACHABLE_STATES = OPEN_STATES | {S.ANSWERED}
EXTENSION_MAX_DAYS = 30
ATTACHMENT_MAX_BYTES = DOCUMENT_MAX_BYTES
ATTACHMENTS_PER_ORDER = 10
RATING_LINK_DAYS = 60
_RATING_SALT = "zoneops.servicedesk.rating"


def order_link(order: ServiceOrder) -> str:
    return reverse("servicedesk:order", kwargs={"order_id": order.pk})


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


def actions_for(user: User, order: ServiceOrder) -> list[str]:
    """The steps this user may take on the order now (the order page offers exactly these)."""
    allowed = [
        action
        for action, (sources, _target, who) in TRANSITIONS.items()
        if order.status in sources and _may(user, order, who)
    ]
    if order.extension_requested_days is None:
        allowed = [a for a in allowed if a != "decide_extension"]
    else:
        allowed = [a for a in allowed if a != "request_extension"]
    if order.rating is not None:
        allowed = [a for a in allowed if a != "rate"]
    if "follow_up" in allowed and not bad_ratings_pending(order=order).exists():
        allowed = [a for a in allowed if a != "follow_up"]
    return allowed


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
                number = float(str(value).replace(",", ""))
            except ValueError:
                number = math.nan
            if math.isfinite(number):
                cleaned[name] = number
            else:  # "nan", "inf" and 1e400 parse as floats, but are no amount a form can mean
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
    if problem.service_orders.exclude(status__in=list(FINISHED_STATES)).exists():
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


def deadlines_set(order: ServiceOrder, *, counter: WorkdayCounter | None = None) -> None:
    """The order's deadlines from its own dates, in one place: acceptance from filing; first reply and
    resolution from acceptance — once reopened, the resolution from the reopening — the resolution moved
    by the paused days and granted extensions since it started. Used when they first arise and again
    when the calendar is corrected (so both always agree)."""
    add = counter.add if counter is not None else add_working_days
    service_type = order.service_type
    accept = add(start=order.submitted_on, days=service_type.accept_days)
    order.accept_due = accept.date
    provisional = accept.provisional
    if order.accepted_on is not None:
        reply = add(start=order.accepted_on, days=service_type.reply_days)
        resolve_from, paused = order.accepted_on, order.paused_days
        if order.reopened_on is not None:
            resolve_from, paused = order.reopened_on, order.paused_days - order.paused_before_reopen
        resolve = add(start=resolve_from, days=service_type.resolve_days + paused + order.extension_days)
        order.reply_due, order.resolve_due = reply.date, resolve.date
        provisional = provisional or reply.provisional or resolve.provisional
    order.deadline_provisional = provisional


def _order_create(
    *,
    actor: User | None,
    enterprise: Enterprise,
    service_type: ServiceType,
    title: str,
    description: str,
    extra: Mapping[str, Any] | None,
    check_required_fields: bool = True,
    channel_note: str = "",
    open311_token: str = "",
) -> ServiceOrder:
    errors: list[FieldError] = []
    if not title.strip():
        errors.append(FieldError("title", _("This field is required.")))
    elif len(title.strip()) > 200:
        errors.append(FieldError("title", _("Enter at most %(max)s characters.") % {"max": 200}))
    if not description.strip():
        errors.append(FieldError("description", _("This field is required.")))
    elif len(description) > 5000:
        errors.append(FieldError("description", _("Enter at most %(max)s characters.") % {"max": 5000}))
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
    order = ServiceOrder(
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
        open311_token=open311_token,
    )
    deadlines_set(order)
    order.save()
    _stats_shift(None, _contribution(order))
    _event(order=order, actor=actor, action="submit", note=channel_note)
    audit_record(
        actor=actor,
        action="order.submit",
        instance=order,
        after={"number": order.number, "service_type": service_type.code, "title": order.title},
        note=channel_note,
    )
    notify(
        zone=order.zone,
        event_key=f"order:{order.pk}:submit",
        title=_("New service order %(number)s: %(title)s") % {"number": order.number, "title": order.title},
        link=order_link(order),
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
    days: int | None = None,
    approve: bool | None = None,
) -> ServiceOrder:
    """One step of the order's state machine (``TRANSITIONS``), by a signed-in user."""
    if action not in TRANSITIONS:
        raise InvalidInput.single(
            "action", _("Choose one of: %(choices)s.") % {"choices": ", ".join(TRANSITIONS)}
        )
    if not _may(actor, order, TRANSITIONS[action][2]):
        raise PermissionDenied(_("Your role may not do this."))
    return _step(
        actor=actor,
        order=order,
        action=action,
        note=note,
        department=department,
        handler=handler,
        rating=rating,
        duplicate_of=duplicate_of,
        days=days,
        approve=approve,
    )


def _step(
    *,
    actor: User | None,
    order: ServiceOrder,
    action: str,
    note: str = "",
    department: Department | None = None,
    handler: User | None = None,
    rating: int | None = None,
    duplicate_of: ServiceOrder | None = None,
    days: int | None = None,
    approve: bool | None = None,
) -> ServiceOrder:
    sources, target, _who = TRANSITIONS[action]
    # The row as it is now, locked: two people acting on one order at once take turns, and a caller's
    # stale copy cannot undo a step taken elsewhere (the rating link, another tab).
    ServiceOrder.objects.select_for_update().filter(pk=order.pk).first()
    order.refresh_from_db()
    if order.status not in sources:
        raise TransitionNotAllowed(
            _("An order that is %(status)s does not allow this step: %(action)s.")
            % {"status": order.get_status_display(), "action": ACTION_LABELS.get(action, action)}
        )
    errors: list[FieldError] = []
    if action in NEEDS_NOTE and not note.strip():
        errors.append(FieldError("note", _("This field is required.")))
    if len(note) > 2000:
        errors.append(FieldError("note", _("Enter at most %(max)s characters.") % {"max": 2000}))
    if action == "dispatch" and department is None and order.department_id is None:
        errors.append(FieldError("department_id", _("Choose the department.")))
    if department is not None and department.zone_id != order.zone_id:
        errors.append(FieldError("department_id", _("No department with this id in the zone.")))
    if handler is not None and (
        handler.zone_id != order.zone_id
        or handler.department_id != (department.pk if department else order.department_id)
    ):
        errors.append(FieldError("handler_id", _("The handler must work in the department.")))
    if action == "rate" and (rating is None or not 1 <= rating <= 5):
        errors.append(FieldError("rating", _("Enter a whole number from 1 to 5.")))
    if action == "rate" and order.rating is not None:
        errors.append(FieldError("rating", _("This order has been rated already.")))
    if action == "merge" and (
        duplicate_of is None or duplicate_of.pk == order.pk or duplicate_of.zone_id != order.zone_id
    ):
        errors.append(FieldError("duplicate_of", _("Name the order this one duplicates.")))
    if action == "request_extension":
        if order.extension_requested_days is not None:
            errors.append(FieldError("days", _("An extension request is waiting for a decision.")))
        if days is None or not 1 <= days <= EXTENSION_MAX_DAYS:
            errors.append(
                FieldError(
                    "days",
                    _("Enter a whole number of working days from 1 to %(max)s.")
                    % {"max": EXTENSION_MAX_DAYS},
                )
            )
    if action == "decide_extension":
        if order.extension_requested_days is None:
            errors.append(FieldError("approve", _("No extension has been requested.")))
        if approve is None:
            errors.append(FieldError("approve", _("Say whether the extension is approved.")))
    if action == "follow_up" and not bad_ratings_pending(order=order).exists():
        errors.append(FieldError("rating", _("No bad rating of this order waits for a follow-up.")))
    if errors:
        raise InvalidInput(errors)
    today = clock.today(zone=order.zone)
    before = order.status
    ratings = list(order.ratings.values_list("rating", flat=True))
    counted = _contribution(order, ratings=ratings)
    changes: dict[str, Any] = {}
    if action in REPLYING_STEPS and order.replied_on is None:
        order.replied_on = today
    if action == "accept":
        order.accepted_on = today
        deadlines_set(order)
        assert order.resolve_due is not None
        assert order.reply_due is not None
        changes = {"reply_due": order.reply_due.isoformat(), "resolve_due": order.resolve_due.isoformat()}
    elif action == "dispatch":
        if department is not None:
            order.department = department
        order.handler = handler
        changes = {"department_id": order.department_id, "handler_id": handler.pk if handler else None}
    elif action == "wait":
        order.waiting_since = today
    elif action == "resume" and order.waiting_since is not None:
        # The clock paused while the enterprise was asked for something: the deadline moves by as many
        # working days as the wait lasted.
        paused = max(0, working_days_between(start=order.waiting_since, end=today))
        order.paused_days += paused
        order.waiting_since = None
        deadlines_set(order)
        order.amber_sent = False  # the moved deadline gets its own warning
        changes = {"resolve_due": _iso(order.resolve_due), "paused_working_days": paused}
    elif action == "request_extension":
        order.extension_requested_days = days
        order.extension_reason = note.strip()[:500]
        changes = {"extension_requested_days": days}
    elif action == "decide_extension":
        requested = order.extension_requested_days or 0
        if approve:
            order.extension_days += requested
            deadlines_set(order)
            # A new deadline starts the reminders afresh; the levels already reached stay on the timeline.
            order.amber_sent = False
            if order.resolve_due is not None and order.resolve_due >= today:
                order.escalation_level = 0
        changes = {"approved": bool(approve), "days": requested, "resolve_due": _iso(order.resolve_due)}
        order.extension_requested_days = None
    elif action == "answer":
        order.answered_on = today
        order.resolve_working_days = max(
            0, working_days_between(start=order.submitted_on, end=today) - order.paused_days
        )
        order.answered_on_time = order.resolve_due is None or today <= order.resolve_due
        changes = {"working_days": order.resolve_working_days, "on_time": order.answered_on_time}
    elif action in ("close", "rate") and order.closed_on is None:
        order.closed_on = today
    elif action == "merge":
        order.duplicate_of = duplicate_of
        order.closed_on = today
        changes = {"duplicate_of": duplicate_of.number if duplicate_of else None}
    elif action == "reopen":
        # Worked on again: open, not answered — its answer figures come with the next answer, and the
        # next answer may be rated again (the ratings given stay in ``OrderRating``, and in the figures).
        order.closed_on = None
        order.answered_on = None
        order.answered_on_time = None
        order.resolve_working_days = None
        order.rating = None
        order.rating_comment = ""
        # The resolution deadline starts again from today, in working days, and the reminders with it:
        # the old deadline may lie weeks behind, which would escalate the order to every level at once.
        order.reopened_on = today
        order.paused_before_reopen = order.paused_days
        order.extension_days = 0
        deadlines_set(order)
        order.escalation_level = 0
        order.amber_sent = False
        changes = {"resolve_due": _iso(order.resolve_due)}
    elif action == "follow_up":
        changes = {
            "ratings": list(
                bad_ratings_pending(order=order).order_by("rated_at", "pk").values_list("rating", flat=True)
            )
        }
    if action == "rate":
        assert rating is not None
        order.rating = rating
        order.rating_comment = note.strip()[:500]
        ratings.append(rating)
        changes = {"rating": rating}
    if target is not None:
        order.status = target
    order.save()
    event = _event(order=order, actor=actor, action=action, note=note.strip())
    # The rating, and the follow-up of the bad ones, at the moment of their step on the timeline.
    if action == "rate":
        OrderRating.objects.create(
            order=order, rating=ratings[-1], comment=order.rating_comment, rated_at=event.at, rated_by=actor
        )
    elif action == "follow_up":
        bad_ratings_pending(order=order).update(followed_up_at=event.at, followed_up_by=actor)
    if _contribution(order, ratings=ratings) != counted:
        _stats_shift(counted, _contribution(order, ratings=ratings))
    audit_record(
        actor=actor,
        action=f"order.{action}",
        instance=order,
        before={"status": before},
        after={"status": order.status, **changes},
        note=note.strip(),
    )
    _tell(order=order, action=action, rating=rating, approve=approve)
    return order


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _tell(*, order: ServiceOrder, action: str, rating: int | None, approve: bool | None) -> None:
    """Who hears of a step: a bad rating the dispatchers and the department (a follow-up call is due);
    an answer or a refusal the enterprise; a dispatch the department; an extension request the
    dispatchers and its decision the department."""
    step = order.events.count()
    key = f"order:{order.pk}:{action}:{step}"
    link = order_link(order)
    if action == "rate" and rating is not None and rating <= BAD_RATING:
        notify(
            zone=order.zone,
            event_key=key,
            title=_("%(number)s rated %(rating)s: follow up with the enterprise")
            % {"number": order.number, "rating": rating},
            link=link,
            users=_holders(zone=order.zone, perm=Perm.ORDER_DISPATCH),
            departments=[order.department] if order.department else [],
        )
    elif action in ("answer", "refuse"):
        notify(
            zone=order.zone,
            event_key=key,
            title=_("Your order %(number)s: %(status)s")
            % {"number": order.number, "status": order.get_status_display()},
            body=_("Confirm and rate the answer: %(link)s") % {"link": site_link(rating_link(order))}
            if action == "answer"
            else "",
            link=link,
            users=list(order.enterprise.users.filter(is_active=True)),
            # The registry's contacts without a login hear it by e-mail, and rate through the link.
            addresses=order.enterprise.contacts.exclude(email="").values_list("email", flat=True),
        )
    elif action == "dispatch" and order.department is not None:
        notify(
            zone=order.zone,
            event_key=key,
            title=_("Service order %(number)s for your department: %(title)s")
            % {"number": order.number, "title": order.title},
            link=link,
            users=[order.handler] if order.handler else [],
            departments=[] if order.handler else [order.department],
        )
    elif action == "request_extension":
        notify(
            zone=order.zone,
            event_key=key,
            title=_("%(number)s: extension of %(days)s working days requested")
            % {"number": order.number, "days": order.extension_requested_days},
            link=link,
            users=_holders(zone=order.zone, perm=Perm.ORDER_DISPATCH),
        )
    elif action == "decide_extension" and order.department is not None:
        notify(
            zone=order.zone,
            event_key=key,
            title=(_("%(number)s: extension approved") if approve else _("%(number)s: extension refused"))
            % {"number": order.number},
            link=link,
            departments=[order.department],
        )


# --- rating without a login -----------------------------------------------------------------------


def rating_token(order: ServiceOrder) -> str:
    """A signed token naming the order, for the contact who rates it without signing in."""
    return signing.dumps({"order": order.pk, "zone": order.zone_id}, salt=_RATING_SALT, compress=True)


def rating_link(order: ServiceOrder) -> str:
    return reverse("servicedesk:rate", kwargs={"token": rating_token(order)})


def order_for_rating_token(token: str) -> ServiceOrder:
    """The order a rating link names; a forged, damaged or expired link raises ``InvalidInput``."""
    try:
        payload = signing.loads(token, salt=_RATING_SALT, max_age=dt.timedelta(days=RATING_LINK_DAYS))
        order = ServiceOrder.objects.select_related("zone", "enterprise", "service_type", "department").get(
            pk=int(payload["order"]), zone_id=int(payload["zone"])
        )
    except signing.SignatureExpired:
        raise InvalidInput.single("token", _("This rating link has expired.")) from None
    except (signing.BadSignature, ServiceOrder.DoesNotExist, KeyError, TypeError, ValueError):
        raise InvalidInput.single("token", _("This rating link is not valid.")) from None
    return order


@transaction.atomic
def order_rate_by_token(*, token: str, rating: int, comment: str = "") -> ServiceOrder:
    """Rate through the link sent with the answer: an answered order is confirmed and rated in one go."""
    order = order_for_rating_token(token)
    order = (
        ServiceOrder.objects.select_for_update()
        .select_related("zone", "enterprise", "service_type")
        .get(pk=order.pk)
    )
    if order.rating is not None:
        raise InvalidInput.single("rating", _("This order has been rated already."))
    if order.status == S.ANSWERED:
        _step(actor=None, order=order, action="confirm", note=_("Confirmed through the rating link."))
    return _step(actor=None, order=order, action="rate", rating=rating, note=comment)


# --- attachments ----------------------------------------------------------------------------------


def may_attach(user: User, order: ServiceOrder) -> bool:
    return _own(user, order) or _member(user, order) or has_perm(user, Perm.ORDER_DISPATCH)


@transaction.atomic
def attachment_add(*, actor: User, order: ServiceOrder, name: str, content: bytes) -> OrderAttachment:
    """Attach a PDF, an image or an Office file (its bytes decide the type) to an open order: the filing
    enterprise or the department handling it."""
    if not may_attach(actor, order):
        raise PermissionDenied(_("Your role may not do this."))
    clean_name, kind, errors = document_check(name=name, content=content)
    if order.status not in ATTACHABLE_STATES:
        errors.append(FieldError("file", _("Files can be attached to open orders only.")))
    if order.attachments.count() >= ATTACHMENTS_PER_ORDER:
        errors.append(
            FieldError("file", _("An order holds at most %(max)s files.") % {"max": ATTACHMENTS_PER_ORDER})
        )
    if errors or kind is None:
        raise InvalidInput(errors)
    attachment = OrderAttachment(
        order=order,
        name=clean_name,
        content_type=kind.mime,
        size=len(content),
        uploaded_by=actor,
        uploaded_at=clock.now(zone=order.zone),
    )
    attachment.file.save(f"{order.number}.{kind.extension}", ContentFile(content), save=False)
    attachment.save()
    _event(order=order, actor=actor, action="attach", note=clean_name)
    audit_record(
        actor=actor,
        action="order.attach",
        instance=order,
        after={"file": attachment.file.name, "name": clean_name, "size": attachment.size},
    )
    return attachment


# --- Open311 keys ---------------------------------------------------------------------------------


def _key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def open311_key_issue(
    *, actor: User | None, enterprise: Enterprise, label: str = ""
) -> tuple[Open311Key, str]:
    """A new Open311 key for an enterprise (or an integration filing for it). Returns the key row and
    the key itself, which is shown this once. ``actor`` None: issued from the shell."""
    if actor is not None:
        require_perm(actor, Perm.ORDER_DISPATCH)
        if actor.zone_id != enterprise.zone_id:
            raise PermissionDenied(_("Your role may not do this."))
    if len(label) > 100:
        raise InvalidInput.single("label", _("Enter at most %(max)s characters.") % {"max": 100})
    raw = secrets.token_urlsafe(30)
    while raw.startswith("-"):
        # A prefix is typed after `zoneops open311-key --revoke`; one starting with "-" reads as an option.
        raw = secrets.token_urlsafe(30)
    key = Open311Key.objects.create(
        zone_id=enterprise.zone_id,
        enterprise=enterprise,
        label=label.strip(),
        key_hash=_key_hash(raw),
        prefix=raw[:8],
        issued_by=actor,
    )
    audit_record(
        actor=actor,
        action="open311.key_issue",
        instance=key,
        zone=enterprise.zone,
        after={"enterprise": enterprise.pk, "prefix": key.prefix, "label": key.label},
    )
    return key, raw


@transaction.atomic
def open311_key_revoke(*, actor: User, key: Open311Key) -> Open311Key:
    require_perm(actor, Perm.ORDER_DISPATCH)
    if actor.zone_id != key.zone_id:
        raise PermissionDenied(_("Your role may not do this."))
    if key.revoked_at is None:
        key.revoked_at = clock.now(zone=key.zone)
        key.save(update_fields=["revoked_at", "updated_at"])
        audit_record(actor=actor, action="open311.key_revoke", instance=key, after={"prefix": key.prefix})
    return key


def open311_key_check(raw: str) -> Open311Key | None:
    """The live key this is, or None."""
    if not raw or len(raw) > 200:
        return None
    key = (
        Open311Key.objects.filter(key_hash=_key_hash(raw), revoked_at__isnull=True)
        .select_related("enterprise", "zone")
        .first()
    )
    if key is not None:
        Open311Key.objects.filter(pk=key.pk).update(last_used_at=clock.now(zone=key.zone))
    return key


@transaction.atomic
def open311_order_file(
    *, key: Open311Key, service_type: ServiceType, title: str, description: str, extra: Mapping[str, Any]
) -> ServiceOrder:
    """An order filed by an Open311 client for the key's enterprise."""
    return _order_create(
        actor=None,
        enterprise=key.enterprise,
        service_type=service_type,
        title=title,
        description=description,
        extra=extra,
        channel_note=_("Filed through Open311 (key %(prefix)s…).") % {"prefix": key.prefix},
        open311_token=secrets.token_hex(16),
    )


# --- calendar corrections -------------------------------------------------------------------------


def deadlines_recompute(*, first_year: int, last_year: int) -> int:
    """After the calendar of some years was corrected: recompute the deadlines of every order not yet
    answered whose dates reach into those years. Returns the number of orders whose deadlines moved."""
    rows = list(
        ServiceOrder.objects.filter(status__in=OPEN_STATES)
        .filter(
            Q(resolve_due__year__gte=first_year) | Q(accept_due__year__gte=first_year),
            submitted_on__year__lte=last_year,
        )
        .select_related("service_type")
    )
    if not rows:
        return 0
    counter = WorkdayCounter(
        first=min(o.submitted_on for o in rows) - dt.timedelta(days=1),
        last=dt.date(last_year + 1, 12, 31),
    )
    moved: list[ServiceOrder] = []
    for order in rows:
        before = (order.accept_due, order.reply_due, order.resolve_due, order.deadline_provisional)
        deadlines_set(order, counter=counter)
        if (order.accept_due, order.reply_due, order.resolve_due, order.deadline_provisional) != before:
            # A moved deadline gets its own warning and reminder.
            order.accept_reminded = order.accept_reminded and order.accept_due == before[0]
            order.reply_reminded = order.reply_reminded and order.reply_due == before[1]
            order.amber_sent = order.amber_sent and order.resolve_due == before[2]
            moved.append(order)
    ServiceOrder.objects.bulk_update(
        moved,
        [
            "accept_due",
            "reply_due",
            "resolve_due",
            "deadline_provisional",
            "accept_reminded",
            "reply_reminded",
            "amber_sent",
        ],
        batch_size=1000,
    )
    return len(moved)


# --- statistics cells -----------------------------------------------------------------------------

_RATING_FIELDS = ("rated", "rating_total", "r1", "r2", "r3", "r4", "r5")
_STAT_FIELDS = ("filed", "answered", "on_time", "days_total", "days_counted", *_RATING_FIELDS)


def _contribution(
    order: ServiceOrder, *, ratings: Sequence[int] = ()
) -> tuple[tuple[int, dt.date, int, int], dict[str, int]]:
    """What the order adds to its day's statistics cell: the cell's key and the counts, every rating
    it was given (``ratings``, a reopened order's earlier ones too) among them."""
    key = (
        order.zone_id,
        order.submitted_on,
        order.service_type_id,
        order.department_id or order.service_type.department_id,
    )
    return key, {
        "filed": 1,
        "answered": int(order.answered_on_time is not None),
        "on_time": int(order.answered_on_time is True),
        "days_total": order.resolve_working_days or 0,
        "days_counted": int(order.resolve_working_days is not None),
        "rated": len(ratings),
        "rating_total": sum(ratings),
        **{f"r{n}": ratings.count(n) for n in range(1, 6)},
    }


def _stats_shift(
    before: tuple[tuple[int, dt.date, int, int], dict[str, int]] | None,
    after: tuple[tuple[int, dt.date, int, int], dict[str, int]] | None,
) -> None:
    """Move an order's contribution from its old cell to its new one (both may be the same cell)."""
    deltas: dict[tuple[int, dt.date, int, int], dict[str, int]] = {}
    for contribution, sign in ((before, -1), (after, 1)):
        if contribution is None:
            continue
        key, counts = contribution
        cell = deltas.setdefault(key, dict.fromkeys(_STAT_FIELDS, 0))
        for name, value in counts.items():
            cell[name] += sign * value
    for (zone_id, day, type_id, department_id), delta in deltas.items():
        changes = {name: F(name) + value for name, value in delta.items() if value}
        if not changes:
            continue
        row, _created = OrderDayStat.objects.get_or_create(
            zone_id=zone_id, day=day, service_type_id=type_id, department_id=department_id
        )
        OrderDayStat.objects.filter(pk=row.pk).update(**changes)


def order_stats_rebuild(
    *,
    zone_id: int | None = None,
    order_model: type[ServiceOrder] = ServiceOrder,
    stat_model: type[OrderDayStat] = OrderDayStat,
    rating_model: type[OrderRating] = OrderRating,
) -> int:
    """Recompute the statistics cells from the orders and their ratings (after a bulk load or an edit
    in the admin; a migration passes its historical models). Returns the cells written."""
    orders = order_model.objects.all()
    ratings = rating_model.objects.all()
    cells = stat_model.objects.all()
    if zone_id is not None:
        orders = orders.filter(zone_id=zone_id)
        ratings = ratings.filter(order__zone_id=zone_id)
        cells = cells.filter(zone_id=zone_id)
    grouped = (
        orders.annotate(dept=Coalesce("department_id", "service_type__department_id"))
        .values("zone_id", "submitted_on", "service_type_id", "dept")
        .annotate(
            filed=Count("pk"),
            answered=Count("pk", filter=Q(answered_on_time__isnull=False)),
            on_time=Count("pk", filter=Q(answered_on_time=True)),
            days_total=Coalesce(Sum("resolve_working_days"), 0),
            days_counted=Count("resolve_working_days"),
        )
        .order_by()
    )
    # Every rating counts in its order's cell.
    rated = (
        ratings.annotate(dept=Coalesce("order__department_id", "order__service_type__department_id"))
        .values("order__zone_id", "order__submitted_on", "order__service_type_id", "dept")
        .annotate(
            rated=Count("pk"),
            rating_total=Sum("rating"),
            **{f"r{n}": Count("pk", filter=Q(rating=n)) for n in range(1, 6)},
        )
        .order_by()
    )
    with transaction.atomic():
        cells.delete()
        counts: dict[tuple[int, dt.date, int, int], dict[str, int]] = {}
        answer_cells: list[dict[str, Any]] = [dict(g) for g in grouped]
        rating_cells: list[dict[str, Any]] = [dict(g) for g in rated]
        for cell in answer_cells:
            key = (cell["zone_id"], cell["submitted_on"], cell["service_type_id"], cell["dept"])
            counts[key] = {name: int(cell.get(name) or 0) for name in _STAT_FIELDS}
        for cell in rating_cells:
            key = (
                cell["order__zone_id"],
                cell["order__submitted_on"],
                cell["order__service_type_id"],
                cell["dept"],
            )
            counts[key].update({name: int(cell[name]) for name in _RATING_FIELDS})
        rows = [
            stat_model(zone_id=zone, day=day, service_type_id=type_id, department_id=department_id, **sums)
            for (zone, day, type_id, department_id), sums in counts.items()
        ]
        stat_model.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


# --- escalation -----------------------------------------------------------------------------------

AMBER_WORKING_DAYS = 1  # the deadline warning goes out this many working days before the deadline
ESCALATION_HEAD_AFTER = 2  # working days overdue
ESCALATION_SUPERVISION_AFTER = 5
# Acceptance and first-reply reminders sent by one run, of each kind, oldest deadline first: a backlog
# (the first run after the upgrade that introduced them, a day the job did not run) is worked off by the
# next runs, half an hour apart, instead of making one run long.
REMINDERS_PER_RUN = 300


@dataclass(frozen=True, slots=True)
class _Audience:
    """Who can hear the reminders of one run in a zone, read once: the dispatchers, and the departments
    someone works in."""

    dispatchers: list[User]
    staffed: frozenset[int]

    @classmethod
    def of(cls, zone: Zone) -> _Audience:
        staff = User.objects.filter(zone=zone, is_active=True, department__isnull=False)
        return cls(
            dispatchers=_holders(zone=zone, perm=Perm.ORDER_DISPATCH),
            staffed=frozenset(staff.values_list("department_id", flat=True)),
        )


def deadline_state(*, order: ServiceOrder, today: dt.date) -> str:
    """``ok``, ``amber`` (the escalation job has warned that the deadline is near), ``overdue`` or
    ``paused`` (waiting for the enterprise), for open orders; ``done`` for the rest. The queues, the board
    and the API all read this one rule."""
    if order.status == S.WAITING:
        return "paused"
    if order.status not in OPEN_STATES:
        return "done"
    due = order.resolve_due or order.accept_due
    if due < today:
        return "overdue"
    return "amber" if order.amber_sent and order.status in RUNNING_STATES else "ok"


def escalate_overdue(*, zone: Zone) -> int:
    """The periodic escalation over the zone's open orders: a reminder to the dispatchers for an order
    not accepted by its acceptance deadline, and to the handler (or the department) for one with no
    first reply by its first-reply deadline; a warning to the handler (or the department) before the
    resolution deadline; after it, level 1 reminds the handler, level 2 the department head, level 3
    raises a supervision item. Each reminder, warning and level once per order (per deadline), found by
    the order's flags with one query each. Returns the number of steps taken."""
    today = clock.today(zone=zone)
    counter = WorkdayCounter(first=today - dt.timedelta(days=400), last=today + dt.timedelta(days=30))
    horizon = counter.add(start=today, days=AMBER_WORKING_DAYS).date
    audience = _Audience.of(zone)
    steps = 0
    related = ("department", "department__head", "handler", "zone")
    unaccepted = ServiceOrder.objects.filter(
        zone=zone, status=S.SUBMITTED, accept_due__lt=today, accept_reminded=False
    ).order_by("accept_due", "id")
    for order in unaccepted.select_related(*related)[:REMINDERS_PER_RUN]:
        with transaction.atomic():
            _remind_deadline(order=order, action="accept_overdue", audience=audience)
            order.accept_reminded = True
            order.save(update_fields=["accept_reminded", "updated_at"])
            steps += 1
    running = ServiceOrder.objects.filter(zone=zone, status__in=RUNNING_STATES)
    unreplied = running.filter(reply_due__lt=today, replied_on__isnull=True, reply_reminded=False)
    for order in unreplied.select_related(*related).order_by("reply_due", "id")[:REMINDERS_PER_RUN]:
        with transaction.atomic():
            _remind_deadline(order=order, action="reply_overdue", audience=audience)
            order.reply_reminded = True
            order.save(update_fields=["reply_reminded", "updated_at"])
            steps += 1
    amber = running.filter(amber_sent=False, resolve_due__gte=today, resolve_due__lte=horizon)
    for order in amber.select_related(*related):
        with transaction.atomic():
            _remind(order=order, level=0, late=0, audience=audience)
            order.amber_sent = True
            order.save(update_fields=["amber_sent", "updated_at"])
            steps += 1
    overdue = running.filter(resolve_due__lt=today, escalation_level__lt=3)
    supervisor: User | None = None
    leader: User | None = None
    for order in overdue.select_related(*related):
        assert order.resolve_due is not None
        late = counter.between(start=order.resolve_due, end=today)
        wanted = 3 if late >= ESCALATION_SUPERVISION_AFTER else 2 if late >= ESCALATION_HEAD_AFTER else 1
        if wanted == 3 and supervisor is None:
            supervisor = next(iter(_holders(zone=zone, perm=Perm.SUPERVISION_MANAGE)), None)
            leader = _leader_in_charge(zone=zone)
        with transaction.atomic():
            while order.escalation_level < wanted:
                level = order.escalation_level + 1
                if level == 3 and (supervisor is None or order.department is None):
                    break  # nobody to hand it to yet: the next run tries again
                _remind(
                    order=order,
                    level=level,
                    late=late,
                    audience=audience,
                    supervisor=supervisor,
                    leader=leader,
                )
                order.escalation_level = level
                order.save(update_fields=["escalation_level", "supervision_item", "updated_at"])
                steps += 1
    return steps


def _leader_in_charge(*, zone: Zone) -> User | None:
    """The zone leader put in charge of the supervision items the ladder raises, so the supervision
    office's follow-up of an overdue item can escalate it to someone. Departments have no leader of their
    own in charge: as on the supervision board's form, it is one of the zone's active leaders, the first
    in the order the form lists them."""
    return users_with_role(zone=zone, role=Role.LEADER).order_by("last_name", "username").first()


def _recipients(
    *, order: ServiceOrder, named: Sequence[User | None], audience: _Audience
) -> tuple[list[User], list[Department]]:
    """Who hears a reminder about the order: the users named (its handler, its department's head) who are
    active; else its department's staff; else — no department, or one nobody works in yet — the
    dispatchers, so that a reminder always reaches someone."""
    users = [u for u in named if u is not None and u.is_active]
    if users:
        return users, []
    if order.department is not None and order.department.pk in audience.staffed:
        return [], [order.department]
    return list(audience.dispatchers), []


def _remind_deadline(*, order: ServiceOrder, action: str, audience: _Audience) -> None:
    """The reminder of a passed acceptance deadline (to the dispatchers, who accept) or first-reply
    deadline (to the handler or the department), on the timeline and in the audit log."""
    if action == "accept_overdue":
        due = order.accept_due
        users, departments = list(audience.dispatchers), list[Department]()
        title = _("Service order %(number)s is waiting for acceptance since %(due)s")
    else:
        assert order.reply_due is not None
        due = order.reply_due
        users, departments = _recipients(order=order, named=[order.handler], audience=audience)
        title = _("Service order %(number)s has had no first reply to the enterprise since %(due)s")
    notify(
        zone=order.zone,
        event_key=f"order:{order.pk}:{action}:{due:%Y%m%d}",
        title=title % {"number": order.number, "due": f"{due:%Y-%m-%d}"},
        link=order_link(order),
        users=users,
        departments=departments,
    )
    _event(order=order, actor=None, action=action)
    audit_record(actor=None, action=f"order.{action}", instance=order, after={"due": due.isoformat()})


def _remind(
    *,
    order: ServiceOrder,
    level: int,
    late: int,
    audience: _Audience,
    supervisor: User | None = None,
    leader: User | None = None,
) -> None:
    """One reminder (催办) of the escalation ladder, on the timeline and in the audit log."""
    from zoneops.supervision.models import ItemSource
    from zoneops.supervision.services import item_raise

    zone = order.zone
    if level == 3:
        assert supervisor is not None
        assert order.department is not None
        order.supervision_item = item_raise(
            actor=supervisor,
            zone=zone,
            source=ItemSource.SERVICE_ORDER,
            subject=f"{order.number} {order.title}"[:300],
            department=order.department,
            working_days=3,
            instructions=_("Service order overdue %(days)s working days.") % {"days": late},
            leader=leader,
        )
    else:
        named = [order.handler] if level <= 1 else [order.department.head if order.department else None]
        users, departments = _recipients(order=order, named=named, audience=audience)
        assert order.resolve_due is not None
        title = (
            _("Service order %(number)s is due on %(due)s")
            if level == 0
            else _("Service order %(number)s is overdue since %(due)s")
        ) % {"number": order.number, "due": f"{order.resolve_due:%Y-%m-%d}"}
        notify(
            zone=zone,
            event_key=f"order:{order.pk}:escalation:{level}:{order.resolve_due:%Y%m%d}",
            title=title,
            link=order_link(order),
            users=users,
            departments=departments,
        )
    action = "deadline_warning" if level == 0 else f"escalate_{level}"
    _event(order=order, actor=None, action=action)
    audit_record(actor=None, action=f"order.{action}", instance=order, after={"level": level, "late": late})
