"""Writes of the investment pipeline. A lead is started here from a chain gap's candidate."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from zoneops.accounts.models import User
from zoneops.chains.models import ChainNode, OutsideCompany
from zoneops.core.access import Perm, require_perm
from zoneops.core.errors import InvalidInput
from zoneops.core.services import audit_record, model_snapshot
from zoneops.investment.models import Lead, LeadSource, LeadStage

OPEN_STAGES = (
    LeadStage.LEAD,
    LeadStage.CONTACTED,
    LeadStage.SITE_VISIT,
    LeadStage.NEGOTIATING,
    LeadStage.ON_HOLD,
)


@transaction.atomic
def lead_start(*, actor: User, candidate: OutsideCompany, node: ChainNode | None = None) -> Lead:
    """Hand a candidate to the pipeline as a new lead owned by the acting officer. A candidate that
    already supplies one of the chain's masters comes in as a chain-master referral (以商招商)."""
    require_perm(actor, Perm.CHAIN_EDIT)
    if node is not None and node.chain.zone_id != candidate.zone_id:
        raise InvalidInput.single("node_id", _("No chain node with this id in the zone."))
    open_lead = Lead.objects.filter(candidate=candidate, stage__in=OPEN_STAGES).first()
    if open_lead is not None:
        raise InvalidInput.single(
            "candidate",
            _("A lead for this company is open already (lead %(id)s, %(officer)s).")
            % {"id": open_lead.pk, "officer": open_lead.officer or "—"},
        )
    referrer = None
    if node is not None:
        referrer = candidate.supplies_masters.filter(chains_led=node.chain).order_by("pk").first()
    lead = Lead.objects.create(
        zone_id=candidate.zone_id,
        company_name=candidate.name,
        candidate=candidate,
        source=LeadSource.CHAIN_MASTER if referrer is not None else LeadSource.RESEARCH,
        referred_by=referrer,
        officer=actor,
        next_action=_("First contact"),
    )
    if node is not None:
        lead.nodes.add(node)
    audit_record(
        actor=actor,
        action="lead.start",
        instance=lead,
        after=model_snapshot(lead) | {"nodes": [node.pk] if node is not None else []},
    )
    return lead
