"""The demo zone's investment pipeline: about 150 leads opened from January 2021 to April 2022 across the
clusters, worked through the pipeline's services on the days they happened by the investment bureau's
officer and its four teams, every lead with the zone's leader in charge — several referred by HP
and Weigao as chain masters (以商招商), twenty-two signed and followed since as the demo zone's new-start
key projects (three of them HP and Weigao referrals), on the chain nodes their enterprises fill; some
lost, a few on hold, the rest at every stage before signing; one company worked by two teams."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from zoneops.accounts.models import User, Zone
from zoneops.chains.models import Chain, ChainNode, MembershipStatus, NodeMembership, OutsideCompany
from zoneops.core import clock
from zoneops.demo import weihai
from zoneops.investment.models import PRE_SIGNING, Lead, LeadSource, LeadStage
from zoneops.investment.services import (
    contact_add,
    lead_create,
    lead_transition,
    lead_update,
    pipeline_settings_set,
)
from zoneops.projects.models import KeyProject, WarningSnapshot
from zoneops.projects.services import warnings_refresh

OPEN_LEADS = 90  # from the candidate registry
TYPED_LEADS = 40  # typed in by the bureau
PLACES = ("深圳", "苏州", "宁波", "无锡", "东莞", "青岛", "合肥", "成都")
WORDS = ("精工", "瑞达", "科华", "恒信", "中科", "华创", "博远", "天成")
TEAMS = ("招商一组", "招商二组", "驻深圳招商组", "驻上海招商组")
LOST_REASONS = (
    "企业决定在长三角落地。",
    "投资规模缩减，项目暂缓。",
    "用地条件无法满足。",
    "竞争园区给出更高补贴。",
)
HOLD_REASONS = ("企业融资未到位，待明年重启。", "等待企业董事会决策。")
STEPS = (
    (LeadStage.CONTACTED, "首次电话对接，企业有意向。"),
    (LeadStage.SITE_VISIT, "企业高管来高区实地考察。"),
    (LeadStage.NEGOTIATING, "就用地、厂房和政策条款开始谈判。"),
)
CONTACT_TITLES = ("投资总监", "副总经理", "战略发展部经理", "董事长助理")
# Signed leads that HP and Weigao brought (chain master: how many of the signed leads on its chains).
SIGNED_REFERRALS = (("hp", 2), ("weigao", 1))


def _filled_nodes(project: KeyProject, chain: Chain | None) -> list[ChainNode]:
    """The chain nodes a signed project's enterprise is a confirmed member of — on the lead's chain when it
    is on any there, else on its first chain (registering it then changes no chain's members)."""
    nodes = [
        m.node
        for m in NodeMembership.objects.filter(enterprise=project.owner, status=MembershipStatus.CONFIRMED)
        .select_related("node")
        .order_by("node__chain_id", "node__pk")
    ]
    if not nodes:
        return []
    on_chain = [n for n in nodes if chain is not None and n.chain_id == chain.pk]
    return on_chain or [n for n in nodes if n.chain_id == nodes[0].chain_id]


def load_leads(zone: Zone) -> None:
    rng = random.Random(2022)
    officer = User.objects.get(username="invest")
    leader = User.objects.get(username="leader")
    end = weihai.DEMO_DATE - dt.timedelta(days=8)
    with clock.pinned(dt.date(2021, 1, 4)):
        pipeline_settings_set(
            actor=officer,
            zone=zone,
            year_targets={"2021": "10000000000", "2022": "12000000000"},
        )
    chains = {c.pk: c for c in Chain.objects.filter(zone=zone)}
    chain_by_cluster = {c.cluster_id: c for c in sorted(chains.values(), key=lambda c: -c.pk)}

    # Signed: the demo zone's new-start projects, each the end of a lead worked since the year before.
    projects = list(
        KeyProject.objects.filter(zone=zone, project_type="new_start", owner__isnull=False)
        .select_related("owner")
        .order_by("planned_start", "code")
    )[::2]
    # Registering a signed lead and starting its construction recompute the key project's warnings on the
    # (pinned) day, but the projects step has already written these projects' reports up to May: a past
    # day's colour computed from later reports would be fiction. Their warning history is put back as the
    # projects step wrote it after the replay below, and today's colours recomputed.
    history = list(WarningSnapshot.objects.filter(project__in=projects))
    chain_masters = {key: weihai.enterprise_by_key(zone, key) for key, _count in SIGNED_REFERRALS}
    referrals_left = dict(SIGNED_REFERRALS)
    for index, project in enumerate(projects):
        assert project.owner is not None
        signed_on = project.planned_start - dt.timedelta(days=rng.randint(40, 80))
        opened = signed_on - dt.timedelta(days=rng.randint(120, 220))
        chain = chain_by_cluster.get(project.cluster_id or 0)
        nodes = _filled_nodes(project, chain)
        # The first signed leads on a chain HP or Weigao leads came as their referrals.
        referrer = next(
            (
                key
                for key, left in referrals_left.items()
                if left and nodes and chain_masters[key].chains_led.filter(pk=nodes[0].chain_id).exists()
            ),
            None,
        )
        if referrer is not None:
            referrals_left[referrer] -= 1
        with clock.pinned(opened):
            lead = lead_create(
                actor=officer,
                zone=zone,
                values={
                    "company_name": project.owner.name.replace("威海", "", 1),
                    "source": LeadSource.CHAIN_MASTER
                    if referrer
                    else [LeadSource.EXHIBITION, LeadSource.AGENCY, LeadSource.RESEARCH][index % 3],
                    "referred_by_id": chain_masters[referrer].pk if referrer else None,
                    "node_ids": [n.pk for n in nodes],
                    "chain_id": nodes[0].chain_id if nodes else (chain.pk if chain else None),
                    "team": TEAMS[index % len(TEAMS)],
                    "leader_id": leader.pk,
                    "intended_investment": str(project.total_investment),
                    "notes": project.construction_content or "",
                },
            )
        day = opened
        for stage, note in STEPS:
            day = day + dt.timedelta(days=rng.randint(15, 40))
            with clock.pinned(min(day, signed_on)):
                lead_transition(actor=officer, lead=lead, to=stage, reason=note)
        with clock.pinned(signed_on):
            lead_transition(
                actor=officer,
                lead=lead,
                to=LeadStage.SIGNED,
                # Followed since as this key project: signing names it instead of creating another.
                data={
                    "signed_on": signed_on,
                    "signed_amount": project.total_investment,
                    "key_project_id": project.pk,
                },
            )
        registered = signed_on + dt.timedelta(days=rng.randint(10, 25))
        with clock.pinned(registered):
            lead_transition(
                actor=officer, lead=lead, to=LeadStage.REGISTERED, data={"enterprise_id": project.owner.pk}
            )
        if project.planned_start <= weihai.DEMO_DATE:
            with clock.pinned(project.planned_start):
                lead_transition(
                    actor=officer, lead=lead, to=LeadStage.CONSTRUCTION, data={"date": project.planned_start}
                )

    WarningSnapshot.objects.filter(project__in=projects).delete()
    WarningSnapshot.objects.bulk_create(history)
    with clock.pinned(weihai.DEMO_DATE):
        warnings_refresh(zone=zone, projects=KeyProject.objects.filter(pk__in=[p.pk for p in projects]))

    # Open leads from the chains' candidate registry: referrals by the chain masters first.
    reserved = {
        first.pk
        for node in ChainNode.objects.filter(chain__zone=zone)
        if (first := OutsideCompany.objects.filter(node=node).order_by("pk").first()) is not None
    }
    candidates = list(
        OutsideCompany.objects.filter(zone=zone, node__isnull=False)
        .exclude(pk__in=reserved)
        .select_related("node", "node__chain")
        .prefetch_related("supplies_masters")
        .order_by("pk")
    )
    referred = [c for c in candidates if c.supplies_masters.exists()]
    others = [c for c in candidates if not c.supplies_masters.exists()]
    rng.shuffle(others)
    chosen = (referred[:14] + others)[:OPEN_LEADS]
    weigao = weihai.enterprise_by_key(zone, "weigao")
    weigao_chains = set(weigao.chains_led.values_list("pk", flat=True))
    span = (end - dt.date(2021, 1, 4)).days
    # Companies the bureau found itself, typed in (no registry entry), on the chains' nodes.
    nodes = list(ChainNode.objects.filter(chain__zone=zone).select_related("chain").order_by("pk"))
    typed = [
        (f"{rng.choice(PLACES)}{rng.choice(WORDS)}{node.name[:4]}有限公司（示例）", node)
        for node in rng.sample(nodes, min(TYPED_LEADS, len(nodes)))
    ]
    work: list[tuple[OutsideCompany | None, str, ChainNode]] = [
        (c, c.name, c.node) for c in chosen if c.node is not None
    ] + [(None, name, node) for name, node in typed]
    for index, (candidate, name, node) in enumerate(work):
        opened = dt.date(2021, 1, 4) + dt.timedelta(days=rng.randint(0, span - 20))
        masters = (
            list(candidate.supplies_masters.filter(chains_led=node.chain).order_by("pk")) if candidate else []
        )
        if not masters and node.chain_id in weigao_chains and index % 4 == 0:
            masters = [weigao]  # Weigao introduces companies it works with elsewhere (以商招商)
        values = {
            "company_name": name,
            "source": LeadSource.CHAIN_MASTER
            if masters
            else rng.choice(
                [LeadSource.EXHIBITION, LeadSource.AGENCY, LeadSource.RESEARCH, LeadSource.OWN_APPROACH]
            ),
            "referred_by_id": masters[0].pk if masters else None,
            "node_ids": [node.pk],
            "team": TEAMS[index % len(TEAMS)],
            "leader_id": leader.pk,
            "intended_investment": str(Decimal(rng.choice([5, 8, 10, 20, 30, 50, 100])) * 10_000_000),
            "intended_output": str(Decimal(rng.choice([10, 20, 50, 80])) * 10_000_000),
            "next_action": rng.choice(["电话回访", "寄送投资环境资料", "安排实地考察", "准备合作协议草案"]),
        }
        if candidate is not None:
            values["candidate_id"] = candidate.pk
        with clock.pinned(opened):
            lead = lead_create(actor=officer, zone=zone, values=values)
            contact_add(
                actor=officer,
                lead=lead,
                name=f"{rng.choice('王李张刘陈杨赵黄周吴')}{rng.choice(['经理', '总', '先生', '女士'])}",
                title=rng.choice(CONTACT_TITLES),
            )
        # How far it got: leads opened long ago went further or were lost; recent ones are early.
        old = (end - opened).days > 240
        depth = rng.choices([0, 1, 2, 3], weights=[5, 25, 40, 30] if old else [40, 35, 18, 7])[0]
        day = opened
        for stage, note in STEPS[:depth]:
            day = day + dt.timedelta(days=rng.randint(10, 60))
            if day >= end:
                break
            with clock.pinned(day):
                lead_transition(actor=officer, lead=lead, to=stage, reason=note)
        fate = rng.random()
        later = day + dt.timedelta(days=rng.randint(20, 90))
        if later < end and fate < (0.4 if old else 0.1):
            with clock.pinned(later):
                lead_transition(actor=officer, lead=lead, to=LeadStage.LOST, reason=rng.choice(LOST_REASONS))
        elif later < end and fate < (0.5 if old else 0.14):
            with clock.pinned(later):
                lead_transition(
                    actor=officer, lead=lead, to=LeadStage.ON_HOLD, reason=rng.choice(HOLD_REASONS)
                )
        else:
            # The next step is planned around the demo date — and now and then let slip.
            planned = min(day, end)
            with clock.pinned(planned):
                due = end + dt.timedelta(days=rng.randint(-12, 40))
                lead_update(actor=officer, lead=lead, values={"next_action_on": due})

    # One company worked by two teams: the Shanghai team meets at a fair a company another team works —
    # flagged on both leads, the officer told, on the leaders' list.
    worked = (
        Lead.objects.filter(zone=zone, candidate__isnull=False, stage__in=PRE_SIGNING)
        .exclude(team=TEAMS[3])
        .filter(opened_on__lt=dt.date(2022, 3, 1))
        .order_by("opened_on", "pk")
        .first()
    )
    if worked is not None and worked.candidate is not None:
        with clock.pinned(dt.date(2022, 4, 12)):
            lead_create(
                actor=officer,
                zone=zone,
                values={
                    "candidate_id": worked.candidate.pk,
                    "source": LeadSource.EXHIBITION,
                    "node_ids": [n.pk for n in worked.nodes.all()],
                    "team": TEAMS[3],
                    "leader_id": leader.pk,
                    "intended_investment": str(worked.intended_investment or ""),
                    "next_action": "安排实地考察",
                    "next_action_on": dt.date(2022, 5, 20),
                },
            )
