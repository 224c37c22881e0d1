from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests.indicators.conftest import xlsx
from zoneops.demo import weihai
from zoneops.indicators.models import IndicatorValue

pytestmark = pytest.mark.django_db


def test_import_from_the_shell_dry_run_then_for_real(tmp_path: Path, zone: Any, capsys: Any) -> None:
    hp = weihai.enterprise_by_key(zone, "hp")
    path = tmp_path / "may.xlsx"
    path.write_bytes(
        xlsx(
            [
                ["统一社会信用代码", "企业名称", "统计期", "营业收入(万元)"],
                [hp.uscc, hp.name, "2022-05", 250000],
            ]
        )
    )
    call_command("import-indicators", str(path), "--user", "stats", "--dry-run")
    out = capsys.readouterr().out
    assert "completed, 1 rows, periods 2022-05" in out
    assert "created 1, updated 0, unchanged 0 (dry run)" in out
    assert not IndicatorValue.objects.filter(period="2022-05-01").exists()
    call_command("import-indicators", str(path), "--user", "stats")
    assert IndicatorValue.objects.filter(enterprise=hp, period="2022-05-01").count() == 1


def test_a_rejected_file_fails_the_command_and_lists_the_rows(tmp_path: Path, zone: Any, capsys: Any) -> None:
    hp = weihai.enterprise_by_key(zone, "hp")
    path = tmp_path / "bad.csv"
    path.write_text(
        f"统一社会信用代码,企业名称,统计期,营业收入(万元)\n{hp.uscc},{hp.name},2022-05,abc\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="rejected"):
        call_command("import-indicators", str(path), "--user", "stats")
    assert "error row 2 [营业收入(万元)]: 不是数字：“abc”。" in capsys.readouterr().out


def test_a_user_without_the_right_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a", encoding="utf-8")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        call_command("import-indicators", str(path), "--user", "hp")
    with pytest.raises(CommandError, match="no active user"):
        call_command("import-indicators", str(path), "--user", "nobody")
