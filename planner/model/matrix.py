"""Mixed-integer linear models built from numpy / scipy.sparse arrays.

A :class:`MatrixModel` holds named blocks of variables (:class:`VarBlock`) and blocks of linear rows given
as COO triplets. It is solved either

* directly by HiGHS through ``highspy`` (``SolverOptions(solver="highs")``, the default): the whole model is
  handed over as one column-wise sparse matrix, so a model with a million nonzeros is passed in well under a
  second; or
* through PuLP (``solver="cbc"`` for PuLP's bundled CBC, or any PuLP solver name): :meth:`MatrixModel.to_pulp`
  converts the model into an ``LpProblem`` whose variables are named ``block[i_j]`` (PuLP rewrites the
  brackets to underscores).

Units are whatever the caller uses: costs in the objective's currency, times in seconds.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pulp
import scipy.sparse as sp

from planner.errors import ModelError

__all__ = ["MatrixModel", "SolveResult", "SolverOptions", "VarBlock"]

#: relative gap below which a MIP counts as solved to optimality (status "optimal" rather than "gap_limit")
OPTIMAL_GAP = 1e-6


@dataclass(frozen=True)
class VarBlock:
    """A named block of variables occupying columns ``start .. start + size - 1`` in row-major order."""

    name: str
    shape: tuple[int, ...]
    start: int
    size: int

    def cols(self, *index: Any) -> np.ndarray:
        """Flat (global) column indices of ``block[index]``.

        ``index`` is anything numpy accepts for an array of ``shape``: integers, slices, integer arrays
        (broadcast together) or nothing (the whole block, flattened). Integer / array-only indices go through
        ``np.ravel_multi_index`` (no allocation of the whole block); anything with a slice is resolved on a
        lazily built index grid.
        """
        if not index:
            return np.arange(self.start, self.start + self.size, dtype=np.int64)
        if len(index) == 1 and isinstance(index[0], tuple):
            index = index[0]
        if len(index) == len(self.shape) and all(_is_int_like(ix) for ix in index):
            arrays = [np.asarray(ix, dtype=np.int64) for ix in index]
            arrays = [np.where(a < 0, a + n, a) for a, n in zip(arrays, self.shape, strict=True)]
            try:
                flat = np.ravel_multi_index(tuple(arrays), self.shape)
            except ValueError as exc:
                raise ModelError(f"index {index!r} is out of range for variable block {self.name!r} "
                                 f"of shape {self.shape}") from exc
            return np.asarray(flat, dtype=np.int64) + self.start
        grid = np.arange(self.start, self.start + self.size, dtype=np.int64).reshape(self.shape)
        try:
            return np.asarray(grid[index], dtype=np.int64)
        except IndexError as exc:
            raise ModelError(f"index {index!r} is out of range for variable block {self.name!r} "
                             f"of shape {self.shape}") from exc


def _is_int_like(ix: Any) -> bool:
    if isinstance(ix, (int, np.integer)):
        return True
    if isinstance(ix, (slice, type(Ellipsis))) or ix is None:
        return False
    arr = np.asarray(ix)
    return arr.dtype.kind in "iu"


@dataclass
class SolverOptions:
    """How to solve a model.

    ``solver``: ``"highs"`` (highspy, direct), ``"cbc"`` (PuLP's PULP_CBC_CMD) or any PuLP solver name
    (``pulp.listSolvers()``). ``time_limit_s``: wall-clock limit in seconds (None = none). ``mip_gap``:
    relative MIP gap at which to stop. ``threads``: solver threads (None = solver default). ``log_path``:
    file receiving the solver log. ``verbose``: echo the solver log on the console.
    """

    solver: str = "highs"
    time_limit_s: float | None = None
    mip_gap: float = 1e-6
    threads: int | None = None
    log_path: str | None = None
    verbose: bool = False


@dataclass
class SolveResult:
    """The outcome of a solve.

    ``status``: "optimal" | "time_limit" | "gap_limit" | "infeasible" | "unbounded" | "error".
    ``objective``: objective value of the best solution found (None without one), constant included.
    ``best_bound``: proven bound on the optimum (None when the solver does not report one). ``gap``:
    relative gap ``|objective - bound| / max(|objective|, 1e-9)``. ``build_seconds`` / ``solve_seconds``:
    wall-clock seconds spent assembling the solver input and inside the solver. ``x``: column values.
    """

    status: str
    objective: float | None
    best_bound: float | None
    gap: float | None
    build_seconds: float
    solve_seconds: float
    solver: str
    x: np.ndarray | None = field(default=None, repr=False)
    message: str = ""

    def values(self, block: VarBlock) -> np.ndarray:
        """Values of ``block``'s variables, shaped like the block."""
        if self.x is None:
            raise ModelError(f"no solution available (status {self.status}) for block {block.name!r}")
        return self.x[block.start : block.start + block.size].reshape(block.shape)

    @property
    def is_feasible(self) -> bool:
        """True when a feasible solution is available (optimal or stopped early with an incumbent)."""
        return self.x is not None and self.status in ("optimal", "time_limit", "gap_limit")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary (no solution vector)."""
        return {
            "status": self.status,
            "objective": _finite_or_none(self.objective),
            "best_bound": _finite_or_none(self.best_bound),
            "gap": _finite_or_none(self.gap),
            "build_seconds": round(self.build_seconds, 6),
            "solve_seconds": round(self.solve_seconds, 6),
            "solver": self.solver,
            "message": self.message,
        }


def _finite_or_none(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """``|objective - bound| / max(|objective|, 1e-9)``, or None when either is missing."""
    if objective is None or bound is None or not math.isfinite(objective) or not math.isfinite(bound):
        return None
    return abs(objective - bound) / max(abs(objective), 1e-9)


@dataclass
class _RowBlock:
    name: str
    start: int
    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


def _cat(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)


class MatrixModel:
    """A linear (mixed-integer) model ``min/max c'x + const  s.t.  L <= A x <= U, lb <= x <= ub``."""

    def __init__(self, name: str, sense: str = "min") -> None:
        if sense not in ("min", "max"):
            raise ModelError(f"model {name!r}: sense must be 'min' or 'max', got {sense!r}")
        self.name = name
        self.sense = sense
        self.blocks: dict[str, VarBlock] = {}
        self._lb: list[np.ndarray] = []
        self._ub: list[np.ndarray] = []
        self._cost: list[np.ndarray] = []
        self._integer: list[np.ndarray] = []
        self._row_blocks: list[_RowBlock] = []
        self._num_vars = 0
        self._num_rows = 0
        self._constant = 0.0
        self._start: dict[str, np.ndarray] = {}

    # ------------------------------------------------------------------ building
    def add_variables(
        self,
        name: str,
        shape: int | tuple[int, ...],
        *,
        lb: Any = 0.0,
        ub: Any = np.inf,
        cost: Any = 0.0,
        integer: bool = False,
    ) -> VarBlock:
        """Add a block of variables of ``shape`` with bounds ``lb``/``ub`` and objective ``cost``.

        ``lb``, ``ub`` and ``cost`` are scalars or arrays broadcastable to ``shape``. A binary block is
        ``integer=True`` with ``ub=1``. Raises :class:`ModelError` on NaN / infinite costs, NaN bounds or
        ``lb > ub``.
        """
        if name in self.blocks:
            raise ModelError(f"model {self.name!r}: variable block {name!r} already exists")
        shp = (int(shape),) if np.isscalar(shape) else tuple(int(s) for s in shape)  # type: ignore[arg-type]
        if any(s < 0 for s in shp):
            raise ModelError(f"variable block {name!r}: negative dimension in shape {shp}")
        size = int(np.prod(shp, dtype=np.int64)) if shp else 1
        arrays = {}
        for label, value in (("lower bound", lb), ("upper bound", ub), ("cost", cost)):
            try:
                arr = np.broadcast_to(np.asarray(value, dtype=np.float64), shp).reshape(-1)
            except ValueError as exc:
                raise ModelError(
                    f"variable block {name!r}: {label} of shape {np.shape(value)} does not broadcast to {shp}"
                ) from exc
            arrays[label] = arr
        lo, hi, c = arrays["lower bound"], arrays["upper bound"], arrays["cost"]
        if np.isnan(lo).any() or np.isnan(hi).any():
            raise ModelError(f"variable block {name!r}: NaN in the variable bounds")
        bad = ~np.isfinite(c)
        if bad.any():
            first = np.unravel_index(int(np.flatnonzero(bad)[0]), shp) if shp else ()
            raise ModelError(f"variable block {name!r}: cost is NaN or infinite at index {tuple(map(int, first))}")
        if (lo > hi).any():
            raise ModelError(f"variable block {name!r}: lower bound above upper bound")
        if (lo == np.inf).any() or (hi == -np.inf).any():
            raise ModelError(f"variable block {name!r}: infinite bound on the wrong side")
        block = VarBlock(name=name, shape=shp, start=self._num_vars, size=size)
        self.blocks[name] = block
        self._lb.append(np.array(lo, dtype=np.float64))
        self._ub.append(np.array(hi, dtype=np.float64))
        self._cost.append(np.array(c, dtype=np.float64))
        self._integer.append(np.full(size, bool(integer)))
        self._num_vars += size
        return block

    def add_constraints(
        self,
        name: str,
        rows: Any,
        cols: Any,
        vals: Any,
        lower: Any,
        upper: Any,
    ) -> range:
        """Add ``k`` rows ``lower[r] <= sum(vals[t] * x[cols[t]] for t with rows[t] == r) <= upper[r]``.

        ``rows`` are local row numbers 0..k-1 with ``k = len(lower)``; ``cols`` are global column indices
        (from :meth:`VarBlock.cols`); duplicate (row, col) entries are summed. ``lower``/``upper`` are arrays of
        length ``k`` (or scalars); use ``-np.inf``/``np.inf`` for one-sided rows. Returns the global row indices.
        """
        r = np.asarray(rows, dtype=np.int64).reshape(-1)
        c = np.asarray(cols, dtype=np.int64).reshape(-1)
        v = np.broadcast_to(np.asarray(vals, dtype=np.float64), r.shape).reshape(-1)
        if r.shape != c.shape:
            raise ModelError(f"constraint block {name!r}: rows ({r.size}) and cols ({c.size}) differ in length")
        lo_in = np.asarray(lower, dtype=np.float64)
        hi_in = np.asarray(upper, dtype=np.float64)
        k = max(lo_in.size if lo_in.ndim else 0, hi_in.size if hi_in.ndim else 0)
        if lo_in.ndim == 0 and hi_in.ndim == 0:
            k = int(r.max()) + 1 if r.size else 0
        lo = np.broadcast_to(lo_in, (k,)).astype(np.float64) if lo_in.ndim == 0 else lo_in.reshape(-1)
        hi = np.broadcast_to(hi_in, (k,)).astype(np.float64) if hi_in.ndim == 0 else hi_in.reshape(-1)
        if lo.size != k or hi.size != k:
            raise ModelError(f"constraint block {name!r}: lower ({lo.size}) and upper ({hi.size}) differ in length")
        if not np.isfinite(v).all():
            bad = int(np.flatnonzero(~np.isfinite(v))[0])
            raise ModelError(f"constraint block {name!r}: coefficient is NaN or infinite (row {int(r[bad])})")
        if np.isnan(lo).any() or np.isnan(hi).any():
            raise ModelError(f"constraint block {name!r}: NaN in the row bounds")
        if (lo > hi).any():
            bad = int(np.flatnonzero(lo > hi)[0])
            raise ModelError(f"constraint block {name!r}: row {bad} has lower bound {lo[bad]} > upper bound {hi[bad]}")
        if (lo == np.inf).any() or (hi == -np.inf).any():
            raise ModelError(f"constraint block {name!r}: infinite row bound on the wrong side")
        if r.size and (r.min() < 0 or r.max() >= k):
            raise ModelError(f"constraint block {name!r}: local row index outside 0..{k - 1}")
        if c.size and (c.min() < 0 or c.max() >= self._num_vars):
            raise ModelError(f"constraint block {name!r}: column index outside 0..{self._num_vars - 1}")
        block = _RowBlock(name, self._num_rows, r, c, v.copy(), lo.copy(), hi.copy())
        self._row_blocks.append(block)
        self._num_rows += k
        return range(block.start, block.start + k)

    def rows_named(self, name: str) -> np.ndarray:
        """Global indices of the rows added under ``name`` (every block of that name, in order)."""
        blocks = [b for b in self._row_blocks if b.name == name]
        if not blocks:
            raise ModelError(f"model {self.name!r} has no constraint block named {name!r}")
        return np.concatenate([np.arange(b.start, b.start + b.lower.size) for b in blocks])

    def add_objective_constant(self, value: float) -> None:
        """Add a constant to the objective (e.g. fixed costs of facilities that are always open)."""
        value = float(value)
        if not math.isfinite(value):
            raise ModelError(f"model {self.name!r}: objective constant is NaN or infinite")
        self._constant += value

    def set_start(self, block: VarBlock, values: Any) -> None:
        """Give a MIP start for ``block`` (values broadcastable to its shape)."""
        arr = np.broadcast_to(np.asarray(values, dtype=np.float64), block.shape).reshape(-1)
        if not np.isfinite(arr).all():
            raise ModelError(f"start values of block {block.name!r} contain NaN or infinity")
        self._start[block.name] = arr.copy()

    @property
    def num_vars(self) -> int:
        """Number of variables (columns)."""
        return self._num_vars

    @property
    def num_rows(self) -> int:
        """Number of constraint rows."""
        return self._num_rows

    @property
    def objective_constant(self) -> float:
        """Constant term of the objective."""
        return self._constant

    # ------------------------------------------------------------------ arrays
    def arrays(self) -> dict[str, Any]:
        """The model as arrays: ``A`` (CSC), ``row_lower``, ``row_upper``, ``lb``, ``ub``, ``cost``, ``integer``."""
        n, m = self._num_vars, self._num_rows
        if self._row_blocks:
            rows = np.concatenate([b.rows + b.start for b in self._row_blocks])
            cols = np.concatenate([b.cols for b in self._row_blocks])
            vals = np.concatenate([b.vals for b in self._row_blocks])
            lo = np.concatenate([b.lower for b in self._row_blocks])
            hi = np.concatenate([b.upper for b in self._row_blocks])
        else:
            rows = cols = np.zeros(0, dtype=np.int64)
            vals = lo = hi = np.zeros(0)
        a = sp.csc_matrix((vals, (rows, cols)), shape=(m, n))
        a.sum_duplicates()
        a.eliminate_zeros()
        return {
            "A": a,
            "row_lower": lo,
            "row_upper": hi,
            "lb": _cat(self._lb, np.float64),
            "ub": _cat(self._ub, np.float64),
            "cost": _cat(self._cost, np.float64),
            "integer": _cat(self._integer, bool),
        }

    def _start_vector(self) -> tuple[np.ndarray, np.ndarray] | None:
        if not self._start:
            return None
        idx, val = [], []
        for name, values in self._start.items():
            block = self.blocks[name]
            idx.append(np.arange(block.start, block.start + block.size, dtype=np.int32))
            val.append(values)
        return np.concatenate(idx), np.concatenate(val)

    # ------------------------------------------------------------------ solving
    def solve(self, options: SolverOptions | None = None) -> SolveResult:
        """Solve with the solver named in ``options`` (HiGHS by default) and return a :class:`SolveResult`."""
        options = options or SolverOptions()
        if options.mip_gap < 0 or not math.isfinite(options.mip_gap):
            raise ModelError(f"mip_gap must be a finite number >= 0, got {options.mip_gap}")
        if options.time_limit_s is not None and options.time_limit_s <= 0:
            raise ModelError(f"time limit must be positive, got {options.time_limit_s} s")
        if options.solver.lower() == "highs":
            return self._solve_highs(options)
        return self._solve_pulp(options)

    def _solve_highs(self, options: SolverOptions, *, presolve: bool = True) -> SolveResult:
        import highspy

        t0 = time.perf_counter()
        arr = self.arrays()
        a: sp.csc_matrix = arr["A"]
        n, m = self._num_vars, self._num_rows
        h = highspy.Highs()
        h.setOptionValue("output_flag", bool(options.verbose or options.log_path))
        h.setOptionValue("log_to_console", bool(options.verbose))
        if options.log_path:
            h.setOptionValue("log_file", str(options.log_path))
        if options.time_limit_s is not None:
            h.setOptionValue("time_limit", float(options.time_limit_s))
        h.setOptionValue("mip_rel_gap", float(options.mip_gap))
        h.setOptionValue("mip_abs_gap", 1e-9)
        if not presolve:
            h.setOptionValue("presolve", "off")
        if options.threads is not None:
            # HiGHS keeps one task scheduler per process, sized by the first solve; a solve asking for a
            # different thread count must reset it first or HiGHS refuses to run.
            highspy.Highs.resetGlobalScheduler(True)
            h.setOptionValue("threads", int(options.threads))
        inf = highspy.kHighsInf
        is_mip = bool(arr["integer"].any())
        integrality = arr["integer"].astype(np.int32)
        sense = highspy.ObjSense.kMaximize if self.sense == "max" else highspy.ObjSense.kMinimize
        status = h.passModel(
            n,
            m,
            int(a.nnz),
            int(highspy.MatrixFormat.kColwise.value),
            int(sense.value),
            float(self._constant),
            arr["cost"],
            np.clip(arr["lb"], -inf, inf),
            np.clip(arr["ub"], -inf, inf),
            np.clip(arr["row_lower"], -inf, inf),
            np.clip(arr["row_upper"], -inf, inf),
            a.indptr.astype(np.int32),
            a.indices.astype(np.int32),
            a.data.astype(np.float64),
            integrality,
        )
        if status == highspy.HighsStatus.kError:
            return SolveResult("error", None, None, None, time.perf_counter() - t0, 0.0, "highs",
                               message="HiGHS rejected the model")
        start = self._start_vector()
        if start is not None and is_mip:
            h.setSolution(int(start[0].size), start[0], start[1])
        build = time.perf_counter() - t0
        t1 = time.perf_counter()
        h.run()
        solve_s = time.perf_counter() - t1
        ms = h.getModelStatus()
        info = h.getInfo()
        has_solution = int(info.primal_solution_status) == 2
        objective = float(info.objective_function_value) if has_solution else None
        x = np.array(h.getSolution().col_value, dtype=np.float64) if has_solution else None
        if is_mip:
            bound = float(info.mip_dual_bound)
            bound = bound if math.isfinite(bound) and abs(bound) < 1e300 else None
        else:
            bound = objective if ms == highspy.HighsModelStatus.kOptimal else None
        if is_mip and x is not None and objective is not None and presolve:
            # The column values must give the reported objective. highspy 1.16.0 was seen returning a
            # postsolved solution worth more than the objective it reported as optimal (a presolve defect);
            # solving again without presolve gives a consistent answer.
            recomputed = float(arr["cost"] @ x) + self._constant
            if abs(recomputed - objective) > 1e-6 * max(1.0, abs(objective)):
                again = self._solve_highs(options, presolve=False)
                again.build_seconds += build
                again.solve_seconds += solve_s
                again.message = (f"{again.message} (solved again without presolve: HiGHS reported objective "
                                 f"{objective:.10g} for columns worth {recomputed:.10g})")
                return again
        gap = relative_gap(objective, bound)
        msg = h.modelStatusToString(ms)
        st = self._highs_status(ms, has_solution, gap, highspy)
        return SolveResult(st, objective, bound, gap, build, solve_s, "highs", x, msg)

    @staticmethod
    def _highs_status(ms: Any, has_solution: bool, gap: float | None, highspy: Any) -> str:
        s = highspy.HighsModelStatus
        if ms == s.kOptimal:
            return "optimal" if gap is None or gap <= OPTIMAL_GAP else "gap_limit"
        if ms == s.kInfeasible:
            return "infeasible"
        if ms in (s.kUnbounded, s.kUnboundedOrInfeasible):
            return "unbounded"
        if ms in (s.kTimeLimit, s.kIterationLimit, s.kSolutionLimit, s.kInterrupt, s.kObjectiveBound,
                  s.kObjectiveTarget, s.kHighsInterrupt, s.kMemoryLimit, s.kUnknown):
            return "time_limit" if has_solution or ms == s.kTimeLimit else "error"
        return "error"

    # ------------------------------------------------------------------ PuLP
    def to_pulp(self) -> pulp.LpProblem:
        """The same model as a ``pulp.LpProblem`` (variables ``block[i_j]`` in column order).

        The variables in column order are available as ``problem._matrix_vars`` for reading solutions back.
        Ranged rows become two constraints ``name_lo`` / ``name_hi``; equal bounds become an equality.
        """
        arr = self.arrays()
        sense = pulp.LpMaximize if self.sense == "max" else pulp.LpMinimize
        prob = pulp.LpProblem(re.sub(r"\W", "_", self.name) or "model", sense)
        variables: list[pulp.LpVariable] = []
        lb, ub, integer = arr["lb"], arr["ub"], arr["integer"]
        for block in self.blocks.values():
            for flat, idx in enumerate(np.ndindex(*block.shape) if block.shape else [()]):
                col = block.start + flat
                label = "_".join(str(i) for i in idx)
                cat = pulp.LpInteger if integer[col] else pulp.LpContinuous
                lo = None if lb[col] == -np.inf else float(lb[col])
                hi = None if ub[col] == np.inf else float(ub[col])
                if cat == pulp.LpInteger and lo == 0.0 and hi == 1.0:
                    cat = pulp.LpBinary
                variables.append(prob.add_variable(f"{block.name}[{label}]", lo, hi, cat=cat))
        cost = arr["cost"]
        nz = np.flatnonzero(cost)
        objective = pulp.LpAffineExpression([(variables[j], float(cost[j])) for j in nz], constant=self._constant)
        prob.setObjective(objective)
        csr = arr["A"].tocsr()
        row_names = self._row_names()
        lo_all, hi_all = arr["row_lower"], arr["row_upper"]
        for i in range(self._num_rows):
            s, e = csr.indptr[i], csr.indptr[i + 1]
            expr = pulp.LpAffineExpression(
                [(variables[j], float(v)) for j, v in zip(csr.indices[s:e], csr.data[s:e], strict=True)]
            )
            lo, hi, rname = float(lo_all[i]), float(hi_all[i]), row_names[i]
            if lo == hi:
                prob.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintEQ, rhs=lo), rname)
                continue
            if math.isfinite(lo) and math.isfinite(hi):
                prob.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintGE, rhs=lo), rname + "_lo")
                prob.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintLE, rhs=hi), rname + "_hi")
            elif math.isfinite(lo):
                prob.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintGE, rhs=lo), rname)
            elif math.isfinite(hi):
                prob.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintLE, rhs=hi), rname)
        prob._matrix_vars = variables  # type: ignore[attr-defined]
        return prob

    def _row_names(self) -> list[str]:
        names: list[str] = []
        for block in self._row_blocks:
            base = re.sub(r"\W", "_", block.name)
            names.extend(f"{base}_{k}" for k in range(block.lower.size))
        return names

    def _solve_pulp(self, options: SolverOptions) -> SolveResult:
        t0 = time.perf_counter()
        prob = self.to_pulp()
        variables: list[pulp.LpVariable] = prob._matrix_vars  # type: ignore[attr-defined]
        start = self._start_vector()
        if start is not None:
            for j, v in zip(start[0], start[1], strict=True):
                variables[int(j)].setInitialValue(float(v))
        name = options.solver
        own_log = options.log_path is None and name.lower() == "cbc"
        log_path = options.log_path
        if own_log:
            fd, log_path = tempfile.mkstemp(prefix="planner_cbc_", suffix=".log")
            os.close(fd)
        try:
            solver = self._pulp_solver(options, log_path, start is not None)
            build = time.perf_counter() - t0
            t1 = time.perf_counter()
            try:
                prob.solve(solver)
            except pulp.PulpSolverError as exc:
                return SolveResult("error", None, None, None, build, time.perf_counter() - t1, name.lower(),
                                   message=str(exc))
            solve_s = time.perf_counter() - t1
            log_text = ""
            if log_path and os.path.exists(log_path):
                with open(log_path, encoding="utf-8", errors="replace") as fh:
                    log_text = fh.read()
        finally:
            if own_log and log_path and os.path.exists(log_path):
                os.unlink(log_path)
        return self._pulp_result(prob, variables, options, log_text, build, solve_s)

    @staticmethod
    def _pulp_solver(options: SolverOptions, log_path: str | None, warm: bool) -> Any:
        name = options.solver
        if name.lower() == "cbc" or name == "PULP_CBC_CMD":
            with warnings.catch_warnings():
                # PuLP 3.x flags its bundled CBC for removal in 4.0; it is still the documented route here
                warnings.simplefilter("ignore", DeprecationWarning)
                return pulp.PULP_CBC_CMD(
                    msg=options.verbose,
                    timeLimit=options.time_limit_s,
                    gapRel=options.mip_gap,
                    gapAbs=1e-9,
                    threads=options.threads,
                    warmStart=warm,
                    logPath=log_path,
                )
        kwargs: dict[str, Any] = {"msg": options.verbose, "gapRel": options.mip_gap}
        if options.time_limit_s is not None:
            kwargs["timeLimit"] = options.time_limit_s
        if options.threads is not None:
            kwargs["threads"] = options.threads
        try:
            return pulp.getSolver(name, **kwargs)
        except pulp.PulpSolverError as exc:
            raise ModelError(f"unknown solver {name!r}; use 'highs', 'cbc' or one of {pulp.listSolvers()}") from exc

    def _pulp_result(
        self,
        prob: pulp.LpProblem,
        variables: Sequence[pulp.LpVariable],
        options: SolverOptions,
        log_text: str,
        build: float,
        solve_s: float,
    ) -> SolveResult:
        solver = options.solver.lower()
        sol_status = prob.sol_status
        status_code = prob.status
        if status_code == pulp.LpStatusInfeasible or sol_status == pulp.LpSolutionInfeasible:
            return SolveResult("infeasible", None, None, None, build, solve_s, solver, message="infeasible")
        if status_code == pulp.LpStatusUnbounded or sol_status == pulp.LpSolutionUnbounded:
            return SolveResult("unbounded", None, None, None, build, solve_s, solver, message="unbounded")
        has_solution = sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
        if not has_solution:
            limit_hit = "time limit" in log_text.lower() or "stopped on time" in log_text.lower()
            st = "time_limit" if limit_hit else "error"
            return SolveResult(st, None, None, None, build, solve_s, solver, message=pulp.LpStatus[status_code])
        x = np.array([v.varValue if v.varValue is not None else 0.0 for v in variables], dtype=np.float64)
        objective = float(pulp.value(prob.objective)) if prob.objective is not None else self._constant
        bound = _cbc_bound(log_text, self.sense, objective) if log_text else None
        is_mip = any(v.cat != pulp.LpContinuous for v in variables)
        if sol_status == pulp.LpSolutionOptimal:
            if bound is None and (not is_mip or options.mip_gap <= OPTIMAL_GAP):
                bound = objective
            gap = relative_gap(objective, bound)
            st = "optimal" if gap is None or gap <= OPTIMAL_GAP else "gap_limit"
        else:
            gap = relative_gap(objective, bound)
            st = "gap_limit" if gap is not None and gap <= max(options.mip_gap, OPTIMAL_GAP) else "time_limit"
        return SolveResult(st, objective, bound, gap, build, solve_s, solver, x, pulp.LpStatus[status_code])


def _cbc_bound(log_text: str, sense: str, objective: float) -> float | None:
    """Best bound from a CBC log (the "Lower bound:" line of CBC's final summary), None if absent.

    CBC minimises internally (a maximisation is run as ``-max``), so the sign of the printed bound is
    checked against the incumbent: a bound must not be better than what the incumbent allows to prove.
    """
    found = re.findall(r"^Lower bound:\s*([-+0-9.eE]+)", log_text, flags=re.MULTILINE)
    if not found:
        return None
    try:
        value = float(found[-1])
    except ValueError:
        return None
    tol = 1e-6 * max(1.0, abs(objective))
    for candidate in (value, -value):
        if (sense == "min" and candidate <= objective + tol) or (sense == "max" and candidate >= objective - tol):
            return candidate
    return None
