"""The sweep file schema (YAML, validated with pydantic) and its loader.

A sweep file names a base scenario and what varies around it::

    name: gansu_backbone_bases            # names the output folder outputs/sweeps/<name>/
    title: Gansu backbone bases, 1-3 bases x lost-sale penalty
    base: ../scenarios/gansu_backbone_cold_chain.yaml   # relative to the sweep file
    set:                                  # overrides applied to every member (dotted paths)
      solver.time_limit_s: 60
    grid:                                 # cartesian product of these values
      tiers[1].max_open: [1, 2, 3]
      policy.unmet_penalty_cny_per_t: [50000, 100000]
    monte_carlo:                          # seeded random demand multipliers
      draws: 10
      seed: 7
      demand_scale: {distribution: lognormal, sigma: 0.15}
      product_demand_scale: {distribution: uniform, low: 0.8, high: 1.2}
    disruptions:                          # disruption sets, added to the base's disruptions
      baseline: true
      each_border_port: [khorgas, alashankou]
      each_corridor: [new_eurasian_land_bridge]
      sets:
        - {name: both_kazakh_ports, border_ports: [khorgas, alashankou]}
        - name: khorgas_rerouted          # a set may carry overrides that go with the closure
          border_ports: [khorgas]
          set:                            # (block style: YAML flow mappings reject [ in keys)
            demand.gateways[2].node: alashankou

Every problem is reported with file, line and field (:class:`SweepError`, like scenario files). A sweep
has at most :data:`MAX_MEMBERS` members (disruption sets x grid points x draws), checked before they are
expanded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from planner.filespec import (
    FileModel,
    FileProblemsError,
    Problem,
    field_path,
    read_yaml_mapping,
    schema_problems,
    yaml_line,
)
from planner.scenario.load import ScenarioError, check_scenario, read_scenario_dict
from planner.scenario.overrides import check_path, parse_path
from planner.scenario.schema import Scenario

__all__ = [
    "MAX_MEMBERS",
    "DisruptionSet",
    "DisruptionSweep",
    "Distribution",
    "LoadedSweep",
    "MonteCarloSpec",
    "Sweep",
    "SweepError",
    "check_sweep",
    "load_sweep",
    "parse_path",
]

#: The most members a sweep may have (each one a solve; split a larger study into several sweeps).
MAX_MEMBERS = 100_000

_SLUG = re.compile(r"[a-z0-9][a-z0-9_\-]*")


class _SweepModel(FileModel):
    """The sweep's schema classes: as strict as a scenario's (``draws: true`` or ``"10"`` is an error, not
    1 or 10 draws)."""


class LogNormal(_SweepModel):
    """Multiplier ``median * exp(sigma * z)``, ``z`` standard normal (``median`` 1: half the draws above 1)."""

    distribution: Literal["lognormal"]
    sigma: Annotated[float, Field(ge=0, le=3, allow_inf_nan=False)]
    median: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 1.0


class Uniform(_SweepModel):
    """Multiplier drawn uniformly from ``[low, high]``."""

    distribution: Literal["uniform"]
    low: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    high: Annotated[float, Field(ge=0, allow_inf_nan=False)]

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise ValueError(f"high {self.high} < low {self.low}")
        return self


class Normal(_SweepModel):
    """Multiplier ``mean + sd * z``, cut at 0 (a negative draw becomes 0)."""

    distribution: Literal["normal"]
    mean: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 1.0
    sd: Annotated[float, Field(ge=0, allow_inf_nan=False)]


Distribution = Annotated[LogNormal | Uniform | Normal, Field(discriminator="distribution")]


class MonteCarloSpec(_SweepModel):
    """``draws`` seeded random demand draws.

    ``demand_scale`` multiplies ``demand.scale``; ``product_demand_scale`` multiplies every product's
    ``demand_scale`` with an independent draw per product; ``products`` gives a product its own
    distribution instead; ``supply_scale`` multiplies ``supply.scale``. Draw ``k`` is generated from
    ``(seed, k)`` alone, so it is the same in every grid point and disruption set (common random
    numbers) and adding draws leaves the earlier ones unchanged.
    """

    draws: int = Field(ge=1, le=100_000)
    seed: int = Field(0, ge=0)
    demand_scale: Distribution | None = None
    product_demand_scale: Distribution | None = None
    products: dict[str, Distribution] = Field(default_factory=dict)
    supply_scale: Distribution | None = None

    @model_validator(mode="after")
    def _something(self) -> MonteCarloSpec:
        if not (self.demand_scale or self.product_demand_scale or self.products or self.supply_scale):
            raise ValueError("give at least one of demand_scale, product_demand_scale, products, supply_scale")
        return self


class DisruptionSet(_SweepModel):
    """An explicit disruption set (added to the base scenario's disruptions).

    ``set`` gives overrides (dotted paths) that go with the disruption, e.g. re-routing a closed port's
    exports to another port: ``demand.gateways[2].node: alashankou``.
    """

    name: str
    nodes: list[str] = Field(default_factory=list)
    routes: list[str] = Field(default_factory=list)
    corridors: list[str] = Field(default_factory=list)
    border_ports: list[str] = Field(default_factory=list)
    set: dict[str, Any] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG.fullmatch(value):
            raise ValueError("name must be lowercase letters, digits, _ or -")
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> DisruptionSet:
        if not (self.nodes or self.routes or self.corridors or self.border_ports or self.set):
            raise ValueError("a disruption set closes at least one node, route, corridor or border port, or sets overrides")
        return self


class DisruptionSweep(_SweepModel):
    """Disruption sets: the baseline (nothing more closed), each element closed in turn, explicit sets."""

    baseline: bool = True
    each_border_port: list[str] = Field(default_factory=list)
    each_corridor: list[str] = Field(default_factory=list)
    each_node: list[str] = Field(default_factory=list)
    each_route: list[str] = Field(default_factory=list)
    sets: list[DisruptionSet] = Field(default_factory=list)

    def expand(self) -> list[tuple[str, dict[str, Any]]]:
        """``(set name, {field: names})`` for every set, in file order; the baseline (``none``) first.

        An explicit set's overrides are under the key ``set``.
        """
        out: list[tuple[str, dict[str, Any]]] = [("none", {})] if self.baseline else []
        for prefix, field, names in (
            ("border_port", "border_ports", self.each_border_port),
            ("corridor", "corridors", self.each_corridor),
            ("node", "nodes", self.each_node),
            ("route", "routes", self.each_route),
        ):
            out += [(f"{prefix}:{name}", {field: [name]}) for name in names]
        for item in self.sets:
            fields = {k: v for k, v in item.model_dump(exclude={"name"}).items() if v}
            out.append((item.name, fields))
        return out

    @model_validator(mode="after")
    def _unique(self) -> DisruptionSweep:
        names = [name for name, _ in self.expand()]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"disruption sets must be unique, repeated: {', '.join(duplicates)}")
        if not names:
            raise ValueError("no disruption set: give baseline: true or at least one set")
        return self


class Sweep(_SweepModel):
    """A sweep: a base scenario and the values that vary (see the module docstring)."""

    name: str
    title: str = ""
    description: str = ""
    base: str
    set: dict[str, Any] = Field(default_factory=dict)
    grid: dict[str, list[Any]] = Field(default_factory=dict)
    monte_carlo: MonteCarloSpec | None = None
    disruptions: DisruptionSweep | None = None

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG.fullmatch(value):
            raise ValueError("name must be lowercase letters, digits, _ or - (it names the output folder)")
        return value

    @field_validator("grid")
    @classmethod
    def _values(cls, grid: dict[str, list[Any]]) -> dict[str, list[Any]]:
        for path, values in grid.items():
            if not values:
                raise ValueError(f"{path}: give at least one value")
            keys = [repr(v) for v in values]
            if len(set(keys)) != len(keys):
                raise ValueError(f"{path}: values must be distinct, got {values}")
        return grid


# ------------------------------------------------------------------------------------------ loading


class SweepError(FileProblemsError):
    """A sweep file has problems; ``problems`` lists them all (file, line, field, message)."""


@dataclass
class LoadedSweep:
    """A validated sweep with its file, the resolved base scenario path and the base's raw mapping."""

    sweep: Sweep
    path: Path
    base_path: Path
    base: dict[str, Any]
    base_scenario: Scenario


def _schema_problems(path: Path, data: dict[str, Any], root: yaml.Node | None) -> tuple[Sweep | None, list[Problem]]:
    try:
        return Sweep.model_validate(data), []
    except ValidationError as exc:
        return None, [Problem(str(path), yaml_line(root, loc), field_path(loc), message)
                      for loc, message in schema_problems(Sweep, exc)]


def _name_problems(sweep: Sweep, base: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    """Unknown places, corridors and products named by the sweep (location, message)."""

    problems: list[tuple[tuple[Any, ...], str]] = []
    d = sweep.disruptions
    if d is not None:
        from planner.scenario.names import check_disruption_names

        # names are resolved as a scenario's disruptions are (routes, corridors and ports by id or name)
        for field, each in (("border_ports", "each_border_port"), ("corridors", "each_corridor"),
                            ("nodes", "each_node"), ("routes", "each_route")):  # fmt: skip
            for loc, message in check_disruption_names({field: getattr(d, each)}, ("disruptions",)):
                problems.append((("disruptions", each, *loc[2:]), message))
        for i, item in enumerate(d.sets):
            problems += check_disruption_names(item.model_dump(), ("disruptions", "sets", i))
    mc = sweep.monte_carlo
    if mc is not None:
        ids = [p.get("id") for p in base.get("products", []) if isinstance(p, dict)]
        for product in mc.products:
            if product not in ids:
                problems.append((("monte_carlo", "products", product), f"product {product!r} is not in the base scenario's products ({', '.join(map(str, ids)) or 'none'})"))
        if (mc.product_demand_scale or mc.products) and not ids:
            problems.append((("monte_carlo",), "product draws need a base scenario with products"))
        if mc.supply_scale is not None and base.get("model") != "cold_chain":
            problems.append((("monte_carlo", "supply_scale"), "supply_scale applies to cold_chain scenarios only"))
    return problems


def check_sweep(path: str | Path) -> tuple[LoadedSweep | None, list[Problem]]:
    """Validate a sweep file and its base scenario; return the loaded sweep (None if invalid) and every problem."""
    path = Path(path)
    try:
        data, root = read_yaml_mapping(path, "a sweep file", SweepError)
    except SweepError as exc:
        return None, exc.problems
    sweep, problems = _schema_problems(path, data, root)
    if sweep is None:
        return None, problems
    members = len(sweep.disruptions.expand()) if sweep.disruptions is not None else 1
    for values in sweep.grid.values():
        members *= len(values)
    members *= sweep.monte_carlo.draws if sweep.monte_carlo is not None else 1
    if members > MAX_MEMBERS:
        loc = ("grid",) if sweep.grid else ("monte_carlo", "draws") if sweep.monte_carlo else ("disruptions",)
        return None, [Problem(str(path), yaml_line(root, loc), field_path(loc), f"the sweep has {members:,} members "
                              f"(disruption sets x grid points x draws), more than {MAX_MEMBERS:,}; split it")]
    base_path = (path.parent / sweep.base).resolve()
    if not base_path.is_file():
        return None, [Problem(str(path), yaml_line(root, ("base",)), "base", f"scenario file not found: {sweep.base} (paths are relative to the sweep file)")]
    base_scenario, base_problems = check_scenario(base_path)
    if base_scenario is None:
        line = yaml_line(root, ("base",))
        return None, [Problem(str(path), line, "base", f"the base scenario is invalid: {base_problems[0]}"), *base_problems]
    try:
        base, _ = read_scenario_dict(base_path)
    except ScenarioError as exc:  # pragma: no cover - check_scenario has read it already
        return None, exc.problems
    paths = [(("set", key), key) for key in sweep.set] + [(("grid", key), key) for key in sweep.grid]
    if sweep.disruptions is not None:
        paths += [(("disruptions", "sets", i, "set", key), key) for i, item in enumerate(sweep.disruptions.sets) for key in item.set]
    for loc, key in paths:
        reason = check_path(key, base)
        if reason is not None:
            problems.append(Problem(str(path), yaml_line(root, loc), f"{field_path(loc[:-1])}.{key}", reason))
    overlap = set(sweep.set) & set(sweep.grid)
    for key in sorted(overlap):
        problems.append(Problem(str(path), yaml_line(root, ("grid", key)), f"grid.{key}", "also in set: give a path in one of them"))
    for loc, message in _name_problems(sweep, base):
        problems.append(Problem(str(path), yaml_line(root, loc), field_path(loc), message))
    problems.sort(key=lambda p: p.line or 0)
    if problems:
        return None, problems
    return LoadedSweep(sweep, path.resolve(), base_path, base, base_scenario), []


def load_sweep(path: str | Path) -> LoadedSweep:
    """Read and validate a sweep file; raise :class:`SweepError` (or the base's ScenarioError) on problems."""
    loaded, problems = check_sweep(path)
    if problems:
        raise SweepError(problems)
    assert loaded is not None
    return loaded
