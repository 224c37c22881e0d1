"""Array and option aliases used across the package (private: callers see plain NumPy types)."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import numpy.typing as npt

type FloatArray = npt.NDArray[np.float64]
type BoolArray = npt.NDArray[np.bool_]
type IntArray = npt.NDArray[np.int64]
type LabelArray = npt.NDArray[Any]

type Convention = Literal["stata", "ecomplexity"]
type Presence = Literal["rca", "rpop", "rca_or_rpop", "manual"]
type Rule = Literal[">", ">="]
type OnEmpty = Literal["drop", "raise"]
