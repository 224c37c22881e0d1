"""Errors, warnings and drop records shared by the complexity package."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

DropKind = Literal["time", "location", "product"]


def plain(value: object) -> object:
    """NumPy scalars as Python scalars, so labels and messages read ``2000``, not ``np.int64(2000)``."""
    return value.item() if isinstance(value, np.generic) else value


def show(value: object) -> str:
    return repr(plain(value))


class ComplexityInputError(ValueError):
    """Input that the computation refuses, with a message naming the column, period, location or product."""


class ComplexityWarning(UserWarning):
    """Something was dropped or substituted; the same facts are kept on the result as ``DropRecord``s."""


@dataclass(frozen=True, slots=True)
class DropRecord:
    """One location, product or period left out of a computation, and why.

    ``time`` is the period label (``None`` for single-matrix calls); ``label`` is the location or product
    label, or the period label again when ``kind == "time"``.
    """

    time: object
    kind: DropKind
    label: object
    reason: str

    def describe(self) -> str:
        where = "" if self.time is None or self.kind == "time" else f" in period {show(self.time)}"
        return f"dropped {self.kind} {show(self.label)}{where}: {self.reason}"
