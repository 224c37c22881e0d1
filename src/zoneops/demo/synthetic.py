"""Synthetic enterprises that fit a cluster: shared by the demo zone and the benchmark generator.

Every synthetic row says so: ``is_synthetic`` is set, the Chinese name ends in （示例） and the English
name in "(synthetic)". USCCs are valid (GB 32100-2015 check characters) and unique per index.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from zoneops.accounts.models import Zone
from zoneops.enterprises import uscc
from zoneops.enterprises.models import Enterprise, Ownership, Park


@dataclass(frozen=True)
class ClusterProfile:
    """What a cluster's enterprises make: GB/T 4754-2017 classes with product words for their names."""

    code: str
    name: str
    name_en: str
    tier: str
    # (class code, Chinese product word, English product word)
    products: tuple[tuple[str, str, str], ...]


CLUSTER_PROFILES: tuple[ClusterProfile, ...] = (
    ClusterProfile(
        "electronics",
        "电子信息与智能制造产业集群",
        "Electronic Information & Intelligent Manufacturing",
        "hundred_billion",
        (
            ("3913", "打印设备", "Printing Equipment"),
            ("3912", "计算机部件", "Computer Components"),
            ("3982", "电路板", "Circuit Board"),
            ("3981", "电子元件", "Electronic Components"),
            ("3983", "传感器", "Sensor"),
            ("3976", "光电子", "Optoelectronics"),
            ("3813", "微电机", "Micro Motor"),
            ("2664", "打印耗材", "Printing Consumables"),
            ("2929", "精密注塑", "Precision Moulding"),
            ("3399", "精密冲压", "Precision Stamping"),
            ("2231", "包装制品", "Packaging"),
            ("3474", "办公设备", "Office Equipment"),
            ("3973", "集成电路", "Integrated Circuit"),
        ),
    ),
    ClusterProfile(
        "medical",
        "医疗器械与生物医药产业集群",
        "Medical Devices & Biomedicine",
        "hundred_billion",
        (
            ("3584", "医用器械", "Medical Instruments"),
            ("3581", "医疗设备", "Medical Equipment"),
            ("3583", "医用耗材", "Medical Consumables"),
            ("3585", "康复护理", "Rehabilitation Care"),
            ("3589", "医疗器械", "Medical Devices"),
            ("2770", "卫生材料", "Sanitary Materials"),
            ("2761", "生物制药", "Biopharmaceutical"),
            ("2762", "疫苗", "Vaccine"),
            ("2720", "药业", "Pharmaceutical"),
            ("2740", "中药", "Traditional Medicine"),
        ),
    ),
    ClusterProfile(
        "materials",
        "新材料及制品产业集群",
        "New Materials & Products",
        "ten_billion",
        (
            ("3091", "碳纤维", "Carbon Fibre"),
            ("3062", "复合材料", "Composite Materials"),
            ("2651", "合成树脂", "Synthetic Resin"),
            ("2659", "新材料", "Advanced Materials"),
            ("3240", "合金材料", "Alloy Materials"),
            ("2662", "专用化学品", "Specialty Chemicals"),
        ),
    ),
    ClusterProfile(
        "equipment",
        "高端装备与机器人产业集群",
        "High-end Equipment & Robotics",
        "ten_billion",
        (
            ("3491", "机器人", "Robotics"),
            ("3492", "特种机器人", "Special Robots"),
            ("3421", "数控机床", "CNC Machine Tools"),
            ("4011", "自动化", "Automation"),
            ("3484", "机械零部件", "Machine Parts"),
            ("3499", "通用设备", "General Equipment"),
        ),
    ),
    ClusterProfile(
        "fashion",
        "时尚服饰产业集群",
        "Fashion & Apparel",
        "ten_billion",
        (
            ("1811", "运动服装", "Sportswear"),
            ("1819", "服装", "Apparel"),
            ("1829", "针织服饰", "Knitwear"),
            ("1830", "服饰", "Accessories"),
            ("1713", "印染", "Textile Finishing"),
        ),
    ),
)

_PREFIXES: tuple[tuple[str, str], ...] = (
    ("华拓", "Huatuo"),
    ("信诺", "Xinnuo"),
    ("恒远", "Hengyuan"),
    ("瑞丰", "Ruifeng"),
    ("博达", "Boda"),
    ("海川", "Haichuan"),
    ("鼎盛", "Dingsheng"),
    ("联创", "Lianchuang"),
    ("正泰", "Zhengtai"),
    ("金桥", "Jinqiao"),
    ("东诚", "Dongcheng"),
    ("宏图", "Hongtu"),
    ("科越", "Keyue"),
    ("蓝海", "Lanhai"),
    ("卓越", "Zhuoyue"),
    ("智联", "Zhilian"),
    ("中恒", "Zhongheng"),
    ("新锐", "Xinrui"),
    ("泰和", "Taihe"),
    ("嘉信", "Jiaxin"),
    ("众合", "Zhonghe"),
    ("明远", "Mingyuan"),
    ("安泰", "Antai"),
    ("华岳", "Huayue"),
    ("昌盛", "Changsheng"),
    ("天成", "Tiancheng"),
    ("润达", "Runda"),
    ("同力", "Tongli"),
    ("启航", "Qihang"),
    ("精诚", "Jingcheng"),
    ("海韵", "Haiyun"),
    ("荣泰", "Rongtai"),
    ("鑫源", "Xinyuan"),
    ("汇通", "Huitong"),
    ("远景", "Yuanjing"),
    ("万和", "Wanhe"),
    ("德润", "Derun"),
    ("永信", "Yongxin"),
    ("恒泰", "Hengtai"),
    ("双岛", "Shuangdao"),
)
_OWNERSHIP_WEIGHTS: tuple[tuple[str, int], ...] = (
    (Ownership.PRIVATE, 40),
    (Ownership.LIMITED_LIABILITY, 30),
    (Ownership.JOINT_STOCK, 8),
    (Ownership.FOREIGN, 10),
    (Ownership.HK_MACAO_TAIWAN, 6),
    (Ownership.STATE_OWNED, 4),
    (Ownership.COLLECTIVE, 2),
)


@dataclass(frozen=True)
class SyntheticEnterprise:
    enterprise: Enterprise
    cluster_code: str


def synthetic_enterprises(
    *,
    zone: Zone,
    rng: random.Random,
    count: int,
    first_index: int,
    parks_by_cluster: dict[str, Park | None],
    profiles: Sequence[ClusterProfile] = CLUSTER_PROFILES,
    cluster_weights: Sequence[int] | None = None,
    division: str = "371000",
) -> Iterator[SyntheticEnterprise]:
    """Unsaved synthetic enterprises, deterministic for a given rng state."""
    weights = list(cluster_weights) if cluster_weights is not None else [len(p.products) for p in profiles]
    ownerships = [o for o, _ in _OWNERSHIP_WEIGHTS]
    ownership_weights = [w for _, w in _OWNERSHIP_WEIGHTS]
    for offset in range(count):
        index = first_index + offset
        profile = rng.choices(list(profiles), weights=weights)[0]
        class_code, product_zh, product_en = rng.choice(profile.products)
        prefix_zh, prefix_en = _PREFIXES[index % len(_PREFIXES)]
        # The index keeps names unique even where prefix and product repeat.
        serial = index // len(_PREFIXES)
        suffix_zh = f"{serial}号" if serial else ""
        suffix_en = f" No.{serial}" if serial else ""
        above_scale = rng.random() < 0.45
        established = dt.date(1995, 1, 1) + dt.timedelta(days=rng.randrange(0, 26 * 365))
        capital = (
            Decimal(rng.choice((5, 10, 20, 30, 50, 80, 100, 200, 500, 1000)))
            * Decimal(10_000)
            * (Decimal(10) if above_scale else Decimal(1))
        )
        enterprise = Enterprise(
            zone=zone,
            name=f"威海{prefix_zh}{product_zh}{suffix_zh}有限公司（示例）",
            name_en=f"Weihai {prefix_en} {product_en}{suffix_en} Co., Ltd. (synthetic)",
            short_name=f"{prefix_zh}{product_zh}{suffix_zh}",
            uscc=uscc.synthetic(index=index, division=division),
            industry_id=class_code,
            established_on=established,
            registered_capital=capital,
            ownership=rng.choices(ownerships, weights=ownership_weights)[0],
            above_scale=above_scale,
            high_tech=rng.random() < (0.5 if above_scale else 0.2),
            fortune_global_500=False,
            listed=above_scale and rng.random() < 0.06,
            park=parks_by_cluster.get(profile.code),
            address=f"威海市高技术产业开发区示例路{index % 997 + 1}号",
            is_synthetic=True,
        )
        yield SyntheticEnterprise(enterprise=enterprise, cluster_code=profile.code)
