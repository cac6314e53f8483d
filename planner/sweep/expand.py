"""Expanding a sweep into members: one scenario mapping per combination of the varied inputs.

Order (deterministic): disruption sets (outer) x grid points (in file order, cartesian) x Monte Carlo
draws (inner). Each member's scenario mapping is the base scenario with, in order: ``solver.threads: 1``
(one solver thread per task), the ``set`` overrides, the grid values, the Monte Carlo multipliers
(applied to the value after the grid) and the disruption set (added to the base's disruption lists,
with the overrides of an explicit set last).

A member's id is a hash of its varied inputs, so it is stable across runs and independent of its
position; its ``scenario_sha`` hashes the whole scenario mapping, so a changed base scenario is noticed
when resuming.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from planner.scenario.overrides import parse_path, set_path
from planner.sweep.spec import LoadedSweep, LogNormal, MonteCarloSpec, Normal, Uniform

__all__ = ["Member", "draw_multipliers", "expand_sweep", "set_path"]


@dataclass(frozen=True)
class Member:
    """One run of a sweep: its id, position, varied inputs and the full scenario mapping to solve."""

    id: str
    index: int
    varied: dict[str, Any]
    scenario: dict[str, Any] = field(repr=False)
    scenario_sha: str = field(repr=False)

    @property
    def label(self) -> str:
        """A short human-readable description of the varied inputs."""
        return ", ".join(f"{k}={_short(v)}" for k, v in self.varied.items()) or "base"


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _get_path(data: dict[str, Any], path: str, default: Any) -> Any:
    node: Any = data
    for key in parse_path(path):
        if isinstance(key, int):
            if not isinstance(node, list) or key >= len(node):
                return default
            node = node[key]
        else:
            if not isinstance(node, dict) or key not in node or node[key] is None:
                return default
            node = node[key]
    return node


def _draw(spec: LogNormal | Uniform | Normal, rng: np.random.Generator) -> float:
    if isinstance(spec, LogNormal):
        return float(spec.median * np.exp(spec.sigma * rng.standard_normal()))
    if isinstance(spec, Uniform):
        return float(rng.uniform(spec.low, spec.high))
    return float(max(0.0, spec.mean + spec.sd * rng.standard_normal()))


def draw_multipliers(mc: MonteCarloSpec, draw: int, product_ids: list[str]) -> dict[str, float]:
    """The multipliers of Monte Carlo draw ``draw`` (0-based): ``demand.scale``, ``product:<id>``, ``supply.scale``.

    The generator is seeded with ``(seed, draw)``; values are drawn in a fixed order (demand, then each
    product in the base scenario's order, then supply) so a draw is reproducible on any machine.
    """
    rng = np.random.default_rng([mc.seed, draw])
    out: dict[str, float] = {}
    if mc.demand_scale is not None:
        out["demand.scale"] = _draw(mc.demand_scale, rng)
    for product in product_ids:
        spec = mc.products.get(product, mc.product_demand_scale)
        if spec is not None:
            out[f"product:{product}"] = _draw(spec, rng)
    if mc.supply_scale is not None:
        out["supply.scale"] = _draw(mc.supply_scale, rng)
    return out


def _apply_multipliers(scenario: dict[str, Any], multipliers: dict[str, float]) -> None:
    products = scenario.get("products") or []
    for key, factor in multipliers.items():
        if key.startswith("product:"):
            product = key.removeprefix("product:")
            for spec in products:
                if isinstance(spec, dict) and spec.get("id") == product:
                    spec["demand_scale"] = float(spec.get("demand_scale", 1.0)) * factor
        else:
            set_path(scenario, key, float(_get_path(scenario, key, 1.0)) * factor)


def _apply_disruption(scenario: dict[str, Any], fields: dict[str, Any]) -> None:
    current = scenario.get("disruptions") or {}
    merged = dict(current)
    for name, values in fields.items():
        if name != "set":
            merged[name] = list(dict.fromkeys([*(current.get(name) or []), *values]))
    scenario["disruptions"] = merged
    for path, value in (fields.get("set") or {}).items():
        set_path(scenario, path, copy.deepcopy(value))


def expand_sweep(loaded: LoadedSweep) -> list[Member]:
    """The members of a sweep, in the deterministic order described in the module docstring."""
    sweep = loaded.sweep
    base = copy.deepcopy(loaded.base)
    set_path(base, "solver.threads", 1)
    for path, value in sweep.set.items():
        set_path(base, path, value)
    disruption_sets = sweep.disruptions.expand() if sweep.disruptions is not None else [(None, {})]
    grid_paths = list(sweep.grid)
    grid_points = list(itertools.product(*(sweep.grid[p] for p in grid_paths)))
    product_ids = [str(p.get("id")) for p in base.get("products") or [] if isinstance(p, dict)]
    mc = sweep.monte_carlo
    draws = range(mc.draws) if mc is not None else [None]
    multipliers = {k: draw_multipliers(mc, k, product_ids) for k in draws if mc is not None and k is not None}
    members = []
    for disruption, fields in disruption_sets:
        for point in grid_points:
            for draw in draws:
                scenario = copy.deepcopy(base)
                varied: dict[str, Any] = {}
                if disruption is not None:
                    varied["disruption"] = disruption
                for path, value in zip(grid_paths, point, strict=True):
                    set_path(scenario, path, copy.deepcopy(value))
                    varied[path] = value
                if draw is not None:
                    varied["mc.draw"] = draw
                    for key, factor in multipliers[draw].items():
                        varied[f"mc.{key}"] = factor
                    _apply_multipliers(scenario, multipliers[draw])
                _apply_disruption(scenario, fields)
                member_id = hashlib.sha256(_canonical(varied).encode()).hexdigest()[:12]
                sha = hashlib.sha256(_canonical(scenario).encode()).hexdigest()
                members.append(Member(member_id, len(members), varied, scenario, sha))
    return members
