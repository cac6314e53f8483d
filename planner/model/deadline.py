"""One wall-clock deadline shared by every solve of a run.

A user's ``solver.time_limit_s`` bounds the whole run: the main solve, the heuristics that build its start,
repairs after a cut-off and the infeasibility explanation all draw on the same :class:`Deadline`, so no
stage can re-derive a fresh limit of its own.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

from planner.model.matrix import SolverOptions

__all__ = ["Deadline"]

#: seconds below which a solve is not started (HiGHS needs a moment to load even a small model)
MIN_SOLVE_S = 0.05


@dataclass(frozen=True)
class Deadline:
    """``end``: ``time.perf_counter()`` seconds at which all work must stop (None = no limit)."""

    end: float | None = None

    @classmethod
    def after(cls, seconds: float | None) -> Deadline:
        """A deadline ``seconds`` from now (None = none)."""
        return cls(None if seconds is None else time.perf_counter() + float(seconds))

    def left(self) -> float:
        """Seconds left (inf without a limit, never negative)."""
        return math.inf if self.end is None else max(self.end - time.perf_counter(), 0.0)

    @property
    def expired(self) -> bool:
        """True once no time is left for another solve."""
        return self.left() <= MIN_SOLVE_S

    def options(self, base: SolverOptions, *, share: float = 1.0, cap: float | None = None,
                **changes: object) -> SolverOptions | None:
        """``base`` with a time limit of ``share`` of the time left, at most ``cap`` seconds (and ``changes``
        applied); None when no time is left. Without a deadline the limit is ``cap`` (None = none)."""
        left = self.left()
        limit = left * share if math.isfinite(left) else None
        if cap is not None:
            limit = cap if limit is None else min(limit, cap)
        if limit is not None and limit <= MIN_SOLVE_S:
            return None
        return replace(base, time_limit_s=limit, **changes)  # type: ignore[arg-type]
