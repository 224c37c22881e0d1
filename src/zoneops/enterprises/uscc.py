"""The unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters from a 31-character alphabet (digits and capitals without I, O, S, V, Z):
registration authority (1), organisation type (1), administrative division (6 digits), organisation code
(9, GB 11714 with its own check character), and a check character computed with weights 3^i mod 31.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from zoneops.core.errors import InvalidInput

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {char: index for index, char in enumerate(ALPHABET)}
# 3^i mod 31 for i = 0..16, as the standard tabulates them.
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB 11714 organisation code: weights of its 8 body characters.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def check_character(first17: str) -> str:
    total = sum(_VALUE[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def organisation_check_character(body8: str) -> str:
    total = sum(int(char, 36) * weight for char, weight in zip(body8, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def normalise(raw: str) -> str:
    """Upper-case, strip spaces and convert full-width characters (pasted from Word or Excel)."""
    converted = []
    for char in raw.strip():
        code = ord(char)
        if 0xFF01 <= code <= 0xFF5E:
            char = chr(code - 0xFEE0)
        if not char.isspace():
            converted.append(char)
    return "".join(converted).upper()


def validate(raw: str, *, field: str = "uscc") -> str:
    """The normalised code, or InvalidInput naming the field and what is wrong with it."""
    code = normalise(raw)
    if len(code) != 18:
        raise InvalidInput.single(
            field,
            _("A unified social credit code has 18 characters; this one has %(count)d.")
            % {"count": len(code)},
        )
    bad = sorted({char for char in code if char not in _VALUE})
    if bad:
        raise InvalidInput.single(
            field,
            _("The code contains characters not allowed in a unified social credit code: %(chars)s.")
            % {"chars": " ".join(bad)},
        )
    if not code[2:8].isdigit():
        raise InvalidInput.single(
            field, _("Characters 3–8 must be the 6-digit administrative division code.")
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise InvalidInput.single(
            field,
            _("The check character (18th) is wrong: %(given)s given, %(expected)s expected.")
            % {"given": code[17], "expected": expected},
        )
    return code


def is_valid(raw: str) -> bool:
    try:
        validate(raw)
    except InvalidInput:
        return False
    return True


def synthetic(*, index: int, division: str = "371000", authority: str = "9", kind: str = "1") -> str:
    """A valid code for synthetic enterprises, unique per index (demo zone and benchmarks)."""
    if len(division) != 6 or not division.isdigit():
        raise ValueError("division must be 6 digits")
    # Organisation codes of synthetic rows look like those issued since 2015 ("MA" + 6 digits); beyond a
    # million rows, "M" + 7 base-31 characters, which cannot collide with the first form below 8.8e9.
    body = f"MA{index:06d}" if index < 10**6 else "M" + _base31(index, 7)
    first17 = authority + kind + division + body + organisation_check_character(body)
    return first17 + check_character(first17)


def _base31(number: int, width: int) -> str:
    out = ""
    while number:
        number, rest = divmod(number, 31)
        out = ALPHABET[rest] + out
    if len(out) > width:
        raise ValueError("index too large for a synthetic code")
    return out.rjust(width, "0")
