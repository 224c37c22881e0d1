from __future__ import annotations

import pytest

from zoneops.core.errors import InvalidInput
from zoneops.enterprises import uscc


@pytest.mark.parametrize(
    "code",
    [
        "914403001922038216",  # a published code (Huawei Technologies), GB 32100-2015 check character 6
        "91370000163040123X".replace("X", uscc.check_character("91370000163040123")),
    ],
)
def test_valid_codes(code: str) -> None:
    assert uscc.validate(code) == code


def test_normalises_case_spaces_and_full_width() -> None:
    assert uscc.validate(" ９１４４０３００１９２２０３８２１６ ") == "914403001922038216"
    code = uscc.synthetic(index=42)
    assert uscc.validate(code.lower()) == code


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91440300192203821", "A unified social credit code has 18 characters; this one has 17."),
        (
            "9144030019220382I6",
            "The code contains characters not allowed in a unified social credit code: I.",
        ),
        ("91A40300192203821X", "Characters 3–8 must be the 6-digit administrative division code."),
        ("914403001922038217", "The check character (18th) is wrong: 7 given, 6 expected."),
    ],
)
def test_invalid_codes_name_the_reason(code: str, message: str, settings: object) -> None:
    from django.utils import translation

    with translation.override("en"), pytest.raises(InvalidInput) as caught:
        uscc.validate(code, field="uscc")
    assert [(e.field, e.message) for e in caught.value.errors] == [("uscc", message)]


def test_messages_are_translated_into_chinese() -> None:
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(InvalidInput) as caught:
        uscc.validate("914403001922038217")
    assert caught.value.errors[0].message == "第18位校验码错误：填写为 7，应为 6。"


def test_synthetic_codes_are_valid_and_unique() -> None:
    codes = [uscc.synthetic(index=i) for i in (0, 1, 2, 999_999, 1_000_000, 1_000_001, 5_000_000, 10**8)]
    assert all(uscc.is_valid(c) for c in codes)
    assert len(set(codes)) == len(codes)
    many = {uscc.synthetic(index=i) for i in range(0, 2_000_000, 997)}
    assert len(many) == len(range(0, 2_000_000, 997))


def test_organisation_check_character_follows_gb_11714() -> None:
    # Huawei's organisation code is 19220382-1 (the 9th–17th characters of its USCC).
    assert uscc.organisation_check_character("19220382") == "1"
