"""Readers for J. E. Beasley's OR-Library facility-location benchmark files: they turn a file into the
arrays the location models of :mod:`planner.model.location` take (``planner orlib``, tests, bench/).

* ``cap`` files (capacitated warehouse location): ``m n``; ``m`` blocks ``capacity fixed_cost``; then per
  customer ``demand`` followed by ``m`` allocation costs (the cost of serving ALL of that customer's demand
  from each site). Line breaks are arbitrary (files wrap long blocks), so the file is parsed as a token
  stream. In capa/capb/capc the capacity field is the literal word ``capacity``: the capacity is a
  parameter of the instance and must be supplied (``capacity=...``).
* ``pmed`` files (p-median): ``n edges p``; then ``edges`` lines ``i j length`` (1-based nodes) of an
  undirected graph. Distances are all-pairs shortest paths; when an edge is listed more than once the LAST
  listing counts. Every node is a customer (weight 1) and a candidate site.
* ``bounds.txt``: ``name lower upper`` per line (equal = proven optimum).

Units are those of the files: costs in the instance's currency, demands/capacities in its unit. A header
whose matrix would exceed :data:`MAX_MATRIX_CELLS` entries is refused before anything is allocated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from planner.errors import DataError

__all__ = ["MAX_MATRIX_CELLS", "CapInstance", "PMedInstance", "find_bounds", "read_bounds", "read_cap",
           "read_orlib", "read_pmed", "write_pmed"]

#: The largest cost or distance matrix a file may declare (25 million entries, 200 MB as float64; the
#: largest OR-Library instances have under a million).
MAX_MATRIX_CELLS = 25_000_000


def _check_size(path: Path, rows: int, columns: int, what: str) -> None:
    if rows * columns > MAX_MATRIX_CELLS:
        size = " x ".join(f"{v:,}" if v < 10**12 else f"{float(v):.3g}" for v in (rows, columns))
        raise DataError(f"{path}, line 1: the header declares {size} {what}, more than the "
                        f"{MAX_MATRIX_CELLS:,} entries this reader accepts")


@dataclass
class CapInstance:
    """A capacitated warehouse-location instance: ``cost[customer, site]`` serves the whole demand."""

    name: str
    capacity: np.ndarray  # (m,) demand units
    fixed_cost: np.ndarray  # (m,) currency
    demand: np.ndarray  # (n,) demand units
    cost: np.ndarray  # (n, m) currency for the customer's whole demand

    @property
    def num_sites(self) -> int:
        return int(self.capacity.size)

    @property
    def num_customers(self) -> int:
        return int(self.demand.size)


@dataclass
class PMedInstance:
    """A p-median instance: ``distance[i, j]`` all-pairs shortest path lengths, ``p`` sites to open."""

    name: str
    p: int
    distance: np.ndarray  # (n, n) path lengths


def _tokens(path: Path) -> list[tuple[str, int]]:
    try:
        text = path.read_text(encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not a text file ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    out: list[tuple[str, int]] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        out.extend((tok, lineno) for tok in line.split())
    return out


class _Stream:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.toks = _tokens(path)
        self.pos = 0

    def _line(self) -> int:
        if self.pos < len(self.toks):
            return self.toks[self.pos][1]
        return self.toks[-1][1] if self.toks else 1

    def number(self, what: str, allow_word: str | None = None) -> float | None:
        if self.pos >= len(self.toks):
            raise DataError(f"{self.path}, line {self._line()}: file ends early, expected {what}")
        tok, line = self.toks[self.pos]
        self.pos += 1
        if allow_word is not None and tok.lower() == allow_word:
            return None
        try:
            value = float(tok)
        except ValueError:
            raise DataError(f"{self.path}, line {line}: expected {what} (a number), found {tok!r}") from None
        if not np.isfinite(value):
            raise DataError(f"{self.path}, line {line}: {what} is not finite ({tok!r})")
        return value

    def integer(self, what: str, minimum: int = 0) -> int:
        line = self._line()
        value = self.number(what)
        assert value is not None
        if value != int(value) or value < minimum:
            raise DataError(f"{self.path}, line {line}: {what} must be an integer >= {minimum}, found {value:g}")
        return int(value)

    def end(self) -> None:
        if self.pos < len(self.toks):
            tok, line = self.toks[self.pos]
            raise DataError(f"{self.path}, line {line}: unexpected extra data {tok!r} after the instance")


def read_cap(path: str | Path, capacity: float | None = None) -> CapInstance:
    """Read an OR-Library ``cap`` file.

    ``capacity`` (demand units) replaces every site's capacity; it is required when the file has the word
    ``capacity`` in place of the numbers (capa/capb/capc). Raises :class:`DataError` naming file and line.
    """
    path = Path(path)
    s = _Stream(path)
    m = s.integer("number of sites", 1)
    n = s.integer("number of customers", 1)
    _check_size(path, n, m, "customers x sites")
    caps = np.empty(m)
    fixed = np.empty(m)
    word_seen = False
    for j in range(m):
        line = s._line()
        c = s.number(f"capacity of site {j + 1}", allow_word="capacity")
        if c is None:
            word_seen = True
            if capacity is None:
                raise DataError(
                    f"{path}, line {line}: the capacity is a parameter of this instance "
                    "(the word 'capacity'); give it with --capacity"
                )
            c = float(capacity)
        caps[j] = c
        f = s.number(f"fixed cost of site {j + 1}")
        assert f is not None
        fixed[j] = f
    if capacity is not None:
        caps[:] = float(capacity)
    demand = np.empty(n)
    cost = np.empty((n, m))
    for i in range(n):
        line = s._line()
        dv = s.number(f"demand of customer {i + 1}")
        assert dv is not None
        if dv < 0:
            raise DataError(f"{path}, line {line}: demand of customer {i + 1} is negative ({dv:g})")
        demand[i] = dv
        for j in range(m):
            v = s.number(f"cost of customer {i + 1} at site {j + 1}")
            assert v is not None
            cost[i, j] = v
    s.end()
    if (caps < 0).any() or (fixed < 0).any():
        raise DataError(f"{path}: negative capacity or fixed cost")
    del word_seen
    return CapInstance(path.stem, caps, fixed, demand, cost)


def read_pmed(path: str | Path) -> PMedInstance:
    """Read an OR-Library ``pmed`` file and compute all-pairs shortest paths (scipy.sparse.csgraph).

    Where an edge ``{i, j}`` is listed more than once the last listing's length is used.
    """
    import scipy.sparse as sp
    from scipy.sparse.csgraph import shortest_path

    path = Path(path)
    s = _Stream(path)
    n = s.integer("number of nodes", 1)
    e = s.integer("number of edges", 0)
    p = s.integer("p", 1)
    _check_size(path, n, n, "nodes x nodes")
    if p > n:
        raise DataError(f"{path}, line 1: p = {p} exceeds the {n} nodes")
    lengths: dict[tuple[int, int], float] = {}
    for k in range(e):
        line = s._line()
        i = s.integer(f"edge {k + 1} first node", 1)
        j = s.integer(f"edge {k + 1} second node", 1)
        length = s.number(f"edge {k + 1} length")
        assert length is not None
        if i > n or j > n:
            raise DataError(f"{path}, line {line}: edge {k + 1} node {max(i, j)} exceeds n = {n}")
        if length < 0:
            raise DataError(f"{path}, line {line}: edge {k + 1} has negative length {length:g}")
        key = (min(i, j) - 1, max(i, j) - 1)
        lengths.pop(key, None)  # last listing wins
        lengths[key] = length
    s.end()
    if lengths:
        keys = np.array(list(lengths.keys()), dtype=np.int64)
        vals = np.array(list(lengths.values()))
        self_loop = keys[:, 0] == keys[:, 1]
        keys, vals = keys[~self_loop], vals[~self_loop]
        # zero-length edges must survive in the sparse graph: store them as a tiny positive then fix up
        zero = vals == 0
        store = np.where(zero, 1e-300, vals)
        g = sp.coo_matrix((store, (keys[:, 0], keys[:, 1])), shape=(n, n)).tocsr()
        dist = shortest_path(g, method="D", directed=False)
        if zero.any():
            dist = np.where(dist < 1e-200, 0.0, dist)
    else:
        dist = np.full((n, n), np.inf)
        np.fill_diagonal(dist, 0.0)
    return PMedInstance(path.stem, p, dist)


def write_pmed(path: str | Path, n: int, edges: Any, p: int) -> Path:
    """Write an undirected graph as an OR-Library ``pmed`` file (atomically); returns the path.

    ``edges``: rows ``(i, j, length)`` with 1-based nodes ``i, j`` in ``1..n`` and a finite length >= 0.
    Raises :class:`DataError` on a row that :func:`read_pmed` would reject.
    """
    from planner.atomic import atomic_path

    path = Path(path)
    rows = np.asarray(edges, dtype=np.float64).reshape(-1, 3)
    if n < 1 or not 1 <= p <= n:
        raise DataError(f"{path}: need n >= 1 and 1 <= p <= n, got n = {n}, p = {p}")
    nodes = rows[:, :2]
    bad = np.flatnonzero((nodes < 1).any(axis=1) | (nodes > n).any(axis=1) | (nodes != np.round(nodes)).any(axis=1)
                         | ~np.isfinite(rows[:, 2]) | (rows[:, 2] < 0))
    if bad.size:
        k = int(bad[0])
        raise DataError(f"{path}: edge {k + 1} ({rows[k, 0]:g}, {rows[k, 1]:g}, {rows[k, 2]:g}) needs nodes in 1..{n} "
                        "and a finite length >= 0")
    lines = [f"{n} {rows.shape[0]} {p}"]
    lines.extend(f"{int(i)} {int(j)} {length:g}" for i, j, length in rows)
    with atomic_path(path) as tmp:
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_orlib(path: str | Path, capacity: float | None = None) -> CapInstance | PMedInstance:
    """Read a cap or pmed file, recognised by the file name (``cap*`` / ``pmed*``) or else by its header."""
    path = Path(path)
    stem = path.stem.lower()
    if stem.startswith("pmed"):
        return read_pmed(path)
    if stem.startswith("cap"):
        return read_cap(path, capacity)
    if not path.exists():
        raise DataError(f"{path}: file not found")
    first = path.read_text(encoding="utf-8", errors="replace").split("\n", 1)[0].split()
    if len(first) == 3:
        return read_pmed(path)
    if len(first) == 2:
        return read_cap(path, capacity)
    raise DataError(f"{path}, line 1: cannot tell a cap file ('m n') from a pmed file ('n edges p')")


_BOUND_LINE = re.compile(r"^\s*(\S+)\s+(\S+)\s+(\S+)\s*$")


def read_bounds(path: str | Path) -> dict[str, tuple[float, float]]:
    """Read ``bounds.txt``: ``{name: (lower, upper)}``; blank and ``#`` lines are skipped."""
    path = Path(path)
    out: dict[str, tuple[float, float]] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    for lineno, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _BOUND_LINE.match(line)
        if not match:
            raise DataError(f"{path}, line {lineno}: expected 'name lower upper'")
        try:
            out[match.group(1)] = (float(match.group(2)), float(match.group(3)))
        except ValueError:
            raise DataError(f"{path}, line {lineno}: bounds must be numbers") from None
    return out


def bounds_key(path: str | Path, capacity: float | None = None) -> str:
    """The bounds.txt key of an instance file: ``cap41``, ``pmed1``, ``capa_10000``...

    capa/capb/capc are keyed by their (common) site capacity: ``capacity`` if given, else read from the file.
    """
    stem = Path(path).stem
    if re.fullmatch(r"cap[abc]", stem.lower()):
        if capacity is None:
            caps = read_cap(path).capacity
            if caps.size and np.all(caps == caps[0]):
                capacity = float(caps[0])
        if capacity is not None:
            return f"{stem}_{capacity:g}"
    return stem


def find_bounds(path: str | Path) -> Path | None:
    """bounds.txt next to the instance, else ``../shared/orlib/bounds.txt`` from the working directory."""
    here = Path(path).resolve().parent / "bounds.txt"
    if here.is_file():
        return here
    shared = Path.cwd().parent / "shared" / "orlib" / "bounds.txt"
    return shared if shared.is_file() else None
