"""The demo zone: Weihai Torch High-tech Industrial Development Zone as of 2022-05-08.

Facts come from the article in ``shared/seed/weihai-high-tech-zone-2022.txt``: five clusters, two of
them 100-billion-yuan clusters; four Fortune Global 500 firms in Electronic Information & Intelligent
Manufacturing — HP, Lenovo Image, Foxconn and Jabil (the article's "Jeep" is a mistranslation of
捷普, Jabil); chain masters HP, Weigao and Disheng (迪尚). The named firms' USCCs are generated valid
codes, not their registry codes; the few hundred further enterprises are synthetic and say so.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from zoneops.accounts.models import Department, DepartmentFunction, Role, User, Zone
from zoneops.accounts.services import user_create
from zoneops.chains.models import Cluster, ClusterMembership
from zoneops.demo.synthetic import CLUSTER_PROFILES, synthetic_enterprises
from zoneops.enterprises import uscc
from zoneops.enterprises.models import Enterprise, EnterpriseContact, Ownership, Park

ZONE_CODE = "weihai-torch"
DEMO_DATE = dt.date(2022, 5, 8)
DEMO_PASSWORD = "zoneops-demo"  # noqa: S105 - demo mode only, printed by `zoneops demo`
SYNTHETIC_COUNT = 320
SEED = 20220508

DEPARTMENTS: tuple[tuple[str, str, str, str], ...] = (
    ("leadership", "管委会领导班子", "Management Committee Leadership", DepartmentFunction.LEADERSHIP),
    ("general-office", "党政办公室", "General Office", DepartmentFunction.GENERAL_OFFICE),
    ("supervision", "督查室", "Supervision Office", DepartmentFunction.SUPERVISION),
    ("investment", "投资促进局", "Investment Promotion Bureau", DepartmentFunction.INVESTMENT),
    ("projects", "重点项目服务中心", "Key Project Service Centre", DepartmentFunction.PROJECTS),
    ("economy", "经济发展局", "Economic Development Bureau", DepartmentFunction.ECONOMY),
    ("land", "自然资源和规划分局", "Natural Resources and Planning Branch", DepartmentFunction.LAND),
    ("approvals", "行政审批服务局", "Administrative Approval Service Bureau", DepartmentFunction.POLICY),
    ("innovation", "科技创新局", "Science and Technology Innovation Bureau", DepartmentFunction.INNOVATION),
    ("finance", "财政金融局", "Finance Bureau", DepartmentFunction.CAPITAL),
    (
        "human-resources",
        "人力资源和社会保障局",
        "Human Resources and Social Security Bureau",
        DepartmentFunction.HUMAN_RESOURCES,
    ),
    ("law", "法律服务中心", "Legal Service Centre", DepartmentFunction.LAW),
)

PARKS: tuple[tuple[str, str, str, str], ...] = (
    # (code, name, English name, cluster code it hosts)
    (
        "electronics-park",
        "电子信息与智能制造产业园",
        "Electronic Information & Intelligent Manufacturing Industrial Park",
        "electronics",
    ),
    ("medical-park", "医疗器械与生物医药产业园", "Medical Devices & Biomedicine Industrial Park", "medical"),
    ("materials-park", "新材料产业园", "New Materials Industrial Park", "materials"),
    ("equipment-park", "高端装备产业园", "High-end Equipment Industrial Park", "equipment"),
    ("fashion-park", "时尚产业园", "Fashion Industrial Park", "fashion"),
)


@dataclass(frozen=True)
class NamedEnterprise:
    key: str
    name: str
    name_en: str
    short_name: str
    industry: str
    cluster: str
    ownership: str
    established: dt.date
    capital_yuan: int
    fortune_global_500: bool = False
    listed: bool = False
    high_tech: bool = True
    chain_master: bool = False
    description: str = ""


NAMED_ENTERPRISES: tuple[NamedEnterprise, ...] = (
    NamedEnterprise(
        "hp",
        "惠普打印机（威海）有限公司",
        "HP Printing (Weihai) Co., Ltd.",
        "惠普",
        "3913",
        "electronics",
        Ownership.FOREIGN,
        dt.date(2008, 3, 18),
        1_200_000_000,
        fortune_global_500=True,
        chain_master=True,
        description="HP brand industrial park: 10 million printers a year once the 2022 project runs.",
    ),
    NamedEnterprise(
        "lenovo-image",
        "联想图像（山东）科技有限公司",
        "Lenovo Image (Shandong) Technology Co., Ltd.",
        "联想图像",
        "3913",
        "electronics",
        Ownership.LIMITED_LIABILITY,
        dt.date(2019, 6, 12),
        300_000_000,
        fortune_global_500=True,
    ),
    NamedEnterprise(
        "foxconn",
        "富士康精密电子（威海）有限公司",
        "Foxconn Precision Electronics (Weihai) Co., Ltd.",
        "富士康",
        "3912",
        "electronics",
        Ownership.HK_MACAO_TAIWAN,
        dt.date(2014, 9, 1),
        500_000_000,
        fortune_global_500=True,
    ),
    NamedEnterprise(
        "jabil",
        "捷普电子（威海）有限公司",
        "Jabil Electronics (Weihai) Co., Ltd.",
        "捷普",
        "3982",
        "electronics",
        Ownership.FOREIGN,
        dt.date(2016, 4, 20),
        400_000_000,
        fortune_global_500=True,
    ),
    NamedEnterprise(
        "snbc",
        "山东新北洋信息技术股份有限公司",
        "Shandong New Beiyang Information Technology Co., Ltd.",
        "新北洋",
        "3913",
        "electronics",
        Ownership.JOINT_STOCK,
        dt.date(2002, 1, 9),
        665_000_000,
        listed=True,
    ),
    NamedEnterprise(
        "weigao",
        "山东威高集团医用高分子制品股份有限公司",
        "Shandong Weigao Group Medical Polymer Co., Ltd.",
        "威高",
        "3584",
        "medical",
        Ownership.JOINT_STOCK,
        dt.date(2000, 12, 28),
        4_570_000_000,
        listed=True,
        chain_master=True,
    ),
    NamedEnterprise(
        "weigao-bio",
        "威海威高生物科技有限公司",
        "Weihai Weigao Biotechnology Co., Ltd.",
        "威高生物",
        "2762",
        "medical",
        Ownership.LIMITED_LIABILITY,
        dt.date(2017, 8, 15),
        800_000_000,
    ),
    NamedEnterprise(
        "haizhen",
        "威海海臻生物科技有限公司",
        "Weihai Haizhen Biotechnology Co., Ltd.",
        "海臻生物",
        "2761",
        "medical",
        Ownership.PRIVATE,
        dt.date(2018, 5, 30),
        120_000_000,
    ),
    NamedEnterprise(
        "shichuang",
        "威海世创医疗科技有限公司",
        "Weihai Shichuang Medical Technology Co., Ltd.",
        "世创医疗",
        "3581",
        "medical",
        Ownership.PRIVATE,
        dt.date(2019, 11, 6),
        80_000_000,
    ),
    NamedEnterprise(
        "disha",
        "迪沙药业集团有限公司",
        "Disha Pharmaceutical Group Co., Ltd.",
        "迪沙药业",
        "2720",
        "medical",
        Ownership.PRIVATE,
        dt.date(1997, 7, 1),
        300_000_000,
    ),
    NamedEnterprise(
        "guangwei",
        "威海光威复合材料股份有限公司",
        "Weihai Guangwei Composites Co., Ltd.",
        "光威复材",
        "3091",
        "materials",
        Ownership.JOINT_STOCK,
        dt.date(1992, 10, 28),
        518_000_000,
        listed=True,
    ),
    NamedEnterprise(
        "huadong-cnc",
        "威海华东数控股份有限公司",
        "Weihai Huadong Automation Co., Ltd.",
        "华东数控",
        "3421",
        "equipment",
        Ownership.JOINT_STOCK,
        dt.date(2002, 2, 8),
        307_000_000,
        listed=True,
    ),
    NamedEnterprise(
        "future-robot",
        "威海未来机器人有限公司",
        "Weihai Future Robot Co., Ltd.",
        "未来机器人",
        "3491",
        "equipment",
        Ownership.PRIVATE,
        dt.date(2020, 9, 18),
        60_000_000,
    ),
    NamedEnterprise(
        "dishang",
        "迪尚集团有限公司",
        "Dishang Group Co., Ltd.",
        "迪尚",
        "1819",
        "fashion",
        Ownership.PRIVATE,
        dt.date(1988, 5, 1),
        600_000_000,
        chain_master=True,
        high_tech=False,
        description="Garment group; chain master of the fashion cluster and owner of the Dishang intelligent "
        "manufacturing platform.",
    ),
)

# (username, role, department code, enterprise key, display name, extra flags)
DEMO_USERS: tuple[tuple[str, str, str | None, str | None, str], ...] = (
    ("admin", Role.ZONE_ADMIN, "general-office", None, "系统管理员"),
    ("leader", Role.LEADER, "leadership", None, "刘主任"),
    ("supervisor", Role.SUPERVISOR, "supervision", None, "督查室 王科长"),
    ("invest", Role.DEPARTMENT_STAFF, "investment", None, "投资促进局 张局长"),
    ("projects", Role.DEPARTMENT_STAFF, "projects", None, "项目中心 李主任"),
    ("stats", Role.STATISTICIAN, "economy", None, "经发局 统计员 陈"),
    # The land guarantee's department: handles land orders the loop sends it (the end-to-end walk).
    ("land", Role.DEPARTMENT_STAFF, "land", None, "自然资源和规划分局 赵科长"),
    ("hp", Role.ENTERPRISE_USER, None, "hp", "惠普 企业联络员"),
    ("weigao", Role.ENTERPRISE_USER, None, "weigao", "威高 企业联络员"),
)


def named_uscc(index: int) -> str:
    # Named firms get codes from a range the synthetic rows never use.
    return uscc.synthetic(index=900_000 + index, division="371000")


def load_zone() -> Zone:
    zone, _ = Zone.objects.update_or_create(
        code=ZONE_CODE,
        defaults={
            "name": "威海火炬高技术产业开发区",
            "name_en": "Weihai Torch High-tech Industrial Development Zone",
            "short_name": "威海高新区",
            "province": "山东省",
            "city": "威海市",
            "clock_date": DEMO_DATE,
        },
    )
    for code, name, name_en, function in DEPARTMENTS:
        Department.objects.update_or_create(
            zone=zone, code=code, defaults={"name": name, "name_en": name_en, "function": function}
        )
    return zone


def load_registry(zone: Zone) -> None:
    """Parks, clusters, the named enterprises and the synthetic ones, with cluster memberships."""
    parks: dict[str, Park] = {}
    for code, name, name_en, cluster_code in PARKS:
        park, _ = Park.objects.update_or_create(
            zone=zone, code=code, defaults={"name": name, "name_en": name_en}
        )
        parks[cluster_code] = park
    clusters: dict[str, Cluster] = {}
    for order, profile in enumerate(CLUSTER_PROFILES, start=1):
        cluster, _ = Cluster.objects.update_or_create(
            zone=zone,
            code=profile.code,
            defaults={
                "name": profile.name,
                "name_en": profile.name_en,
                "tier": profile.tier,
                "sort_order": order,
            },
        )
        clusters[profile.code] = cluster

    for index, firm in enumerate(NAMED_ENTERPRISES):
        enterprise, _ = Enterprise.objects.update_or_create(
            zone=zone,
            uscc=named_uscc(index),
            defaults={
                "name": firm.name,
                "name_en": firm.name_en,
                "short_name": firm.short_name,
                "industry_id": firm.industry,
                "established_on": firm.established,
                "registered_capital": Decimal(firm.capital_yuan),
                "ownership": firm.ownership,
                "above_scale": True,
                "high_tech": firm.high_tech,
                "fortune_global_500": firm.fortune_global_500,
                "listed": firm.listed,
                "park": parks[firm.cluster],
                "address": f"威海市高技术产业开发区{parks[firm.cluster].name}",
                "description": firm.description,
            },
        )
        ClusterMembership.objects.update_or_create(
            cluster=clusters[firm.cluster],
            enterprise=enterprise,
            defaults={"is_chain_master": firm.chain_master},
        )
        if not enterprise.contacts.exists():
            EnterpriseContact.objects.create(
                enterprise=enterprise,
                name=f"{firm.short_name}联络员",
                title="政府事务经理",
                phone=f"0631-56{index:02d}{index * 37 % 10000:04d}",
                email=f"contact@{firm.key}.example.cn",
                is_primary=True,
            )

    if Enterprise.objects.filter(zone=zone, is_synthetic=True).exists():
        return
    rng = random.Random(SEED)
    made = list(
        synthetic_enterprises(
            zone=zone, rng=rng, count=SYNTHETIC_COUNT, first_index=1, parks_by_cluster=dict(parks)
        )
    )
    Enterprise.objects.bulk_create([m.enterprise for m in made], batch_size=500)
    saved = dict(Enterprise.objects.filter(zone=zone, is_synthetic=True).values_list("uscc", "pk"))
    ClusterMembership.objects.bulk_create(
        [
            ClusterMembership(cluster=clusters[m.cluster_code], enterprise_id=saved[m.enterprise.uscc])
            for m in made
        ],
        batch_size=500,
    )


def enterprise_by_key(zone: Zone, key: str) -> Enterprise:
    index = next(i for i, firm in enumerate(NAMED_ENTERPRISES) if firm.key == key)
    return Enterprise.objects.get(zone=zone, uscc=named_uscc(index))


def load_users(zone: Zone) -> list[User]:
    users: list[User] = []
    for username, role, department_code, enterprise_key, display_name in DEMO_USERS:
        existing = User.objects.filter(username=username).first()
        if existing is not None:
            users.append(existing)
            continue
        department = Department.objects.get(zone=zone, code=department_code) if department_code else None
        enterprise = enterprise_by_key(zone, enterprise_key) if enterprise_key else None
        user = user_create(
            actor=None,
            zone=zone,
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            department=department,
            enterprise_id=enterprise.pk if enterprise else None,
            display_name=display_name,
            email=f"{username}@demo.zoneops.example.cn",
            is_staff=role == Role.ZONE_ADMIN,
        )
        if role == Role.ZONE_ADMIN:
            # The demo administrator also manages every model in Django's admin.
            user.is_superuser = True
            user.save(update_fields=["is_superuser"])
        users.append(user)
    heads = {
        "supervision": "supervisor",
        "investment": "invest",
        "projects": "projects",
        "economy": "stats",
        "leadership": "leader",
        "general-office": "admin",
        "land": "land",
    }
    for department_code, username in heads.items():
        Department.objects.filter(zone=zone, code=department_code, head__isnull=True).update(
            head=User.objects.get(username=username)
        )
    return users
