"""Command-line entry points as plain functions (``main``, ``io_main``) for a Django command to wrap.

Both take ``argv`` without the program name and return an exit code: 0 on success, 2 on any input or usage
error (the message goes to stderr, prefixed with the command name). Warnings about dropped locations,
products or periods go to stderr and do not change the exit code.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TextIO, cast

import numpy as np
import pandas as pd

from ._types import Convention, OnEmpty, Presence, Rule
from .errors import ComplexityInputError, ComplexityWarning
from .inputoutput import Forward, linkages
from .panel import compute

EXIT_OK = 0
EXIT_USAGE = 2


class _UsageError(Exception):
    """argparse's error, raised instead of exiting so that ``main`` can return 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


def main(argv: Sequence[str]) -> int:
    """``complexity IN.csv --time COL --loc COL --prod COL --val COL [options] -o OUT.csv``."""
    return _run("complexity", _complexity_parser(), _complexity, argv)


def io_main(argv: Sequence[str]) -> int:
    """``io-linkages IN.csv [--output-col NAME | --output-file FILE] [--forward ghosh|leontief] -o OUT``."""
    return _run("io-linkages", _io_parser(), _io_linkages, argv)


def _run(
    name: str, parser: _Parser, action: Callable[[argparse.Namespace], None], argv: Sequence[str]
) -> int:
    err = sys.stderr
    try:
        args = parser.parse_args(list(argv))
    except _UsageError as exc:
        print(parser.format_usage().rstrip(), file=err)
        print(f"{name}: error: {exc}", file=err)
        return EXIT_USAGE
    except SystemExit as exc:  # --help
        return int(exc.code) if isinstance(exc.code, int) else EXIT_OK
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ComplexityWarning)
        try:
            action(args)
        except (ComplexityInputError, OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            _flush_warnings(name, caught, err)
            print(f"{name}: error: {exc}", file=err)
            return EXIT_USAGE
    _flush_warnings(name, caught, err)
    return EXIT_OK


def _flush_warnings(name: str, caught: list[warnings.WarningMessage], err: TextIO) -> None:
    for item in caught:
        if issubclass(item.category, ComplexityWarning):
            print(f"{name}: warning: {item.message}", file=err)
        else:
            warnings.showwarning(item.message, item.category, item.filename, item.lineno)


def _complexity_parser() -> _Parser:
    parser = _Parser(prog="complexity", description="Economic complexity from a long-format CSV.")
    parser.add_argument("input", metavar="IN.csv")
    parser.add_argument("--time", required=True, help="column holding the period")
    parser.add_argument("--loc", required=True, help="column holding the location")
    parser.add_argument("--prod", required=True, help="column holding the product / industry")
    parser.add_argument("--val", required=True, help="column holding the value (exports, output, jobs...)")
    parser.add_argument("--presence", choices=("rca", "rpop", "manual"), default="rca")
    parser.add_argument(
        "--pop", metavar="FILE", help="population CSV: the --time and --loc columns plus --pop-col"
    )
    parser.add_argument(
        "--pop-col", help="population column in --pop (default: 'pop', else the only other column)"
    )
    parser.add_argument("--threshold", type=float, default=1.0, help="RCA/RPOP threshold (default 1)")
    parser.add_argument("--rule", choices=(">", ">="), help="presence rule (default: the convention's)")
    parser.add_argument("--convention", choices=("stata", "ecomplexity"), default="stata")
    parser.add_argument("--continuous", action="store_true", help="Pearson proximity on RCA/RPOP")
    parser.add_argument("--asymmetric", action="store_true", help="conditional-probability proximity")
    parser.add_argument("--knn", type=int, metavar="K", help="density from each product's K nearest products")
    parser.add_argument(
        "--on-empty",
        choices=("drop", "raise"),
        default="drop",
        help="drop inactive locations/products/periods with a warning, or fail (default drop)",
    )
    parser.add_argument("-o", "--output", required=True, metavar="OUT.csv")
    return parser


def _complexity(args: argparse.Namespace) -> None:
    data = _read_csv(args.input)
    population = None
    pop_col = "pop"
    if args.pop is not None:
        population = _read_csv(args.pop)
        pop_col = _population_column(population, args.time, args.loc, args.pop_col, args.pop)
    elif args.presence == "rpop":
        raise ComplexityInputError("--presence rpop needs --pop FILE")
    panel = compute(
        data=data,
        time=args.time,
        loc=args.loc,
        prod=args.prod,
        val=args.val,
        population=population,
        pop=pop_col,
        presence=cast(Presence, args.presence),
        threshold=args.threshold,
        rule=cast("Rule | None", args.rule),
        convention=cast(Convention, args.convention),
        continuous=args.continuous,
        asymmetric=args.asymmetric,
        knn=args.knn,
        on_empty=cast(OnEmpty, args.on_empty),
    )
    panel.write_csv(args.output)


def _population_column(frame: pd.DataFrame, time: str, loc: str, requested: str | None, path: str) -> str:
    if requested is not None:
        return requested
    if "pop" in frame.columns:
        return "pop"
    others = [c for c in frame.columns if c not in (time, loc)]
    if len(others) == 1:
        return str(others[0])
    raise ComplexityInputError(
        f"{path}: cannot tell the population column among {others!r}; name it with --pop-col"
    )


def _io_parser() -> _Parser:
    parser = _Parser(
        prog="io-linkages",
        description="Leontief/Ghosh multipliers, Rasmussen-Hirschman linkages and key sectors.",
    )
    parser.add_argument(
        "input",
        metavar="IN.csv",
        help="square flow matrix: first column = sector labels, then one column per sector",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--output-col", default="output", help="column of IN.csv holding total output (default 'output')"
    )
    source.add_argument("--output-file", metavar="FILE", help="CSV with columns sector,output")
    parser.add_argument(
        "--forward",
        choices=("ghosh", "leontief"),
        default="ghosh",
        help="forward linkage from the Ghosh (default) or the Leontief inverse",
    )
    parser.add_argument("-o", "--output", required=True, metavar="OUT.csv")
    return parser


def _io_linkages(args: argparse.Namespace) -> None:
    table = _read_csv(args.input, index_col=0)
    table.index = table.index.astype(str)
    table.columns = table.columns.astype(str)
    sectors = list(table.index)
    if len(set(sectors)) != len(sectors):
        raise ComplexityInputError(f"{args.input}: duplicate sector label in the first column")
    if args.output_file is not None:
        out_frame = _read_csv(args.output_file)
        for column in ("sector", "output"):
            if column not in out_frame.columns:
                raise ComplexityInputError(f"{args.output_file}: missing column {column!r}")
        out_frame["sector"] = out_frame["sector"].astype(str)
        output = out_frame.set_index("sector")["output"].reindex(sectors)
        if output.isna().any():
            raise ComplexityInputError(
                f"{args.output_file}: no output for sector {output.index[output.isna()][0]!r}"
            )
    else:
        if args.output_col not in table.columns:
            raise ComplexityInputError(f"{args.input}: missing column {args.output_col!r} (total output)")
        output = table.pop(args.output_col)
    missing = [s for s in sectors if s not in table.columns]
    if missing:
        raise ComplexityInputError(
            f"{args.input}: no column for sector {missing[0]!r} (the matrix must be square)"
        )
    extra = [c for c in table.columns if c not in sectors]
    if extra:
        raise ComplexityInputError(f"{args.input}: column {extra[0]!r} is not a sector of the first column")
    flows = table[sectors].apply(pd.to_numeric, errors="coerce")
    result = linkages(
        flows=flows.to_numpy(dtype=np.float64, na_value=np.nan),
        output=pd.to_numeric(output, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan),
        sectors=np.asarray(sectors, dtype=object),
        forward=cast(Forward, args.forward),
    )
    pd.DataFrame(
        {
            "sector": result.sectors,
            "output": result.output,
            "output_multiplier": result.output_multiplier,
            "backward_linkage": result.backward_linkage,
            "forward_linkage": result.forward_linkage,
            "key_sector": result.key_sector,
        }
    ).to_csv(args.output, index=False)


def _read_csv(path: str, index_col: int | None = None) -> pd.DataFrame:
    if not Path(path).is_file():
        raise ComplexityInputError(f"no such file: {path}")
    return pd.read_csv(path, index_col=index_col)
