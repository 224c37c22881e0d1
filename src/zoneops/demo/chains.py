"""The demo zone's industrial chains, chain masters' supply relations, outside candidates and peer matrix.

The chains follow the article's clusters: the printer chain around HP, the medical-device and vaccine
chains around Weigao, the garment chain around Dishang (迪尚), plus carbon-fibre composites and robotics.
HP buys from local suppliers, among them the 13 that paid more than 10 million yuan of tax in 2021 (the
article's figure): the chain-master page counts them from these supply relations and the tax figures.

The peer matrix is synthetic and deterministic: 178 national high-tech zones × the manufacturing classes
of GB/T 4754-2017, revenue in 2020 and 2021 from a latent-capability model (zones and classes share hidden
capabilities, so related classes co-occur), except Weihai's row, which is the demo enterprises' own revenue
by class. Outside companies are synthetic too and say so.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from decimal import Decimal
from typing import Any

import numpy as np
from django.db.models import Q

from zoneops.accounts.models import Zone
from zoneops.chains.models import Chain, MembershipStatus, NodeMembership, OutsideCompany, SupplyRelation
from zoneops.chains.selectors import year_totals
from zoneops.chains.services import chain_import, node_member_decide, node_members_suggest, peer_dataset_load
from zoneops.demo import weihai
from zoneops.demo.figures import hp_chain_tax_payers
from zoneops.enterprises.models import Enterprise, IndustryClass, IndustryLevel
from zoneops.indicators.models import EnterprisePeriodTotal

SEED = 2022_0508
PEER_ZONES = 178
HOME_LOCATION = "威海火炬高新区"
TAX_THRESHOLD = Decimal(10_000_000)

# (code, name, English name, segment, classes, keywords, importance)
NodeRow = tuple[str, str, str, str, list[str], list[str], int]

CHAINS: tuple[dict[str, Any], ...] = (
    {
        "code": "printer",
        "name": "打印机产业链",
        "name_en": "Printer chain",
        "cluster": "electronics",
        "masters": ["hp"],
        "description": "围绕惠普打印机（威海）的整机、核心部件、耗材与配套服务。",
        "nodes": [
            ("print-head", "打印头", "Print head", "upstream", ["3979"], ["打印头", "喷头"], 5),
            ("chips", "主控芯片", "Controller chips", "upstream", ["3973"], ["集成电路", "芯片"], 5),
            (
                "laser-scanner",
                "激光扫描单元",
                "Laser scanner unit",
                "upstream",
                ["3976"],
                ["光电子", "激光"],
                4,
            ),
            ("sensors", "传感器", "Sensors", "upstream", ["3983"], ["传感器"], 3),
            ("components", "电子元件", "Passive components", "upstream", ["3981"], ["电子元件"], 3),
            ("motors", "微电机", "Motors", "upstream", ["3813"], ["微电机", "电机"], 4),
            ("plastics", "精密注塑件", "Moulded plastics", "upstream", ["2929"], ["精密注塑", "注塑"], 3),
            ("stamping", "精密冲压件", "Precision stamping", "upstream", ["3399"], ["精密冲压", "冲压"], 3),
            ("toner-ink", "墨粉墨水", "Toner and ink", "upstream", ["2664"], ["打印耗材", "墨粉", "墨水"], 4),
            ("pcba", "电路板组装", "PCBA", "midstream", ["3982"], ["电路板"], 5),
            ("fuser", "定影组件", "Fuser", "midstream", ["3489"], ["定影"], 4),
            ("paper-handling", "输纸机构", "Paper handling", "midstream", ["3474"], ["办公设备", "输纸"], 3),
            (
                "cartridges",
                "硒鼓墨盒",
                "Cartridges",
                "midstream",
                ["3912"],
                ["硒鼓", "墨盒", "计算机部件"],
                4,
            ),
            ("firmware", "嵌入式软件", "Firmware", "midstream", ["6513"], ["固件", "嵌入式"], 4),
            ("assembly", "整机制造", "Printer assembly", "downstream", ["3913"], ["打印设备", "打印机"], 5),
            ("packaging", "包装", "Packaging", "downstream", ["2231"], ["包装"], 2),
            ("logistics", "物流", "Logistics", "downstream", ["5821"], ["物流"], 2),
        ],
        "edges": [
            ("print-head", "assembly"),
            ("chips", "pcba"),
            ("components", "pcba"),
            ("sensors", "pcba"),
            ("pcba", "assembly"),
            ("firmware", "pcba"),
            ("laser-scanner", "assembly"),
            ("motors", "paper-handling"),
            ("plastics", "paper-handling"),
            ("stamping", "paper-handling"),
            ("plastics", "cartridges"),
            ("toner-ink", "cartridges"),
            ("paper-handling", "assembly"),
            ("fuser", "assembly"),
            ("cartridges", "assembly"),
            ("packaging", "logistics"),
            ("assembly", "logistics"),
        ],
    },
    {
        "code": "medical-devices",
        "name": "医疗器械产业链",
        "name_en": "Medical devices chain",
        "cluster": "medical",
        "masters": ["weigao"],
        "description": "威高牵头的医用高分子材料、耗材、器械与设备。",
        "nodes": [
            (
                "polymers",
                "医用高分子材料",
                "Medical polymers",
                "upstream",
                ["2651", "2659"],
                ["合成树脂", "高分子"],
                5,
            ),
            (
                "electronics",
                "医用电子部件",
                "Medical electronics",
                "upstream",
                ["3982", "3983"],
                ["传感器"],
                3,
            ),
            ("consumables", "医用耗材", "Medical consumables", "midstream", ["3583"], ["医用耗材"], 5),
            ("instruments", "医用器械", "Medical instruments", "midstream", ["3584"], ["医用器械"], 5),
            (
                "equipment",
                "医疗设备",
                "Medical equipment",
                "midstream",
                ["3581", "3589"],
                ["医疗设备", "医疗器械"],
                4,
            ),
            ("sanitary", "卫生材料", "Sanitary materials", "midstream", ["2770"], ["卫生材料"], 3),
            ("rehab", "康复护理设备", "Rehabilitation equipment", "downstream", ["3585"], ["康复护理"], 3),
            ("testing", "检验检测", "Testing services", "downstream", ["7452"], ["检测"], 3),
        ],
        "edges": [
            ("polymers", "consumables"),
            ("polymers", "instruments"),
            ("electronics", "equipment"),
            ("consumables", "testing"),
            ("instruments", "testing"),
            ("equipment", "rehab"),
            ("sanitary", "testing"),
        ],
    },
    {
        "code": "vaccines",
        "name": "疫苗与生物药产业链",
        "name_en": "Vaccine and biologics chain",
        "cluster": "medical",
        "masters": ["weigao"],
        "description": "细胞培养、抗原生产、佐剂、灌装与冷链。",
        "nodes": [
            ("media", "培养基与试剂", "Culture media and reagents", "upstream", ["2761"], ["生物制药"], 4),
            ("adjuvants", "佐剂与辅料", "Adjuvants and excipients", "upstream", ["2662"], ["专用化学品"], 3),
            ("antigen", "疫苗原液", "Vaccine antigen", "midstream", ["2762"], ["疫苗"], 5),
            ("fill-finish", "制剂灌装", "Fill and finish", "midstream", ["2720"], ["药业"], 4),
            ("syringes", "预灌封注射器", "Prefilled syringes", "downstream", ["3584"], ["注射器"], 4),
            ("cold-chain", "冷链物流", "Cold-chain logistics", "downstream", ["5990"], ["冷链"], 3),
        ],
        "edges": [
            ("media", "antigen"),
            ("adjuvants", "fill-finish"),
            ("antigen", "fill-finish"),
            ("syringes", "fill-finish"),
            ("fill-finish", "cold-chain"),
        ],
    },
    {
        "code": "garments",
        "name": "纺织服装产业链",
        "name_en": "Garment chain",
        "cluster": "fashion",
        "masters": ["dishang"],
        "description": "迪尚牵头，从纤维、面料、印染到服装、服饰与设计。",
        "nodes": [
            ("fibres", "化学纤维", "Synthetic fibres", "upstream", ["2822"], ["纤维"], 3),
            ("weaving", "面料织造", "Weaving", "upstream", ["1751"], ["织造", "面料"], 4),
            ("dyeing", "印染", "Dyeing and finishing", "midstream", ["1713", "1762"], ["印染"], 4),
            ("design", "服装设计", "Fashion design", "midstream", ["7491"], ["设计"], 4),
            ("woven", "机织服装", "Woven garments", "downstream", ["1811", "1819"], ["运动服装", "服装"], 5),
            ("knitwear", "针织服装", "Knitwear", "downstream", ["1829"], ["针织服饰"], 4),
            ("accessories", "服饰", "Accessories", "downstream", ["1830"], ["服饰"], 3),
            (
                "trade",
                "服装批发与跨境电商",
                "Wholesale and cross-border trade",
                "downstream",
                ["5132"],
                ["批发"],
                3,
            ),
        ],
        "edges": [
            ("fibres", "weaving"),
            ("weaving", "dyeing"),
            ("dyeing", "woven"),
            ("dyeing", "knitwear"),
            ("design", "woven"),
            ("design", "knitwear"),
            ("woven", "trade"),
            ("knitwear", "trade"),
            ("accessories", "trade"),
        ],
    },
    {
        "code": "carbon-fibre",
        "name": "碳纤维及复合材料产业链",
        "name_en": "Carbon fibre and composites chain",
        "cluster": "materials",
        "masters": [],
        "description": "原丝、碳纤维、预浸料、复合材料制品及应用。",
        "nodes": [
            ("precursor", "原丝与树脂", "Precursor and resin", "upstream", ["2651"], ["合成树脂"], 4),
            ("carbon-fibre", "碳纤维", "Carbon fibre", "midstream", ["3091"], ["碳纤维"], 5),
            ("prepreg", "预浸料与复合材料", "Prepreg and composites", "midstream", ["3062"], ["复合材料"], 4),
            ("alloys", "合金材料", "Alloys", "midstream", ["3240"], ["合金材料"], 3),
            ("aviation", "航空与无人机部件", "Aviation parts", "downstream", ["3744"], ["航空", "无人机"], 4),
        ],
        "edges": [
            ("precursor", "carbon-fibre"),
            ("carbon-fibre", "prepreg"),
            ("prepreg", "aviation"),
            ("alloys", "aviation"),
        ],
    },
    {
        "code": "robotics",
        "name": "机器人与数控装备产业链",
        "name_en": "Robotics and CNC chain",
        "cluster": "equipment",
        "masters": [],
        "description": "减速器、伺服电机、控制系统、整机与集成。",
        "nodes": [
            (
                "reducers",
                "精密减速器",
                "Precision reducers",
                "upstream",
                ["3484"],
                ["机械零部件", "减速器"],
                5,
            ),
            ("servo", "伺服电机", "Servo motors", "upstream", ["3813"], ["伺服", "微电机"], 4),
            ("controllers", "控制系统", "Controllers", "upstream", ["4011"], ["自动化"], 5),
            ("robots", "工业机器人", "Industrial robots", "midstream", ["3491", "3492"], ["机器人"], 5),
            ("cnc", "数控机床", "CNC machine tools", "midstream", ["3421"], ["数控机床"], 4),
            (
                "integration",
                "系统集成",
                "System integration",
                "downstream",
                ["3499"],
                ["通用设备", "集成"],
                3,
            ),
        ],
        "edges": [
            ("reducers", "robots"),
            ("servo", "robots"),
            ("controllers", "robots"),
            ("controllers", "cnc"),
            ("robots", "integration"),
            ("cnc", "integration"),
        ],
    },
)

_CITIES = (
    ("广东省", "深圳"),
    ("广东省", "东莞"),
    ("广东省", "珠海"),
    ("江苏省", "苏州"),
    ("江苏省", "无锡"),
    ("浙江省", "宁波"),
    ("浙江省", "杭州"),
    ("上海市", "上海"),
    ("北京市", "北京"),
    ("天津市", "天津"),
    ("福建省", "厦门"),
    ("湖北省", "武汉"),
    ("四川省", "成都"),
    ("安徽省", "合肥"),
    ("山东省", "青岛"),
    ("山东省", "烟台"),
    ("辽宁省", "大连"),
    ("陕西省", "西安"),
    ("湖南省", "长沙"),
    ("重庆市", "重庆"),
)
_FIRM_WORDS = ("精工", "科技", "智造", "电子", "新材", "精密", "创新", "实业", "光电", "生物")

# 178 national high-tech zones: the home zone and 177 peers (named by their city; synthetic figures).
_PEER_CITIES = (
    "北京中关村",
    "天津滨海",
    "石家庄",
    "保定",
    "唐山",
    "燕郊",
    "承德",
    "太原",
    "长治",
    "包头",
    "呼和浩特",
    "鄂尔多斯",
    "沈阳",
    "大连",
    "鞍山",
    "营口",
    "辽阳",
    "本溪",
    "阜新",
    "锦州",
    "长春",
    "吉林",
    "长春净月",
    "延吉",
    "通化",
    "哈尔滨",
    "大庆",
    "齐齐哈尔",
    "上海张江",
    "上海紫竹",
    "南京",
    "常州",
    "无锡",
    "苏州",
    "泰州",
    "昆山",
    "江阴",
    "徐州",
    "武进",
    "南通",
    "镇江",
    "连云港",
    "盐城",
    "扬州",
    "常熟",
    "宿迁",
    "淮安",
    "杭州",
    "萧山临江",
    "宁波",
    "绍兴",
    "温州",
    "衢州",
    "湖州莫干山",
    "嘉兴",
    "金华",
    "合肥",
    "芜湖",
    "蚌埠",
    "马鞍山",
    "铜陵",
    "淮南",
    "福州",
    "厦门火炬",
    "泉州",
    "莆田",
    "漳州",
    "三明",
    "龙岩",
    "南昌",
    "新余",
    "景德镇",
    "鹰潭",
    "抚州",
    "吉安",
    "赣州",
    "九江",
    "宜春",
    "济南",
    "青岛",
    "淄博",
    "潍坊",
    "济宁",
    "烟台",
    "临沂",
    "泰安",
    "枣庄",
    "德州",
    "莱芜",
    "黄河三角洲",
    "郑州",
    "洛阳",
    "安阳",
    "南阳",
    "新乡",
    "平顶山",
    "焦作",
    "武汉东湖",
    "襄阳",
    "宜昌",
    "孝感",
    "荆门",
    "随州",
    "仙桃",
    "咸宁",
    "黄冈",
    "荆州",
    "黄石大冶湖",
    "潜江",
    "长沙",
    "株洲",
    "湘潭",
    "益阳",
    "衡阳",
    "郴州",
    "常德",
    "怀化",
    "宁乡",
    "广州",
    "深圳",
    "珠海",
    "惠州仲恺",
    "中山火炬",
    "佛山",
    "肇庆",
    "江门",
    "东莞松山湖",
    "源城",
    "清远",
    "汕头",
    "湛江",
    "茂名",
    "南宁",
    "柳州",
    "桂林",
    "北海",
    "海口",
    "重庆",
    "璧山",
    "荣昌",
    "永川",
    "成都",
    "绵阳",
    "自贡",
    "乐山",
    "泸州",
    "攀枝花",
    "德阳",
    "内江",
    "贵阳",
    "安顺",
    "昆明",
    "玉溪",
    "楚雄",
    "拉萨",
    "西安",
    "宝鸡",
    "杨凌",
    "渭南",
    "榆林",
    "咸阳",
    "安康",
    "兰州",
    "白银",
    "西宁",
    "银川",
    "石嘴山",
    "乌鲁木齐",
    "昌吉",
    "石河子",
    "克拉玛依",
    "烟台莱山",
    "潍坊峡山",
    "东营",
    "日照",
    "聊城",
    "滨州",
)


def _enterprise(zone: Zone, key: str) -> Enterprise:
    return weihai.enterprise_by_key(zone, key)


def load_chains(zone: Zone) -> None:
    """Chains from their file form (the same import staff use), then the matcher's suggestions, with
    the class matches confirmed as the investment bureau did; keyword-only matches stay for review."""
    for spec in CHAINS:
        data = {
            "code": spec["code"],
            "name": spec["name"],
            "name_en": spec["name_en"],
            "cluster": spec["cluster"],
            "description": spec["description"],
            "masters": [_enterprise(zone, key).uscc for key in spec["masters"]],
            "nodes": [
                {
                    "code": code,
                    "name": name,
                    "name_en": name_en,
                    "segment": segment,
                    "industries": classes,
                    "keywords": keywords,
                    "importance": importance,
                }
                for code, name, name_en, segment, classes, keywords, importance in spec["nodes"]
            ],
            "edges": [list(edge) for edge in spec["edges"]],
        }
        chain = chain_import(actor=None, zone=zone, data=data)
        chain.sort_order = CHAINS.index(spec)
        chain.save(update_fields=["sort_order"])
        node_members_suggest(actor=None, chain=chain)
        suggested = NodeMembership.objects.filter(
            node__chain=chain, status=MembershipStatus.SUGGESTED
        ).select_related("node", "node__chain", "node__chain__zone", "enterprise")
        cluster_members = set(chain.cluster.memberships.values_list("enterprise_id", flat=True))
        for membership in suggested:
            in_class = membership.node.industries.filter(code=membership.enterprise.industry_id).exists()
            if in_class and membership.enterprise_id in cluster_members:
                node_member_decide(actor=None, membership=membership, status=MembershipStatus.CONFIRMED)
            elif not in_class and membership.score < 0.4:
                node_member_decide(actor=None, membership=membership, status=MembershipStatus.REJECTED)


def _outside_companies(zone: Zone, rng: random.Random) -> list[OutsideCompany]:
    companies: list[OutsideCompany] = []
    index = 0
    for chain in Chain.objects.filter(zone=zone).prefetch_related("nodes__industries").order_by("sort_order"):
        for node in chain.nodes.all():
            classes = [c.code for c in node.industries.all()]
            for _n in range(rng.randint(3, 7)):
                index += 1
                province, city = _CITIES[rng.randrange(len(_CITIES))]
                word = _FIRM_WORDS[index % len(_FIRM_WORDS)]
                size = rng.choices(["large", "medium", "small"], weights=[2, 5, 3])[0]
                base = {"large": 5e9, "medium": 8e8, "small": 1.2e8}[size]
                companies.append(
                    OutsideCompany(
                        zone=zone,
                        name=f"{city}{node.name}{word}有限公司（示例{index}）",
                        name_en=f"{city} {node.name_en} Co. {index} (synthetic)",
                        industry_id=rng.choice(classes),
                        node=node if rng.random() < 0.7 else None,
                        size=size,
                        revenue=Decimal(round(base * rng.uniform(0.4, 2.5), -4)),
                        employees=int(base / rng.uniform(0.8e6, 2e6)),
                        province=province,
                        city=city,
                        listed=size == "large" and rng.random() < 0.5,
                        is_synthetic=True,
                    )
                )
    OutsideCompany.objects.bulk_create(companies)
    return list(OutsideCompany.objects.filter(zone=zone).select_related("node").order_by("pk"))


def _year_tax(zone: Zone, year: int) -> dict[int, Decimal]:
    enterprises = set(Enterprise.objects.filter(zone=zone).values_list("pk", flat=True))
    return year_totals(zone_id=zone.pk, indicator="tax", year=year, enterprise_ids=enterprises)


def load_supply(zone: Zone) -> None:
    """Outside candidates and the chain masters' purchases in 2020 and 2021."""
    if OutsideCompany.objects.filter(zone=zone).exists():
        return
    rng = random.Random(SEED)
    companies = _outside_companies(zone, rng)
    masters = Chain.objects.filter(zone=zone).prefetch_related("masters", "nodes")
    tax_2021 = _year_tax(zone, 2021)
    big_payers = {e.pk for e in hp_chain_tax_payers(zone)}
    relations: list[SupplyRelation] = []
    seen: set[tuple[int, int, str, int]] = set()
    for chain in masters:
        for master in chain.masters.all():
            confirmed = list(
                NodeMembership.objects.filter(node__chain=chain, status=MembershipStatus.CONFIRMED)
                .exclude(enterprise=master)
                .select_related("node")
                .order_by("enterprise__uscc", "node__code")
            )
            if master.pk == _enterprise(zone, "hp").pk:
                # HP's local chain enterprises: the 13 big tax payers and smaller ones that paid less than
                # 10 million yuan in 2021, so the chain-master page counts exactly the article's 13.
                confirmed = [
                    m
                    for m in confirmed
                    if m.enterprise_id in big_payers
                    or tax_2021.get(m.enterprise_id, Decimal(0)) <= TAX_THRESHOLD
                ]
            for membership in confirmed:
                for year, factor in ((2020, 0.82), (2021, 1.0)):
                    key = (master.pk, membership.enterprise_id, "local", year)
                    if key in seen:
                        continue
                    seen.add(key)
                    scale = 3e8 if membership.enterprise_id in big_payers else 4e7
                    relations.append(
                        SupplyRelation(
                            zone=zone,
                            customer=master,
                            supplier_id=membership.enterprise_id,
                            node=membership.node,
                            year=year,
                            amount=Decimal(round(scale * rng.uniform(0.5, 1.6) * factor, 2)).quantize(
                                Decimal("0.01")
                            ),
                        )
                    )
            chain_nodes = {n.pk for n in chain.nodes.all()}
            outside = [c for c in companies if c.node_id in chain_nodes]
            for company in rng.sample(outside, k=min(len(outside), 25)):
                company.supplies_masters.add(master)
                for year, factor in ((2020, 0.9), (2021, 1.0)):
                    relations.append(
                        SupplyRelation(
                            zone=zone,
                            customer=master,
                            outside_supplier=company,
                            node=company.node,
                            year=year,
                            amount=Decimal(round(6e8 * rng.uniform(0.3, 1.8) * factor, 2)).quantize(
                                Decimal("0.01")
                            ),
                        )
                    )
    SupplyRelation.objects.bulk_create(relations)


def _peer_rows(zone: Zone) -> list[tuple[str, str, str, str]]:
    rng = np.random.default_rng(SEED)
    # Manufacturing (divisions 13–43) and the service classes the chains need (software, logistics…).
    chain_classes = {code for spec in CHAINS for node in spec["nodes"] for code in node[4]}
    classes = list(
        IndustryClass.objects.filter(level=IndustryLevel.CLASS)
        .filter(Q(code__gte="13", code__lt="44") | Q(code__in=chain_classes))
        .order_by("code")
        .values_list("code", flat=True)
    )
    dims = 12
    # Classes of a division share most of their capabilities; divisions are related to their neighbours.
    divisions = sorted({c[:2] for c in classes})
    division_vec = {d: rng.normal(size=dims) for d in divisions}
    for a, b in itertools.pairwise(divisions):
        division_vec[b] = 0.6 * division_vec[b] + 0.4 * division_vec[a]
    class_vec = np.array([division_vec[c[:2]] + 0.6 * rng.normal(size=dims) for c in classes])
    class_size = rng.lognormal(0, 1.0, size=len(classes))
    class_growth = rng.normal(0.07, 0.08, size=len(classes))
    names = [f"{city}高新区" for city in _PEER_CITIES[: PEER_ZONES - 1]]
    zone_vec = rng.normal(size=(len(names), dims))
    zone_size = rng.lognormal(3.5, 0.7, size=len(names))
    affinity = zone_vec @ class_vec.T / math.sqrt(dims)
    raw = (
        np.exp(1.2 * affinity) * np.outer(zone_size, class_size) * rng.lognormal(0, 0.5, size=affinity.shape)
    )
    raw[affinity < 0.2] = 0.0
    values_2021 = raw * 1e7
    values_2020 = values_2021 / (1 + class_growth) * rng.lognormal(0, 0.05, size=raw.shape)
    rows: list[tuple[str, str, str, str]] = []
    for i, name in enumerate(names):
        for j, code in enumerate(classes):
            if values_2021[i, j] > 0:
                rows.append(("2021", name, code, f"{values_2021[i, j]:.2f}"))
                rows.append(("2020", name, code, f"{values_2020[i, j]:.2f}"))
    # Weihai's own row: the demo enterprises' revenue by class.
    for year in (2020, 2021):
        totals: dict[str, Decimal] = {}
        for industry, ytd in EnterprisePeriodTotal.objects.filter(
            zone=zone, indicator_id="revenue", period=dt.date(year, 12, 1)
        ).values_list("enterprise__industry_id", "ytd"):
            totals[industry] = totals.get(industry, Decimal(0)) + ytd
        rows.extend((str(year), HOME_LOCATION, code, str(total)) for code, total in sorted(totals.items()))
    return rows


def load_peers(zone: Zone) -> None:
    peer_dataset_load(
        actor=None,
        zone=zone,
        name="国家高新区分行业营业收入（示例）",
        description="178 national high-tech zones × GB/T 4754-2017 manufacturing classes, 2020–2021. "
        "Synthetic except the zone's own row, which sums the demo enterprises' revenue.",
        home_location=HOME_LOCATION,
        rows=_peer_rows(zone),
    )
