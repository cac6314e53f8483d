"""The result of a solved scenario: the solver report, KPIs and the tables later stages write and draw.

``sites`` (opened sites with throughput and utilisation), ``flows`` (product flows between places),
``assignments`` (demand point -> serving site), ``service`` and ``cost_breakdown``; places are named by id
with their Chinese and English names and coordinates. Each model's adapter fills them
(:mod:`planner.scenario.models`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from planner.network.routing import Route
    from planner.scenario.inputs import BuiltScenario
    from planner.scenario.schema import Scenario

__all__ = ["RunResult", "attach_routes", "place_names", "site_places"]


@dataclass
class RunResult:
    """A solved scenario: report, KPIs and tables (see the module docstring)."""

    scenario: Scenario
    report: dict[str, Any]
    kpis: dict[str, Any]
    sites: pd.DataFrame
    flows: pd.DataFrame
    assignments: pd.DataFrame
    service: pd.DataFrame
    cost_breakdown: pd.DataFrame
    candidates: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    built: BuiltScenario | None = field(default=None, repr=False)
    source_files: list[Path] = field(default_factory=list)
    #: further tables written as ``<name>.csv`` (cold chain: ``site_zones``, ``catchment``)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: per explained site: the nearest alternative and the cost components that make the site pay
    why_sites: list[dict[str, Any]] = field(default_factory=list)
    #: the network route of each flow by the flows' ``route_id`` (the route alternative the model priced)
    routes: dict[str, Route] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """Solver status (optimal, gap_limit, time_limit...)."""
        return str(self.report["status"])

    @property
    def objective(self) -> float:
        """Objective value (CNY for cost models; the model's own unit otherwise)."""
        return float(self.report["objective"])

    def open_sites(self, tier: str | None = None) -> list[str]:
        """Place ids of the opened sites (of ``tier`` if given)."""
        sites = self.sites if tier is None else self.sites[self.sites["tier"] == tier]
        return list(sites["place_id"])


def place_names(places: pd.DataFrame, ids: pd.Series) -> pd.DataFrame:
    """Chinese and English names and coordinates of the places ``ids``, one row each, in their order."""
    info = places.reindex(ids.to_numpy())[["name_zh", "name_en", "lon", "lat"]]
    return info.reset_index(drop=True)


def site_places(built: BuiltScenario, names: pd.Series) -> pd.Series:
    """The place id of each model location: looked up in ``built.site_keys`` for a site or a demand point of
    its own kind (an export port that is also a city); production areas and cities are named by their place
    id already."""
    places = {name: place for name, (_, place) in built.site_keys.items()}
    return names.map(lambda name: places.get(name, name))


def attach_routes(built: BuiltScenario, frame: pd.DataFrame, origin: str = "place_id", destination: str = "site_id") -> dict[str, Route]:
    """The network route of each row of ``frame`` from its ``origin`` to its ``destination`` place (the path
    the model's matrix priced: least generalized cost over the scenario's modes), by ``"<origin>><destination>"``;
    sets ``frame``'s ``route_id`` (empty for a row without a destination or served where it stands) and
    ``via`` (the roads and lines taken)."""
    from planner import domain, network

    scenario = built.scenario
    keys = frame[origin] + ">" + frame[destination]
    pairs = list(dict.fromkeys((a, b) for a, b in zip(frame[origin], frame[destination], strict=True) if b and a != b))
    found = network.routes_between(built.graph, pairs, modes=domain.mode_set(list(scenario.modes)),
                                   refrigerated=scenario.refrigerated)
    routes = {f"{a}>{b}": r for (a, b), r in zip(pairs, found, strict=True) if r is not None}
    frame["route_id"] = [key if key in routes else "" for key in keys]
    frame["via"] = [routes[key].via if key in routes else "" for key in keys]
    return routes
