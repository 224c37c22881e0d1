"""The CLI functions the Django commands wrap: exit codes, messages, and the exact output files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from zoneops.complexity.cli import io_main, main

JOBS = """\
year,zone,industry,jobs
2022,north,steel,120
2022,north,textiles,60
2022,north,software,5
2022,north,chemicals,30
2022,north,glass,25
2022,south,steel,40
2022,south,textiles,90
2022,south,software,20
2022,south,chemicals,50
2022,south,glass,40
2022,east,steel,10
2022,east,textiles,20
2022,east,software,70
2022,east,chemicals,40
2022,west,steel,50
2022,west,textiles,10
2022,west,software,60
2022,west,chemicals,20
2022,west,glass,5
"""

# Stata convention, RCA > 1. east has no glass row: it is a zero, as in Stata's fillin.
EXPECTED = """\
year,zone,industry,rca,mcp,diversity,ubiquity,eci,pci,density,coi,cog
2022,east,chemicals,1.5612244897959184,1,2,2,-0.9746794344808961,-0.13923991921155612,0.3333333333333333,0.9746794344808962,0.0
2022,east,glass,0.0,0,2,2,-0.9746794344808961,1.5316391113271228,0.25,0.9746794344808962,0.5569596768462268
2022,east,software,2.467741935483871,1,2,2,-0.9746794344808961,-1.8101189497502361,0.5,0.9746794344808962,0.0
2022,east,steel,0.2483766233766234,0,2,2,-0.9746794344808961,-0.13923991921155726,0.3333333333333333,0.9746794344808962,0.668351612215472
2022,east,textiles,0.6071428571428571,0,2,2,-0.9746794344808961,1.5316391113271228,0.25,0.9746794344808962,0.5569596768462268
2022,north,chemicals,0.6830357142857143,0,3,2,0.9746794344808961,-0.13923991921155612,0.6666666666666666,-0.9746794344808962,-1.0025274183232074
2022,north,glass,1.1383928571428572,1,3,2,0.9746794344808961,1.5316391113271228,0.75,-0.9746794344808962,0.0
2022,north,software,0.10282258064516128,0,3,2,0.9746794344808961,-1.8101189497502361,0.5,-0.9746794344808962,-0.11139193536924488
2022,north,steel,1.7386363636363638,1,3,2,0.9746794344808961,-0.13923991921155726,0.6666666666666666,-0.9746794344808962,0.0
2022,north,textiles,1.0625,1,3,2,0.9746794344808961,1.5316391113271228,0.75,-0.9746794344808962,0.0
2022,south,chemicals,1.1383928571428572,1,3,2,0.9746794344808966,-0.13923991921155612,0.6666666666666666,-0.9746794344808968,0.0
2022,south,glass,1.8214285714285714,1,3,2,0.9746794344808966,1.5316391113271228,0.75,-0.9746794344808968,0.0
2022,south,software,0.41129032258064513,0,3,2,0.9746794344808966,-1.8101189497502361,0.5,-0.9746794344808968,-0.11139193536924526
2022,south,steel,0.5795454545454546,0,3,2,0.9746794344808966,-0.13923991921155726,0.6666666666666666,-0.9746794344808968,-1.0025274183232074
2022,south,textiles,1.59375,1,3,2,0.9746794344808966,1.5316391113271228,0.75,-0.9746794344808968,0.0
2022,west,chemicals,0.7536945812807883,0,2,2,-0.9746794344808967,-0.13923991921155612,0.3333333333333333,0.9746794344808966,0.668351612215472
2022,west,glass,0.37684729064039413,0,2,2,-0.9746794344808967,1.5316391113271228,0.25,0.9746794344808966,0.5569596768462272
2022,west,software,2.0422691879866517,1,2,2,-0.9746794344808967,-1.8101189497502361,0.5,0.9746794344808966,0.0
2022,west,steel,1.1990595611285269,1,2,2,-0.9746794344808967,-0.13923991921155726,0.3333333333333333,0.9746794344808966,0.0
2022,west,textiles,0.29310344827586204,0,2,2,-0.9746794344808967,1.5316391113271228,0.25,0.9746794344808966,0.5569596768462272
"""
# Columns computed by elementwise arithmetic or exact ratios are compared as text; the eigenvector-based
# ones to 1e-12, since the last bits depend on the BLAS/ARPACK build.
TEXT_COLUMNS = ("year", "zone", "industry", "rca", "mcp", "diversity", "ubiquity", "density")
ARGS = ["--time", "year", "--loc", "zone", "--prod", "industry", "--val", "jobs"]


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(text.splitlines()))


def assert_same_output(actual: str, expected: str) -> None:
    got, want = rows(actual), rows(expected)
    assert actual.splitlines()[0] == expected.splitlines()[0]
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        for column in TEXT_COLUMNS:
            assert g[column] == w[column], (column, g, w)
        for column in ("eci", "pci", "coi", "cog"):
            assert float(g[column]) == pytest.approx(float(w[column]), abs=1e-12), (column, g, w)


@pytest.fixture
def jobs_csv(tmp_path: Path) -> Path:
    path = tmp_path / "jobs.csv"
    path.write_text(JOBS)
    return path


def test_complexity_writes_the_expected_file(
    jobs_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.csv"
    assert main([str(jobs_csv), *ARGS, "-o", str(out)]) == 0
    assert capsys.readouterr().err == ""
    assert_same_output(out.read_text(), EXPECTED)


def test_density_is_an_exact_proximity_share(jobs_csv: Path, tmp_path: Path) -> None:
    """Independent check of one density: north/chemicals = (phi to steel + phi to textiles + phi to glass)/sum."""
    out = tmp_path / "out.csv"
    assert main([str(jobs_csv), *ARGS, "-o", str(out)]) == 0
    north = {r["industry"]: r for r in rows(out.read_text()) if r["zone"] == "north"}
    # Every product has ubiquity 2, so phi is C/2 and the density is a ratio of co-occurrence counts.
    assert float(north["chemicals"]["density"]) == 2 / 3


def test_population_file(jobs_csv: Path, tmp_path: Path) -> None:
    pop = tmp_path / "pop.csv"
    pop.write_text("year,zone,people\n2022,north,250\n2022,south,310\n2022,east,150\n2022,west,160\n")
    out = tmp_path / "out.csv"
    assert main([str(jobs_csv), *ARGS, "--presence", "rpop", "--pop", str(pop), "-o", str(out)]) == 0
    header = out.read_text().splitlines()[0]
    assert header == "year,zone,industry,rca,rpop,mcp,diversity,ubiquity,eci,pci,density,coi,cog"
    assert (
        main(
            [
                str(jobs_csv),
                *ARGS,
                "--presence",
                "rpop",
                "--pop",
                str(pop),
                "--pop-col",
                "people",
                "-o",
                str(out),
            ]
        )
        == 0
    )


def test_options_reach_the_computation(jobs_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    assert main([str(jobs_csv), *ARGS, "--convention", "ecomplexity", "--continuous", "-o", str(out)]) == 0
    assert main([str(jobs_csv), *ARGS, "--asymmetric", "--knn", "2", "--rule", ">=", "-o", str(out)]) == 0
    assert main([str(jobs_csv), *ARGS, "--threshold", "0.9", "-o", str(out)]) == 0


def test_drops_are_warned_and_the_run_succeeds(
    jobs_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jobs_csv.write_text(JOBS + "2022,ghost,steel,0\n")
    out = tmp_path / "out.csv"
    assert main([str(jobs_csv), *ARGS, "-o", str(out)]) == 0
    assert capsys.readouterr().err == (
        "complexity: warning: dropped location 'ghost' in period 2022: no activity (all values are zero)\n"
    )
    assert "ghost" not in out.read_text()
    assert main([str(jobs_csv), *ARGS, "--on-empty", "raise", "-o", str(out)]) == 2
    assert capsys.readouterr().err == (
        "complexity: error: period 2022: location 'ghost': no activity (all values are zero)\n"
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--val", "value"],
            "complexity: error: data is missing column 'value' (columns: 'year', 'zone', "
            "'industry', 'jobs')\n",
        ),
        (["--presence", "rpop"], "complexity: error: --presence rpop needs --pop FILE\n"),
        (
            ["--knn", "9"],
            "complexity: error: period 2022: knn=9 but only 5 products remain (knn must be < products)\n",
        ),
    ],
)
def test_input_errors_exit_2(
    extra: list[str], message: str, jobs_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(jobs_csv), *ARGS, *extra, "-o", str(tmp_path / "o.csv")]) == 2
    assert capsys.readouterr().err == message


def test_missing_file_and_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "none.csv"
    assert main([str(missing), *ARGS, "-o", "o.csv"]) == 2
    assert capsys.readouterr().err == f"complexity: error: no such file: {missing}\n"
    assert main([str(missing), "--loc", "zone", "-o", "o.csv"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: complexity ")
    assert err.endswith("complexity: error: the following arguments are required: --time, --prod, --val\n")
    assert main(["--help"]) == 0
    assert "--convention {stata,ecomplexity}" in capsys.readouterr().out


TABLE = """\
sector,agri,manu,output
agri,150,500,1000
manu,200,100,2000
"""
IO_EXPECTED = """\
sector,output,output_multiplier,backward_linkage,forward_linkage,key_sector
agri,1000.0,1.5181518151815182,1.0222222222222224,1.2083333333333335,key
manu,2000.0,1.452145214521452,0.9777777777777777,0.7916666666666666,weak
"""


def test_io_linkages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = tmp_path / "table.csv"
    table.write_text(TABLE)
    out = tmp_path / "out.csv"
    assert io_main([str(table), "-o", str(out)]) == 0
    got, want = rows(out.read_text()), rows(IO_EXPECTED)
    assert [(r["sector"], r["output"], r["key_sector"]) for r in got] == [
        (r["sector"], r["output"], r["key_sector"]) for r in want
    ]
    for g, w in zip(got, want, strict=True):
        for column in ("output_multiplier", "backward_linkage", "forward_linkage"):
            assert float(g[column]) == pytest.approx(float(w[column]), rel=1e-13)

    table.write_text(TABLE.replace(",output", "").replace(",1000", "").replace(",2000", ""))
    outputs = tmp_path / "x.csv"
    outputs.write_text("sector,output\nmanu,2000\nagri,1000\n")
    assert io_main([str(table), "--output-file", str(outputs), "--forward", "leontief", "-o", str(out)]) == 0
    assert [r["sector"] for r in rows(out.read_text())] == ["agri", "manu"]
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("text", "extra", "message"),
    [
        (
            TABLE.replace("output", "total"),
            [],
            "io-linkages: error: {path}: missing column 'output' (total output)\n",
        ),
        (
            "sector,agri,output\nagri,1,10\nmanu,2,20\n",
            [],
            "io-linkages: error: {path}: no column for sector 'manu' (the matrix must be square)\n",
        ),
        (
            "sector,agri,manu,output\nagri,0,5,0\nmanu,1,1,10\n",
            [],
            "io-linkages: error: sector 'agri' has zero output but records inputs or sales in the flow matrix\n",
        ),
        (TABLE, ["--forward", "sideways"], None),
    ],
)
def test_io_errors_exit_2(
    text: str, extra: list[str], message: str | None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "table.csv"
    table.write_text(text)
    assert io_main([str(table), *extra, "-o", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err
    if message is None:
        assert "io-linkages: error: argument --forward: invalid choice: 'sideways'" in err
    else:
        assert err == message.format(path=table)
