"""The demo zone's service desk: the six guarantees' catalogue, and a year of orders (May 2021 – May 2022)
worked through the real services on the days they happened — most answered on time and rated, some late
and reminded up the ladder, a few reopened after a bad rating (the bad rating stays on record, followed up
by the general office), and as of the demo date a few still open, some of them overdue, one of them so
late that the escalation job has handed it to supervision."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from zoneops.accounts.models import User, Zone
from zoneops.core import clock
from zoneops.core.selectors import WorkdayCounter
from zoneops.demo import weihai
from zoneops.enterprises.models import Enterprise
from zoneops.servicedesk.catalogue import catalogue_load
from zoneops.servicedesk.models import ServiceOrder, ServiceType
from zoneops.servicedesk.services import (
    escalate_overdue,
    order_act,
    order_file,
    order_rate_by_token,
    rating_token,
)

FIRST_DAY = dt.date(2021, 5, 6)
HISTORY_ORDERS = 150  # answered before the demo date
OPEN_ORDERS = 9  # still open on the demo date

# What enterprises ask for, by sub-type (title, description).
REQUESTS: dict[str, list[tuple[str, str]]] = {
    "land-supply": [("扩建项目用地需求", "二期扩产需新增工业用地，请协调土地供应计划。")],
    "planning-permit": [("新建厂房规划许可", "新建生产车间需办理建设工程规划许可证，请指导材料准备。")],
    "factory-lease": [
        ("租赁标准厂房", "新增生产线，需租赁标准化厂房，层高不低于8米。"),
        ("厂房续租及扩租", "现租赁厂房即将到期，申请续租并扩租相邻厂房。"),
    ],
    "property-certificate": [("厂房不动产权证办理", "新建厂房已竣工验收，申请办理不动产权证。")],
    "policy-consultation": [
        ("技改补贴政策咨询", "咨询智能化技术改造项目可享受的市、区两级补贴政策。"),
        ("研发费用加计扣除咨询", "咨询研发费用加计扣除的归集口径和申报时间。"),
    ],
    "subsidy-application": [("申请技改奖补资金兑现", "技术改造项目已通过验收，申请兑现区级奖补资金。")],
    "approval-service": [("环评审批进度协调", "扩产项目环评报告已提交，请协调加快审批。")],
    "high-tech-certification": [("高新技术企业认定辅导", "今年申报高新技术企业认定，请安排辅导。")],
    "rd-platform": [("申报市级工程技术研究中心", "拟申报市级工程技术研究中心，请指导申报材料。")],
    "ip-protection": [("专利侵权维权协助", "发现同类产品涉嫌侵犯我司发明专利，请协助维权。")],
    "bank-loan": [
        ("流动资金贷款对接", "原材料涨价，申请对接银行流动资金贷款。"),
        ("技改项目贷款贴息", "技改项目银行贷款，申请对接贴息政策及合作银行。"),
    ],
    "guarantee": [("融资担保申请", "申请区融资担保公司为银行贷款提供担保。")],
    "listing": [("上市辅导对接", "公司计划启动上市辅导，请对接券商和上市培育政策。")],
    "recruitment": [
        ("招聘一线操作工", "新产线投产，需招聘一线操作工，请协助组织专场招聘会。"),
        ("高校毕业生招聘对接", "需招聘机械、电子类应届毕业生，请对接驻威高校。"),
    ],
    "talent-housing": [("引进人才住房保障", "新引进博士2名，申请人才公寓。")],
    "talent-schooling": [("人才子女入学协调", "引进高层次人才子女需在区内入学，请协调学位。")],
    "legal-consultation": [("劳动合同纠纷法律咨询", "咨询员工竞业限制协议的效力问题。")],
    "dispute-mediation": [("货款纠纷调解", "与外地供应商存在货款纠纷，申请调解。")],
    "compliance": [("出口合规指导", "出口业务涉及新的原产地规则，请提供合规指导。")],
}
ANSWERS = (
    "已协调相关部门办结，具体安排已电话告知企业联络员。",
    "已按政策办理完毕，材料已反馈企业。",
    "已组织专题对接会，问题已解决。",
)
BAD_COMMENTS = ("答复不解决实际问题。", "办理时间太长。")
GOOD_COMMENTS = ("办理及时，非常满意。", "服务热情，问题解决了。", "")


def load_catalogue(zone: Zone) -> None:
    catalogue_load(zone=zone)


def _extra(service_type: ServiceType, rng: random.Random) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in service_type.fields:
        kind = field.get("type", "text")
        if kind == "number":
            values[field["name"]] = {"amount": rng.choice([2, 5, 10, 30]) * 1_000_000}.get(
                field["name"], rng.choice([20, 50, 80, 120, 3000, 8000])
            )
        elif kind == "choice":
            values[field["name"]] = rng.choice(field["choices"])
    return values


def load_orders(zone: Zone) -> None:
    """A year of orders driven through the state machine on the days they happened."""
    rng = random.Random(2021)
    admin = User.objects.get(username="admin")
    contacts = {u.enterprise_id: u for u in User.objects.filter(zone=zone, enterprise__isnull=False)}
    staff = {u.department_id: u for u in User.objects.filter(zone=zone, role="department_staff")}
    named = [weihai.enterprise_by_key(zone, firm.key) for firm in weihai.NAMED_ENTERPRISES]
    others = list(
        Enterprise.objects.filter(zone=zone).exclude(pk__in=[e.pk for e in named]).order_by("pk")[:60]
    )
    types = {t.code: t for t in ServiceType.objects.filter(zone=zone)}
    counter = WorkdayCounter(
        first=FIRST_DAY - dt.timedelta(days=1), last=weihai.DEMO_DATE + dt.timedelta(days=60)
    )
    workdays = [d for d in counter.days if FIRST_DAY <= d < weihai.DEMO_DATE]

    def actor_for(order: ServiceOrder) -> User:
        return staff.get(order.department_id or 0, admin)

    def file(
        enterprise: Enterprise, day: dt.date, code: str | None = None, pick: int | None = None
    ) -> ServiceOrder:
        code = code or rng.choice(list(REQUESTS))
        title, description = (
            REQUESTS[code][pick % len(REQUESTS[code])] if pick is not None else rng.choice(REQUESTS[code])
        )
        with clock.pinned(day):
            return order_file(
                actor=contacts.get(enterprise.pk, admin),
                enterprise=enterprise,
                service_type=types[code],
                title=title,
                description=description,
                extra=_extra(types[code], rng),
            )

    def take(order: ServiceOrder, day: dt.date) -> None:
        with clock.pinned(day):
            order_act(actor=admin, order=order, action="accept")
            order_act(
                actor=admin, order=order, action="dispatch", handler=staff.get(order.department_id or 0)
            )
        with clock.pinned(counter.add(start=day, days=1).date):
            order_act(actor=actor_for(order), order=order, action="start")

    # The history: answered orders, in the order they were filed, each worked to its end before the next
    # is filed (so an escalation run on a past day sees only the order that was late then).
    history_days = sorted(rng.choice(workdays[:-35]) for _ in range(HISTORY_ORDERS))
    for index, day in enumerate(history_days):
        enterprise = rng.choice(named) if index % 3 else rng.choice(others)
        order = file(enterprise, day)
        if index % 29 == 7:  # the enterprise filed the same request twice: the office merges the second
            second = file(enterprise, day, order.service_type.code, 0)
            with clock.pinned(day):
                order_act(actor=admin, order=second, action="merge", duplicate_of=order)
        take(order, day)
        worker = actor_for(order)
        busy_until = counter.add(start=day, days=1).date
        if index % 8 == 3:  # the department needs a document from the enterprise: the clock pauses
            asked = counter.add(start=day, days=2).date
            busy_until = counter.add(start=asked, days=3).date
            with clock.pinned(asked):
                order_act(actor=worker, order=order, action="wait", note="请补充营业执照副本及项目备案文件。")
            with clock.pinned(busy_until):
                order_act(
                    actor=contacts.get(order.enterprise_id, worker),
                    order=order,
                    action="resume",
                    note="已补充。",
                )
        if index % 11 == 5:  # a longer job: an extension requested and approved
            busy_until = counter.add(start=busy_until, days=1).date
            with clock.pinned(busy_until):
                order_act(
                    actor=worker,
                    order=order,
                    action="request_extension",
                    days=5,
                    note="涉及多部门会商，需延期办理。",
                )
                order_act(actor=admin, order=order, action="decide_extension", approve=True)
        assert order.resolve_due is not None
        late = index % 9 == 4
        if late:  # past the deadline: the ladder reminds the handler, then the department head
            lateness = rng.choice([1, 2, 3])
            answered = counter.add(start=order.resolve_due, days=lateness + 1).date
            for days_late in range(1, lateness + 1):
                with clock.pinned(counter.add(start=order.resolve_due, days=days_late).date):
                    escalate_overdue(zone=zone)
            order.refresh_from_db()
        else:
            spent = max(1, int(order.service_type.resolve_days * rng.uniform(0.3, 0.95)))
            answered = min(max(counter.add(start=day, days=spent).date, busy_until), order.resolve_due)
            answered = max(answered, counter.add(start=busy_until, days=0).date)
        with clock.pinned(answered):
            order_act(actor=worker, order=order, action="answer", note=rng.choice(ANSWERS))
        contact = contacts.get(order.enterprise_id)
        rated_on = counter.add(start=answered, days=rng.choice([0, 1, 2])).date
        rating = rng.choice([5, 5, 5, 4, 4, 4, 3]) if not late else rng.choice([4, 3, 2])
        if index % 23 == 9:
            rating = 1
        with clock.pinned(rated_on):
            if contact is not None:
                order_act(actor=contact, order=order, action="confirm")
                order_act(
                    actor=contact,
                    order=order,
                    action="rate",
                    rating=rating,
                    note=rng.choice(BAD_COMMENTS if rating <= 2 else GOOD_COMMENTS),
                )
            elif index % 5:
                # No web account: the contact rates through the link sent with the answer.
                order_rate_by_token(
                    token=rating_token(order),
                    rating=rating,
                    comment=rng.choice(BAD_COMMENTS if rating <= 2 else GOOD_COMMENTS),
                )
            else:
                # The contact confirmed by phone and the office closed the order.
                order_act(actor=admin, order=order, action="close", note="电话回访，企业确认办结。")
        if contact is None and rating <= 2 and index % 5:
            # A bad rating through the link: the office calls back and reopens the order.
            with clock.pinned(counter.add(start=rated_on, days=1).date):
                order_act(
                    actor=admin, order=order, action="follow_up", note="电话回访：企业反映问题仍未解决。"
                )
                order_act(actor=admin, order=order, action="reopen", note="回访：企业反映问题仍未解决。")
            with clock.pinned(counter.add(start=rated_on, days=4).date):
                order_act(actor=worker, order=order, action="answer", note="已再次协调并现场解决。")
            with clock.pinned(counter.add(start=rated_on, days=5).date):
                order_rate_by_token(token=rating_token(order), rating=4, comment="二次办理后解决。")
        if contact is not None and rating <= 2:
            # A bad rating: the office calls back, the enterprise reopens, the department answers again.
            with clock.pinned(counter.add(start=rated_on, days=1).date):
                order_act(actor=admin, order=order, action="follow_up", note="电话回访：企业将重新提交诉求。")
                order_act(actor=contact, order=order, action="reopen", note="问题仍未解决，请继续办理。")
            with clock.pinned(counter.add(start=rated_on, days=4).date):
                order_act(actor=worker, order=order, action="answer", note="已再次协调并现场解决。")
            with clock.pinned(counter.add(start=rated_on, days=5).date):
                order_act(actor=contact, order=order, action="confirm")
                order_act(actor=contact, order=order, action="rate", rating=4, note="二次办理后解决。")

    # Open on the demo date: three overdue — one by 6 working days (handed to supervision), two by 2–3
    # (reminded up to the department head) —, three in progress on time, one waiting for the enterprise,
    # two awaiting acceptance.
    late_codes = ("factory-lease", "legal-consultation", "policy-consultation")
    late_starts = (workdays[-17], workdays[-9], workdays[-8])
    for index in range(OPEN_ORDERS):
        enterprise = named[index % len(named)]
        if index < 3:
            order = file(enterprise, late_starts[index], late_codes[index], 0)
            take(order, late_starts[index])
            continue
        day = workdays[-1] if index >= 7 else workdays[-1 - index // 2]
        order = file(enterprise, day)
        if index >= 7:
            continue  # submitted, not yet accepted
        take(order, day)
        if index == 6:
            with clock.pinned(counter.add(start=day, days=1).date):
                order_act(actor=actor_for(order), order=order, action="wait", note="请补充申请材料。")
    # The escalation job ran every day of those weeks: its warnings, reminders and the supervision item
    # come on the days they would have.
    for day in [*workdays[-17:], weihai.DEMO_DATE]:
        with clock.pinned(day):
            escalate_overdue(zone=zone)
