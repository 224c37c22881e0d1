"""Writes of the investment pipeline: leads (started from a chain gap's candidate or typed in), their one
state machine, signing into a key project, registering the new enterprise on the chain nodes it fills,
contacts and documents, and the daily reminders. Every step is audited and on the lead's timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.accounts.models import Department, DepartmentFunction, User, Zone
from zoneops.chains.models import Chain, ChainNode, OutsideCompany
from zoneops.core import clock
from zoneops.core.access import Perm, has_perm, require_perm
from zoneops.core.errors import FieldError, InvalidInput, TransitionNotAllowed
from zoneops.core.services import audit_record, model_snapshot, notify, snapshot_changes
from zoneops.core.uploads import document_check
from zoneops.enterprises.models import Enterprise
from zoneops.investment.models import (
    OPEN_STAGES,
    PRE_SIGNING,
    STAGE_ORDER,
    Lead,
    LeadContact,
    LeadDocument,
    LeadEvent,
    LeadSource,
    LeadStage,
    PipelineSettings,
)

# How long a lead may sit in a stage before it is flagged, unless the zone sets its own (days).
DEFAULT_STAGE_LIMITS: dict[str, int] = {
    LeadStage.LEAD: 60,
    LeadStage.CONTACTED: 120,
    LeadStage.SITE_VISIT: 150,
    LeadStage.NEGOTIATING: 180,
    LeadStage.SIGNED: 120,
    LeadStage.REGISTERED: 180,
    LeadStage.CONSTRUCTION: 720,
    LeadStage.ON_HOLD: 180,
}
MONEY_LIMIT = Decimal(10) ** 16
# How the lead page's timeline names steps other than stage moves.
EVENT_LABELS: dict[str, str | Promise] = {
    "update": gettext_lazy("details changed"),
    "contact": gettext_lazy("contact added"),
    "document": gettext_lazy("document attached"),
    "reminder": gettext_lazy("reminder"),
}
_TEXT_LIMITS = {"company_name": 200, "next_action": 300, "team": 60, "notes": 10_000}


def lead_link(lead: Lead) -> str:
    return reverse("investment:lead", kwargs={"lead_id": lead.pk})


def _event(*, lead: Lead, actor: User | None, action: str, stage_from: str = "", note: str = "") -> LeadEvent:
    moment = clock.now(zone=lead.zone)
    return LeadEvent.objects.create(
        lead=lead,
        at=moment,
        on=moment.astimezone(clock.SHANGHAI).date(),
        actor=actor,
        action=action,
        stage_from=stage_from,
        stage_to=lead.stage if action in ("create", "transition") else "",
        note=note,
    )


def _money(values: Mapping[str, Any], key: str, errors: list[FieldError]) -> Decimal | None:
    raw = values.get(key)
    if raw in (None, ""):
        return None
    try:
        amount = Decimal(str(raw).replace(",", ""))
    except InvalidOperation:
        errors.append(FieldError(key, _("Enter a number.")))
        return None
    if not amount.is_finite() or amount < 0:
        errors.append(FieldError(key, _("Enter a number of at least 0.")))
        return None
    if amount >= MONEY_LIMIT:  # the money columns hold 16 digits before the point
        errors.append(FieldError(key, _("Enter an amount below 10 quadrillion yuan.")))
        return None
    return amount.quantize(Decimal("0.01"))


def _date(values: Mapping[str, Any], key: str, errors: list[FieldError]) -> dt.date | None:
    raw = values.get(key)
    if raw in (None, ""):
        return None
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        errors.append(FieldError(key, _("Enter a valid date (YYYY-MM-DD).")))
        return None


def _unchanged(current: Lead | None, key: str, value: Any) -> bool:
    """Whether ``value`` (an id, as posted or given) is what the lead names already under ``key``."""
    return current is not None and str(value) == str(getattr(current, key))


def _clean(
    *, zone: Zone, values: Mapping[str, Any], creating: bool, current: Lead | None = None
) -> tuple[dict[str, Any], list[ChainNode]]:
    """The lead's own fields, every problem named; nodes returned separately (a many-to-many)."""
    allowed = {
        *_TEXT_LIMITS,
        "candidate_id",
        "chain_id",
        "node_ids",
        "source",
        "referred_by_id",
        "officer_id",
        "leader_id",
        "intended_investment",
        "intended_output",
        "next_action_on",
    }
    errors = [FieldError(k, _("Unknown field.")) for k in sorted(set(values) - allowed)]
    cleaned: dict[str, Any] = {}
    for key, limit in _TEXT_LIMITS.items():
        if key in values:
            text = str(values[key] or "").strip()
            if len(text) > limit:
                errors.append(FieldError(key, _("Enter at most %(max)s characters.") % {"max": limit}))
            cleaned[key] = text
    if not cleaned.get("company_name") and (
        (creating and not values.get("candidate_id")) or (not creating and "company_name" in values)
    ):
        errors.append(FieldError("company_name", _("This field is required.")))
    if "source" in values:
        if values["source"] not in LeadSource.values:
            errors.append(
                FieldError(
                    "source", _("Choose one of: %(choices)s.") % {"choices": ", ".join(LeadSource.values)}
                )
            )
        cleaned["source"] = values["source"]
    elif creating:
        errors.append(FieldError("source", _("This field is required.")))
    for key in ("intended_investment", "intended_output"):
        if key in values:
            cleaned[key] = _money(values, key, errors)
    if "next_action_on" in values:
        cleaned["next_action_on"] = _date(values, "next_action_on", errors)
    lookups: dict[str, tuple[Any, str]] = {
        "candidate_id": (
            OutsideCompany.objects.filter(zone=zone),
            _("No candidate with this id in the zone."),
        ),
        "referred_by_id": (
            Enterprise.objects.filter(zone=zone),
            _("No enterprise with this id in the zone."),
        ),
        "officer_id": (
            User.objects.filter(zone=zone, is_active=True),
            _("No user with this id in the zone."),
        ),
        "leader_id": (User.objects.filter(zone=zone, is_active=True), _("No user with this id in the zone.")),
    }
    for key, (queryset, message) in lookups.items():
        if key in values:
            if values[key] in (None, ""):
                cleaned[key.removesuffix("_id")] = None
                continue
            if key in ("officer_id", "leader_id") and _unchanged(current, key, values[key]):
                # The form posts the lead's officer and leader back as they are: one deactivated (or moved
                # out of investment promotion) since must not refuse every other change to the lead.
                continue
            found = queryset.filter(pk=values[key]).first()
            if found is None:
                errors.append(FieldError(key, message))
            cleaned[key.removesuffix("_id")] = found
    if cleaned.get("officer") is not None and not has_perm(cleaned["officer"], Perm.LEAD_EDIT):
        errors.append(FieldError("officer_id", _("The officer must work in investment promotion.")))
    nodes: list[ChainNode] = []
    if "node_ids" in values:
        wanted = list(values["node_ids"] or [])
        found_nodes = {n.pk: n for n in ChainNode.objects.filter(chain__zone=zone, pk__in=wanted)}
        missing = [str(i) for i in wanted if i not in found_nodes]
        if missing:
            errors.append(
                FieldError(
                    "node_ids", _("No chain node with id %(ids)s in the zone.") % {"ids": ", ".join(missing)}
                )
            )
        nodes = [found_nodes[i] for i in wanted if i in found_nodes]
        if len({n.chain_id for n in nodes}) > 1:
            errors.append(FieldError("node_ids", _("A lead fills nodes of one chain.")))
    if values.get("chain_id") not in (None, ""):
        chain = Chain.objects.filter(zone=zone, pk=values["chain_id"]).first()
        if chain is None:
            errors.append(FieldError("chain_id", _("No chain with this id in the zone.")))
        elif nodes and nodes[0].chain_id != chain.pk:
            errors.append(FieldError("chain_id", _("The nodes belong to another chain.")))
        cleaned["chain"] = chain
    elif "chain_id" in values:
        cleaned["chain"] = None
    # A chain-master referral names its chain master: given now, or already on the lead and not cleared.
    referrer = cleaned.get("referred_by", current.referred_by if current is not None else None)
    source = cleaned.get("source", current.source if current is not None else None)
    if (
        source == LeadSource.CHAIN_MASTER
        and referrer is None
        and ("source" in values or "referred_by_id" in values)
    ):
        errors.append(FieldError("referred_by_id", _("Name the chain master who referred the company.")))
    if errors:
        raise InvalidInput(errors)
    return cleaned, nodes


def _company_match(lead: Lead) -> Q:
    """Leads for the same company as ``lead``: the same candidate of the registry, or the same name."""
    match = Q(company_name=lead.company_name)
    if lead.candidate_id is not None:
        match |= Q(candidate_id=lead.candidate_id)
    return match


def _same_company(lead: Lead) -> Lead | None:
    """Another open lead for the same company."""
    return (
        Lead.objects.filter(_company_match(lead), zone_id=lead.zone_id, stage__in=OPEN_STAGES)
        .exclude(pk=lead.pk)
        .select_related("officer")
        .order_by("pk")
        .first()
    )


def _flag_duplicate(*, lead: Lead, actor: User) -> None:
    """Check the lead against the other open leads for its company (on creation, when its company changes
    and when a lost lead is reopened). Who works a lead is its team where both leads name one (an officer
    may work for several teams), else its officer. The same team or officer working the company already is
    refused; another is flagged: both leads go on, their officers are told once, the leaders' list shows
    both. A lead no longer sharing a company loses its flag."""
    other = _same_company(lead)
    if other is None:
        if lead.duplicate_of_id is not None:
            lead.duplicate_of = None
            lead.save(update_fields=["duplicate_of", "updated_at"])
        return
    both_teams = bool(lead.team and other.team)
    if (lead.team == other.team) if both_teams else (lead.officer_id == other.officer_id):
        raise InvalidInput.single(
            "candidate" if lead.candidate_id else "company_name",
            _("A lead for this company is open already (lead %(id)s, %(officer)s).")
            % {"id": other.pk, "officer": other.officer or "—"},
        )
    if lead.duplicate_of_id == other.pk:
        return
    lead.duplicate_of = other
    lead.save(update_fields=["duplicate_of", "updated_at"])
    notify(
        zone=lead.zone,
        event_key=f"lead:{lead.pk}:duplicate:{other.pk}",
        title=(
            _("%(company)s is worked by two teams (leads %(a)s and %(b)s)")
            % {"company": lead.company_name, "a": other.pk, "b": lead.pk}
        )[:200],
        link=lead_link(lead),
        users=list({u.pk: u for u in (lead.officer, other.officer) if u is not None}.values()),
    )


@transaction.atomic
def lead_create(*, actor: User, zone: Zone, values: Mapping[str, Any]) -> Lead:
    """A new lead: the company (a candidate of the chains registry or typed in), the nodes it would fill,
    the source, intended investment and output, officer, team, leader, next action."""
    require_perm(actor, Perm.LEAD_EDIT)
    cleaned, nodes = _clean(zone=zone, values=values, creating=True)
    candidate: OutsideCompany | None = cleaned.get("candidate")
    if candidate is not None and not cleaned.get("company_name"):
        cleaned["company_name"] = candidate.name
    today = clock.today(zone=zone)
    # The acting officer works the lead unless the lead names another.
    cleaned.setdefault("officer", actor)
    lead = Lead(zone=zone, opened_on=today, stage_entered_on=today, **cleaned)
    if nodes:
        lead.chain = nodes[0].chain
    lead.save()
    lead.nodes.set(nodes)
    _event(lead=lead, actor=actor, action="create")
    audit_record(
        actor=actor,
        action="lead.create",
        instance=lead,
        after=model_snapshot(lead) | {"nodes": [n.pk for n in nodes]},
    )
    _flag_duplicate(lead=lead, actor=actor)
    return lead


@transaction.atomic
def lead_start(*, actor: User, candidate: OutsideCompany, node: ChainNode | None = None) -> Lead:
    """Hand a candidate to the pipeline as a new lead owned by the acting officer ("start a lead" on the
    chain map). A candidate that already supplies one of the chain's masters comes in as a chain-master
    referral (以商招商)."""
    require_perm(actor, Perm.CHAIN_EDIT)
    if node is not None and node.chain.zone_id != candidate.zone_id:
        raise InvalidInput.single("node_id", _("No chain node with this id in the zone."))
    referrer = None
    if node is not None:
        referrer = candidate.supplies_masters.filter(chains_led=node.chain).order_by("pk").first()
    values: dict[str, Any] = {
        "candidate_id": candidate.pk,
        "company_name": candidate.name,
        "source": LeadSource.CHAIN_MASTER if referrer is not None else LeadSource.RESEARCH,
        "referred_by_id": referrer.pk if referrer is not None else None,
        "node_ids": [node.pk] if node is not None else [],
        "next_action": _("First contact"),
    }
    lead = lead_create(actor=actor, zone=candidate.zone, values=values)
    audit_record(actor=actor, action="lead.start", instance=lead, after={"candidate": candidate.pk})
    return lead


@transaction.atomic
def lead_update(*, actor: User, lead: Lead, values: Mapping[str, Any]) -> Lead:
    """Change the lead's own data (not its stage: that is ``lead_transition``)."""
    require_perm(actor, Perm.LEAD_EDIT)
    cleaned, nodes = _clean(zone=lead.zone, values=values, creating=False, current=lead)
    before = model_snapshot(lead)
    for key, value in cleaned.items():
        setattr(lead, key, value)
    if nodes:
        lead.chain = nodes[0].chain
    lead.save()
    if "node_ids" in values:
        lead.nodes.set(nodes)
    changed_before, changed_after = snapshot_changes(before, model_snapshot(lead))
    if {"company_name", "candidate_id"} & set(changed_after):
        _flag_duplicate(lead=lead, actor=actor)
        # Leads flagged against this one keep the flag only while they still share its company.
        Lead.objects.filter(duplicate_of=lead).exclude(_company_match(lead)).update(duplicate_of=None)
    if changed_after or "node_ids" in values:
        note = ", ".join(sorted(changed_after))
        _event(lead=lead, actor=actor, action="update", note=note)
        audit_record(
            actor=actor,
            action="lead.update",
            instance=lead,
            before=changed_before or None,
            after=changed_after | ({"nodes": [n.pk for n in nodes]} if "node_ids" in values else {}),
        )
    return lead


# --- the state machine ----------------------------------------------------------------------------


def _index(stage: str) -> int:
    return STAGE_ORDER.index(stage) if stage in STAGE_ORDER else -1


def transition_rule(*, lead: Lead, to: str) -> tuple[bool, bool]:
    """(allowed, needs a reason) for moving the lead to ``to`` — the one place the stages' rules live.

    Forward before signing may skip stages; from signing on, one stage at a time (each needs its data).
    Backwards only between the stages before signing, with a reason. Lost (with a reason) from any stage
    but in operation; on hold (with a reason) from the stages before signing; a held lead resumes at
    any stage before signing (back from where it was: with a reason); a lost lead is reopened to a stage
    before signing, with a reason."""
    current = lead.stage
    if to == current or to not in LeadStage.values:
        return False, False
    if to == LeadStage.LOST:
        return current != LeadStage.OPERATING, True
    if to == LeadStage.ON_HOLD:
        return current in PRE_SIGNING, True
    if current == LeadStage.LOST:
        return to in PRE_SIGNING, True
    if current == LeadStage.ON_HOLD:
        held = _index(lead.held_stage) if lead.held_stage else 0
        if to in PRE_SIGNING:
            return True, _index(to) < held
        return to == LeadStage.SIGNED and held == _index(LeadStage.NEGOTIATING), False
    here, there = _index(current), _index(to)
    if there > here:
        if there <= _index(LeadStage.SIGNED):
            return True, False
        return there == here + 1, False
    return current in PRE_SIGNING and to in PRE_SIGNING, True


def next_stages(lead: Lead) -> list[tuple[str, bool]]:
    """Every stage the lead may move to now, with whether a reason is needed (the lead page's form)."""
    result = []
    for stage in LeadStage.values:
        allowed, reason = transition_rule(lead=lead, to=stage)
        if allowed:
            result.append((stage, reason))
    return result


@transaction.atomic
def lead_transition(
    *, actor: User, lead: Lead, to: str, reason: str = "", data: Mapping[str, Any] | None = None
) -> Lead:
    """Move the lead to another stage. ``data`` carries what the stage needs: ``signed_on`` and
    ``signed_amount`` for signed (the lead becomes a key project, or ``key_project_id`` names one already on
    the zone's key list); ``enterprise_id`` — or ``enterprise``
    with ``name`` and ``uscc`` for a new one — for registered (it enters the registry and the lead's chain
    nodes); ``date`` for construction started and in operation."""
    require_perm(actor, Perm.LEAD_EDIT)
    data = dict(data or {})
    if to not in LeadStage.values:
        raise InvalidInput.single(
            "to", _("Choose one of: %(choices)s.") % {"choices": ", ".join(LeadStage.values)}
        )
    allowed, needs_reason = transition_rule(lead=lead, to=to)
    if not allowed:
        raise TransitionNotAllowed(
            _("A lead that is %(stage)s cannot move to %(to)s.")
            % {"stage": lead.get_stage_display(), "to": LeadStage(to).label}
        )
    errors: list[FieldError] = []
    reason = reason.strip()
    if needs_reason and not reason:
        errors.append(
            FieldError("reason", _("Say why (going back, losing or holding a lead needs a reason)."))
        )
    if len(reason) > 500:
        errors.append(FieldError("reason", _("Enter at most %(max)s characters.") % {"max": 500}))
    today = clock.today(zone=lead.zone)
    stage_data: dict[str, Any] = {}
    if to == LeadStage.SIGNED:
        signed_on = _date(data, "signed_on", errors)
        amount = _money(data, "signed_amount", errors)
        if signed_on is None and not any(e.field == "signed_on" for e in errors):
            errors.append(FieldError("signed_on", _("This field is required.")))
        elif signed_on is not None and signed_on > today:
            errors.append(FieldError("signed_on", _("The agreement cannot be signed in the future.")))
        if amount is None and not any(e.field == "signed_amount" for e in errors):
            errors.append(FieldError("signed_amount", _("This field is required.")))
        elif amount is not None and amount <= 0:
            errors.append(FieldError("signed_amount", _("Enter an amount above 0.")))
        stage_data = {"signed_on": signed_on, "signed_amount": amount, "key_project": None}
        if data.get("key_project_id") not in (None, ""):
            from zoneops.projects.models import KeyProject

            project = KeyProject.objects.filter(zone_id=lead.zone_id, pk=data["key_project_id"]).first()
            if project is None:
                errors.append(FieldError("key_project_id", _("No key project with this id in the zone.")))
            elif Lead.objects.filter(key_project=project).exclude(pk=lead.pk).exists():
                errors.append(
                    FieldError("key_project_id", _("Another lead is followed as this key project."))
                )
            stage_data["key_project"] = project
    elif to == LeadStage.REGISTERED:
        stage_data["enterprise"] = _registered_enterprise(lead=lead, data=data, errors=errors)
    elif to in (LeadStage.CONSTRUCTION, LeadStage.OPERATING):
        day = _date(data, "date", errors) or today
        if day > today:
            errors.append(FieldError("date", _("Enter a date no later than today.")))
        stage_data["date"] = day
    if errors:
        raise InvalidInput(errors)
    if lead.stage == LeadStage.LOST:
        # Reopened: another lead may have taken the company up while this one was lost.
        _flag_duplicate(lead=lead, actor=actor)

    before = lead.stage
    if to == LeadStage.ON_HOLD:
        lead.held_stage = before
    if to in (LeadStage.LOST, LeadStage.ON_HOLD):
        lead.closed_reason = reason
    elif before in (LeadStage.LOST, LeadStage.ON_HOLD):
        lead.closed_reason = ""
        lead.held_stage = ""
    lead.stage = to
    lead.stage_entered_on = today
    if to in STAGE_ORDER:
        lead.furthest = max(lead.furthest, _index(to))
    changes: dict[str, Any] = {}
    if to == LeadStage.SIGNED:
        lead.signed_on = stage_data["signed_on"]
        lead.signed_amount = stage_data["signed_amount"]
        # A project already on the zone's key list is named; otherwise signing creates it.
        lead.key_project = stage_data["key_project"] or _sign_into_project(actor=actor, lead=lead)
        changes = {"key_project": lead.key_project.pk, "signed_amount": str(lead.signed_amount)}
    elif to == LeadStage.REGISTERED:
        lead.enterprise = _register(actor=actor, lead=lead, enterprise=stage_data["enterprise"])
        changes = {"enterprise": lead.enterprise.pk}
    elif to == LeadStage.CONSTRUCTION:
        lead.construction_on = stage_data["date"]
        _project_status(actor=actor, lead=lead, status="under_construction")
    elif to == LeadStage.OPERATING:
        lead.operating_on = stage_data["date"]
        _project_status(actor=actor, lead=lead, status="in_production")
    _project_follow(actor=actor, lead=lead, before=before, reason=reason)
    lead.save()
    _event(lead=lead, actor=actor, action="transition", stage_from=before, note=reason)
    audit_record(
        actor=actor,
        action="lead.transition",
        instance=lead,
        before={"stage": before},
        after={"stage": to, **changes},
        note=reason,
    )
    return lead


def _registered_enterprise(*, lead: Lead, data: Mapping[str, Any], errors: list[FieldError]) -> Any:
    if data.get("enterprise_id") not in (None, ""):
        found = Enterprise.objects.filter(zone_id=lead.zone_id, pk=data["enterprise_id"]).first()
        if found is None:
            errors.append(FieldError("enterprise_id", _("No enterprise with this id in the zone.")))
        return found
    new = data.get("enterprise")
    if not isinstance(new, Mapping):
        errors.append(
            FieldError(
                "enterprise_id", _("Name the registered enterprise, or give the new one's name and USCC.")
            )
        )
        return None
    missing = [
        FieldError(f"enterprise.{k}", _("This field is required."))
        for k in ("name", "uscc")
        if not new.get(k)
    ]
    if missing:
        errors.extend(missing)
        return None
    return dict(new)


def _register(*, actor: User, lead: Lead, enterprise: Enterprise | dict[str, Any]) -> Enterprise:
    """The new enterprise enters the registry (or an existing one is named) and the chain nodes the lead
    fills; its key project gets it as owner."""
    from zoneops.chains.services import node_member_add
    from zoneops.enterprises.services import enterprise_create

    if not isinstance(enterprise, Enterprise):
        # The new enterprise's industry: as given, else the class of the first node it fills.
        industry = enterprise.get("industry") or next(
            (c.pk for node in lead.nodes.all() for c in node.industries.filter(level="class")[:1]), ""
        )
        values = {
            "name": enterprise["name"],
            "uscc": enterprise["uscc"],
            "industry": industry,
            "established_on": clock.today(zone=lead.zone),
        }
        try:
            registered = enterprise_create(actor=actor, zone=lead.zone, values=values)
        except InvalidInput as exc:
            raise InvalidInput([FieldError(f"enterprise.{e.field}", e.message) for e in exc.errors]) from None
    else:
        registered = enterprise
    for node in lead.nodes.all():
        node_member_add(actor=None, node=node, enterprise=registered)
    if lead.key_project is not None:
        from zoneops.projects.services import project_write

        project_write(actor=actor, zone=lead.zone, project=lead.key_project, values={"owner": registered.pk})
    return registered


def _investment_department(lead: Lead) -> Department | None:
    officer = lead.officer
    if officer is not None and officer.department is not None:
        return officer.department
    return Department.objects.filter(zone_id=lead.zone_id, function=DepartmentFunction.INVESTMENT).first()


def _sign_into_project(*, actor: User, lead: Lead) -> Any:
    """Signing makes the lead a key project carrying its data, followed month by month from then on."""
    from zoneops.projects.models import KeyProject
    from zoneops.projects.services import project_write

    assert lead.signed_on is not None
    assert lead.signed_amount is not None
    if lead.key_project is not None:
        return lead.key_project
    year = lead.signed_on.year
    prefix = f"ZS{year}-"
    # The next free number after the highest in use (codes deleted or renamed leave gaps, not clashes).
    used = [
        int(code.removeprefix(prefix))
        for code in KeyProject.objects.filter(
            zone_id=lead.zone_id, year=year, code__startswith=prefix
        ).values_list("code", flat=True)
        if code.removeprefix(prefix).isdigit()
    ]
    taken = max(used, default=0)
    department = _investment_department(lead)
    names = [node.name for node in lead.nodes.all()]
    cluster = lead.chain.cluster if lead.chain is not None else None
    values: dict[str, Any] = {
        "code": f"{prefix}{taken + 1:03d}",
        "name": (_("%(company)s project") % {"company": lead.company_name})[:200],
        "year": year,
        "level": "zone",
        "project_type": "new_start",
        "total_investment": lead.signed_amount,
        # The first year's plan: a quarter of the agreed investment until the department plans it.
        "planned_investment": (lead.signed_amount / 4).quantize(Decimal("0.01")),
        "expected_output": lead.intended_output,
        # Neutral: the negotiating notes stay in the pipeline (commercially sensitive), while every
        # department reads the key project.
        "construction_content": (
            _("Fills the chain nodes: %(nodes)s.") % {"nodes": ", ".join(names)} if names else ""
        )[:4000],
        "planned_start": lead.signed_on + dt.timedelta(days=90),
        "planned_completion": lead.signed_on + dt.timedelta(days=730),
        "department": department.pk if department is not None else None,
        "officer": lead.officer_id,
        "leader": lead.leader_id,
        "cluster": cluster.pk if cluster is not None else None,
    }
    nodes = list(lead.nodes.all()[:1])
    project = project_write(
        actor=actor, zone=lead.zone, values=values, note=_("signed from lead %(id)s") % {"id": lead.pk}
    )
    if nodes:
        project.chain_node = nodes[0]
        project.save(update_fields=["chain_node", "updated_at"])
    return project


def _project_status(*, actor: User, lead: Lead, status: str, note: str = "") -> None:
    if lead.key_project is None:
        return
    from zoneops.projects.services import project_write

    project_write(actor=actor, zone=lead.zone, project=lead.key_project, values={"status": status}, note=note)


def _project_follow(*, actor: User, lead: Lead, before: str, reason: str) -> None:
    """Keep a signed lead's key project in step with the lead: losing or holding the lead suspends the
    project (the monthly round stops chasing it, its warnings go quiet); the lead going on again restores
    the status its progress implies (under construction once construction started, else preparing). A
    status the project office set itself — completed, in production, or any change made while the lead was
    out — is left alone."""
    from zoneops.projects.models import ProjectStatus

    project = lead.key_project
    if project is None:
        return
    project.refresh_from_db(fields=["status"])  # the project office may have changed it meanwhile
    side = (LeadStage.LOST, LeadStage.ON_HOLD)
    if lead.stage in side and before not in side:
        if project.status not in (ProjectStatus.PREPARING, ProjectStatus.UNDER_CONSTRUCTION):
            return
        status = ProjectStatus.SUSPENDED
    elif before in side and lead.stage not in side:
        if project.status != ProjectStatus.SUSPENDED:
            return
        status = ProjectStatus.UNDER_CONSTRUCTION if lead.construction_on else ProjectStatus.PREPARING
    else:
        return
    # The project's warnings follow in the shared write (a suspended project goes quiet at once).
    _project_status(actor=actor, lead=lead, status=status, note=reason)


# --- contacts and documents -----------------------------------------------------------------------


@transaction.atomic
def contact_add(
    *, actor: User, lead: Lead, name: str, title: str = "", phone: str = "", email: str = ""
) -> LeadContact:
    require_perm(actor, Perm.LEAD_EDIT)
    errors: list[FieldError] = []
    if not name.strip():
        errors.append(FieldError("name", _("This field is required.")))
    for field, value, limit in (("name", name, 100), ("title", title, 100), ("phone", phone, 40)):
        if len(value.strip()) > limit:
            errors.append(FieldError(field, _("Enter at most %(max)s characters.") % {"max": limit}))
    if email and ("@" not in email or len(email) > 254):
        errors.append(FieldError("email", _("Enter a valid e-mail address.")))
    if errors:
        raise InvalidInput(errors)
    contact = LeadContact.objects.create(
        lead=lead, name=name.strip(), title=title.strip(), phone=phone.strip(), email=email.strip()
    )
    _event(lead=lead, actor=actor, action="contact", note=contact.name)
    audit_record(actor=actor, action="lead.contact_add", instance=lead, after={"contact": contact.name})
    return contact


@transaction.atomic
def document_add(*, actor: User, lead: Lead, name: str, content: bytes) -> LeadDocument:
    """A document of the lead (a letter of intent, an agreement): PDF, image or Office file, by its bytes."""
    require_perm(actor, Perm.LEAD_EDIT)
    clean_name, kind, errors = document_check(name=name, content=content)
    if errors or kind is None:
        raise InvalidInput(errors)
    document = LeadDocument(
        lead=lead,
        name=clean_name,
        content_type=kind.mime,
        size=len(content),
        uploaded_by=actor,
        uploaded_at=clock.now(zone=lead.zone),
    )
    document.file.save(f"lead-{lead.pk}.{kind.extension}", ContentFile(content), save=False)
    document.save()
    _event(lead=lead, actor=actor, action="document", note=clean_name)
    audit_record(actor=actor, action="lead.document_add", instance=lead, after={"file": document.file.name})
    return document


# --- settings and reminders -----------------------------------------------------------------------


def stage_limits(zone_id: int) -> dict[str, int]:
    settings_row = PipelineSettings.objects.filter(zone_id=zone_id).first()
    limits = dict(DEFAULT_STAGE_LIMITS)
    if settings_row is not None:
        limits.update({k: int(v) for k, v in settings_row.stage_limits.items()})
    return limits


@transaction.atomic
def pipeline_settings_set(
    *,
    actor: User,
    zone: Zone,
    stage_limits: Mapping[str, Any] | None = None,
    year_targets: Mapping[str, Any] | None = None,
) -> PipelineSettings:
    require_perm(actor, Perm.LEAD_EDIT)
    errors: list[FieldError] = []
    row, _created = PipelineSettings.objects.get_or_create(zone=zone)
    before = {"stage_limits": dict(row.stage_limits), "year_targets": dict(row.year_targets)}
    if stage_limits is not None:
        limits: dict[str, int] = {}
        for stage, days in stage_limits.items():
            if stage not in DEFAULT_STAGE_LIMITS:
                errors.append(FieldError(f"stage_limits.{stage}", _("Unknown stage.")))
            elif isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 3650:
                errors.append(
                    FieldError(f"stage_limits.{stage}", _("Enter a whole number of days from 1 to 3650."))
                )
            else:
                limits[stage] = days
        row.stage_limits = limits
    if year_targets is not None:
        targets: dict[str, str] = {}
        for year, amount in year_targets.items():
            if not str(year).isdigit() or not 2000 <= int(year) <= 2100:
                errors.append(FieldError(f"year_targets.{year}", _("Enter a year between 2000 and 2100.")))
                continue
            field = f"year_targets.{year}"
            value = _money({field: amount}, field, errors)
            if value is not None:
                targets[str(year)] = str(value)
        row.year_targets = targets
    if errors:
        raise InvalidInput(errors)
    row.save()
    audit_record(
        actor=actor,
        action="pipeline.settings",
        instance=row,
        before=before,
        after={"stage_limits": row.stage_limits, "year_targets": row.year_targets},
    )
    return row


def stale_reasons(*, lead: Lead, today: dt.date, limits: Mapping[str, int]) -> list[str]:
    """Why a lead needs attention: its next action is overdue, or it sat in its stage too long."""
    reasons = []
    if lead.stage in OPEN_STAGES and lead.next_action_on is not None and lead.next_action_on < today:
        reasons.append(_("next action overdue since %(date)s") % {"date": lead.next_action_on.isoformat()})
    limit = limits.get(lead.stage)
    if limit and lead.stage_entered_on is not None and (today - lead.stage_entered_on).days > limit:
        reasons.append(
            _("%(days)s days in %(stage)s (limit %(limit)s)")
            % {
                "days": (today - lead.stage_entered_on).days,
                "stage": lead.get_stage_display(),
                "limit": limit,
            }
        )
    return reasons


def lead_reminders(*, zone: Zone) -> int:
    """Daily: remind each officer of leads whose next action is overdue or that sat in a stage past the
    zone's limit — once per next-action date and once per stage stay. Returns reminders sent."""
    today = clock.today(zone=zone)
    limits = stage_limits(zone.pk)
    sent = 0
    active = [*STAGE_ORDER[:-1], LeadStage.ON_HOLD]
    for lead in Lead.objects.filter(zone=zone, stage__in=active, officer__isnull=False).select_related(
        "officer", "zone"
    ):
        keys: list[tuple[str, str]] = []
        if lead.stage in OPEN_STAGES and lead.next_action_on is not None and lead.next_action_on < today:
            keys.append((f"lead:{lead.pk}:next:{lead.next_action_on:%Y%m%d}", "next"))
        limit = limits.get(lead.stage)
        if limit and lead.stage_entered_on is not None and (today - lead.stage_entered_on).days > limit:
            keys.append((f"lead:{lead.pk}:stage:{lead.stage}:{lead.stage_entered_on:%Y%m%d}", "stage"))
        for key, _kind in keys:
            with transaction.atomic():
                sent += _remind(lead=lead, key=key, today=today, limits=limits)
    return sent


def _remind(*, lead: Lead, key: str, today: dt.date, limits: Mapping[str, int]) -> int:
    """One reminder, with its timeline line and audit record together or not at all."""
    reasons = stale_reasons(lead=lead, today=today, limits=limits)
    created = notify(
        zone=lead.zone,
        event_key=key,
        title=(
            _("Lead %(company)s: %(reasons)s") % {"company": lead.company_name, "reasons": "; ".join(reasons)}
        )[:200],
        link=lead_link(lead),
        users=[lead.officer] if lead.officer else [],
    )
    if not created:
        return 0
    _event(lead=lead, actor=None, action="reminder", note="; ".join(reasons))
    audit_record(actor=None, action="lead.remind", instance=lead, after={"key": key})
    return 1
