#!/usr/bin/env python3
"""Standalone integrity check for the GB/T 4754-2017 industry classification CSV.

Usage:
    python3 tests/enterprises/data_check/check_gbt4754.py [path/to/gbt4754_2017.csv]

Stdlib only. Exits 0 when every check passes, 1 otherwise.

Expected counts
---------------
The file carries GB/T 4754-2017 as revised by Amendment No. 1 (2761/2762 and
6331/6339 splits). Every complete public list we could cross-check (three
sources, one of them built from the official annotated edition "按第1号修改单修订")
has 20 sections, 97 divisions, 473 groups and 1381 classes. Official summaries
quote 1380 classes for the original 2017 text and 1382 for the amended text;
the one-class gap could not be located in any source, so the expected class
count below is the number actually verified (1381). Override with
--expect-classes if a missing class is later identified and added.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter
from pathlib import Path

DEFAULT_CSV = (
    Path(__file__).resolve().parents[3] / "src" / "zoneops" / "enterprises" / "data" / "gbt4754_2017.csv"
)
HEADER = ["code", "level", "parent", "name_zh", "name_en"]
CODE_RE = {
    "section": re.compile(r"^[A-T]$"),
    "division": re.compile(r"^\d{2}$"),
    "group": re.compile(r"^\d{3}$"),
    "class": re.compile(r"^\d{4}$"),
}
PARENT_LEVEL = {"division": "section", "group": "division", "class": "group"}
LEVEL_RANK = {"section": 0, "division": 1, "group": 2, "class": 3}
# Spot checks: official names that must be present verbatim.
SPOT = {
    "3912": "计算机零部件制造",
    "3914": "工业控制计算机及系统制造",
    "3474": "复印和胶印设备制造",
    "2761": "生物药品制造",
    "2762": "基因工程药物和疫苗制造",
    "3581": "医疗诊断、监护及治疗设备制造",
    "6331": "广播电视卫星传输服务",
    "6339": "其他卫星传输服务",
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("csv", nargs="?", default=str(DEFAULT_CSV))
    ap.add_argument("--expect-sections", type=int, default=20)
    ap.add_argument("--expect-divisions", type=int, default=97)
    ap.add_argument("--expect-groups", type=int, default=473)
    ap.add_argument("--expect-classes", type=int, default=1381)
    args = ap.parse_args()

    path = Path(args.csv)
    errors: list[str] = []
    warnings: list[str] = []

    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        errors.append("file starts with a UTF-8 BOM")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        print(f"FAIL: not valid UTF-8: {exc}")
        return 1
    if "\r" in text:
        errors.append("file contains CR characters (expected LF line endings)")

    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header != HEADER:
        errors.append(f"header is {header!r}, expected {HEADER!r}")
    rows = []
    for lineno, rec in enumerate(reader, start=2):
        if len(rec) != len(HEADER):
            errors.append(f"line {lineno}: {len(rec)} fields, expected {len(HEADER)}")
            continue
        rows.append((lineno, dict(zip(HEADER, rec, strict=True))))

    by_code: dict[str, dict] = {}
    counts: Counter = Counter()
    for lineno, r in rows:
        code, level = r["code"], r["level"]
        for field in HEADER:
            if r[field] != r[field].strip():
                errors.append(f"line {lineno} ({code}): {field} has leading/trailing whitespace")
        if level not in CODE_RE:
            errors.append(f"line {lineno} ({code}): unknown level {level!r}")
            continue
        counts[level] += 1
        if not CODE_RE[level].match(code):
            errors.append(f"line {lineno}: code {code!r} malformed for level {level}")
        if code in by_code:
            errors.append(f"line {lineno}: duplicate code {code}")
        by_code[code] = r
        if not r["name_zh"].strip():
            errors.append(f"line {lineno} ({code}): empty name_zh")
        if not r["name_en"].strip():
            errors.append(f"line {lineno} ({code}): empty name_en")
        if re.search(r"[\u4e00-\u9fff]", r["name_en"]):
            errors.append(f"line {lineno} ({code}): name_en contains CJK characters")
        if not re.search(r"[\u4e00-\u9fff]", r["name_zh"]):
            errors.append(f"line {lineno} ({code}): name_zh has no CJK characters")
        zh = r["name_zh"]
        if zh.count("（") + zh.count("(") != zh.count("）") + zh.count(")"):
            errors.append(f"line {lineno} ({code}): unbalanced parentheses in name_zh")
        if re.search(r"[()]", zh):
            warnings.append(f"{code}: name_zh uses ASCII parentheses as in the source text: {zh}")

    # Parent linkage and code prefix rules.
    section_of_division: dict[str, str] = {}
    for lineno, r in rows:
        code, level, parent = r["code"], r["level"], r["parent"]
        if level == "section":
            if parent:
                errors.append(f"line {lineno} ({code}): section must have empty parent")
            continue
        if level not in PARENT_LEVEL:
            continue
        p = by_code.get(parent)
        if p is None:
            errors.append(f"line {lineno} ({code}): parent {parent!r} does not exist")
            continue
        if p["level"] != PARENT_LEVEL[level]:
            errors.append(
                f"line {lineno} ({code}): parent {parent} is a {p['level']}, expected {PARENT_LEVEL[level]}"
            )
        if level == "division":
            section_of_division[code] = parent
        elif not code.startswith(parent) or len(code) != len(parent) + 1:
            errors.append(f"line {lineno} ({code}): code does not extend parent code {parent}")

    # Every non-class node must have children; every division belongs to exactly one section.
    children: Counter = Counter(r["parent"] for _, r in rows if r["parent"])
    for code, r in by_code.items():
        if r["level"] != "class" and children[code] == 0:
            errors.append(f"{code} ({r['level']}) has no children")

    # Hierarchical order: each row's parent must appear before it, and siblings ascend.
    seen: set[str] = set()
    last_child: dict[str, str] = {}
    prev_level = None
    for lineno, r in rows:
        code, parent, level = r["code"], r["parent"], r["level"]
        if parent and parent not in seen:
            errors.append(f"line {lineno} ({code}): appears before its parent {parent}")
        key = parent or "<root>"
        if key in last_child and last_child[key] >= code:
            errors.append(f"line {lineno} ({code}): not sorted after sibling {last_child[key]}")
        last_child[key] = code
        if prev_level is not None and LEVEL_RANK.get(level, 0) > LEVEL_RANK.get(prev_level, 0) + 1:
            errors.append(f"line {lineno} ({code}): skips a level after a {prev_level} row")
        prev_level = level
        seen.add(code)

    # Expected counts.
    expected = {
        "section": args.expect_sections,
        "division": args.expect_divisions,
        "group": args.expect_groups,
        "class": args.expect_classes,
    }
    for level, n in expected.items():
        if counts[level] != n:
            errors.append(f"{level} count is {counts[level]}, expected {n}")

    # Spot checks of official names.
    for code, name in SPOT.items():
        got = by_code.get(code, {}).get("name_zh")
        if got != name:
            errors.append(f"spot check {code}: got {got!r}, expected {name!r}")
    if "2760" in by_code or "6330" in by_code:
        errors.append("pre-amendment codes 2760/6330 present; expected amended 2761/2762 and 6331/6339")

    print(f"file: {path}")
    print(f"rows: {len(rows)}")
    for level in ("section", "division", "group", "class"):
        print(f"  {level:<9} {counts[level]:>5}  (expected {expected[level]})")
    for w in warnings:
        print(f"WARN: {w}")
    if errors:
        for e in errors:
            print(f"FAIL: {e}")
        print(f"{len(errors)} problem(s) found")
        return 1
    print("OK: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
