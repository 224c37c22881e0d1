"""GB/T 4754-2017 as shipped and loaded by migration."""

from __future__ import annotations

from collections import Counter

import pytest

from zoneops.enterprises.classification import classification_rows
from zoneops.enterprises.models import IndustryClass

pytestmark = pytest.mark.django_db


def test_every_level_is_complete() -> None:
    # 20 sections, 97 divisions, 473 groups. The source the file was built from lists 1,381 classes; the
    # standard with its 2019 amendment counts 1,382 (see docs/architecture.md, "Data loaded by migration").
    assert Counter(IndustryClass.objects.values_list("level", flat=True)) == {
        "section": 20,
        "division": 97,
        "group": 473,
        "class": 1381,
    }
    assert IndustryClass.objects.count() == len(classification_rows())


def test_every_parent_is_one_level_up_and_codes_nest() -> None:
    levels = ["section", "division", "group", "class"]
    for row in IndustryClass.objects.select_related("parent"):
        if row.level == "section":
            assert row.parent is None
            assert row.code.isalpha()
            continue
        assert row.parent is not None
        assert levels.index(row.parent.level) == levels.index(row.level) - 1
        if row.level != "division":
            assert row.code.startswith(row.parent.code)
        assert len(row.code) == {"division": 2, "group": 3, "class": 4}[row.level]


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("C", "制造业"),
        ("39", "计算机、通信和其他电子设备制造业"),
        ("3913", "计算机外围设备制造"),
        ("3914", "工业控制计算机及系统制造"),
        ("2762", "基因工程药物和疫苗制造"),
        ("3584", "医疗、外科及兽医用器械制造"),
        ("0190", "其他农业"),
        ("019", "其他农业"),  # a group with a single class carries the class's name
        ("9700", "国际组织"),
    ],
)
def test_known_entries(code: str, name: str) -> None:
    assert IndustryClass.objects.get(code=code).name_zh == name


def test_sections_and_divisions_have_english_names() -> None:
    assert not IndustryClass.objects.filter(level__in=["section", "division"], name_en="").exists()
    assert (
        IndustryClass.objects.get(code="39").name_en
        == "Manufacture of computers, communication and other electronic equipment"
    )
