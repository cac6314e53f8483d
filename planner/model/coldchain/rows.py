"""Constraint rows as COO triplet blocks: the unit in which the formulation and the optional route limits
add rows to a :class:`planner.model.matrix.MatrixModel`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Rows", "rows"]


@dataclass
class Rows:
    """A group of rows as COO triplets with their bounds (``group`` names the constraint family)."""

    group: str
    name: str
    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


def rows(group: str, name: str, r: Any, col: Any, val: Any, lo: Any, hi: Any) -> Rows:
    """A :class:`Rows` block from array-likes (``val`` broadcast to the triplets)."""
    r = np.asarray(r, np.int64)
    return Rows(group, name, r, np.asarray(col, np.int64), np.broadcast_to(np.asarray(val, np.float64), r.shape).copy(),
                np.asarray(lo, np.float64), np.asarray(hi, np.float64))
