"""The network route each cold-chain flow took: the route alternative the model chose, as graph links.

The arc build (:func:`planner.scenario.coldchain.cold_chain_arcs`) prices every route alternative of every
arc but keeps only its totals. After the solve only the used arcs matter, so their routes are found again,
pair by pair, by the same searches with the same limits: a pair's alternatives do not depend on the other
pairs of its matrix, so alternative ``k`` of one pair is the route the model priced as alternative ``k``.
The route carries its links, names (``G30``, 兰新铁路...) and geometry, so tables, the GeoPackage and the
maps draw a flow along the road or rail line it was priced on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd

from planner.model.coldchain import ArcMatrix, Product
from planner.network.alternatives import (
    Link,
    LinkPricing,
    RouteAlternatives,
    RouteSearch,
    rail_alternatives,
    rail_hauls,
)
from planner.network.routing import Route, route_along
from planner.scenario.coldchain import TIME_STEP_H, LegRates, search_limits

__all__ = ["FlowRoutes", "flow_routes"]


@dataclass
class FlowRoutes:
    """Re-runs the arc build's route searches for single pairs (see the module docstring)."""

    graph: nx.MultiDiGraph
    rates: LegRates
    products: list[Product]
    arcs: list[ArcMatrix]
    #: the build's search limits (h on a leg, km of a first mile), from the products
    max_time_h: float = field(init=False)
    max_km: float = field(init=False)
    #: per tier pair, how many rail matrices are reefer: the ambient ones are numbered on after them
    reefer_rail: dict[tuple[str, str], int] = field(init=False)
    #: the road search (priced per km, as in the build), its labels kept per source across the flows
    road: RouteSearch = field(init=False, repr=False)
    _hauls: dict[str, RouteAlternatives] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.road = RouteSearch(self.graph, LinkPricing({"road": 1.0}))
        self.max_time_h, self.max_km = search_limits(self.products)
        self.reefer_rail = {}
        for a in self.arcs:
            if a.mode == "rail" and np.isfinite(a.cost_refrigerated_cny_per_t).any():
                key = (a.from_tier, a.to_tier)
                self.reefer_rail[key] = self.reefer_rail.get(key, 0) + 1

    def links(self, from_place: str, to_place: str, from_tier: str, to_tier: str, leg_class: str, mode: str,
              alternative: int, refrigerated: bool) -> list[Link] | None:
        """The links of the route the model priced for this arc variant (None when the searches no longer
        find it, which would mean the network changed since the build)."""
        if from_place == to_place:
            return []
        if leg_class == "first_mile":
            found = self.road.alternatives([from_place], [to_place], with_links=True,
                                           max_cost=max(self.max_km - self.rates.intra_county_km, 0.0))
            return _pick(found, 0)
        if mode == "road":
            found = self.road.alternatives([from_place], [to_place], max_time_h=self.max_time_h,
                                           with_links=True).on_time_grid(TIME_STEP_H)
            if leg_class == "distribution":  # the vans take the shortest road among the alternatives
                km = found.km["road"][0, 0]
                return _pick(found, int(np.argmin(km))) if np.isfinite(km).any() else None
            return _pick(found, alternative)
        if mode == "rail":
            temp = "reefer" if refrigerated else "ambient"
            before = 0 if refrigerated else self.reefer_rail.get((from_tier, to_tier), 0)
            found = rail_alternatives(
                self.graph, [from_place], [to_place], road_cny_per_tkm=self.rates.drayage_cny_per_tkm[temp],
                rail_cny_per_tkm=self.rates.rate["line_haul_rail", temp], terminal_cny_per_t=self.rates.terminal_cny_per_t[temp],
                terminal_h=self.rates.terminal_h, max_drayage_km=self.rates.max_drayage_km, max_time_h=self.max_time_h,
                haul=self._haul(temp), road=self.road, with_links=True).on_time_grid(TIME_STEP_H)
            return _pick(found, alternative - before)
        return None

    def _haul(self, temp: str) -> RouteAlternatives:
        if temp not in self._hauls:
            self._hauls[temp] = rail_hauls(self.graph, self.rates.rate["line_haul_rail", temp], self.max_time_h, with_links=True)
        return self._hauls[temp]


def _pick(found: RouteAlternatives, k: int) -> list[Link] | None:
    if not found.links or k < 0 or k >= len(found.links[0][0]) or not math.isfinite(found.time_h[0, 0, k]):
        return None
    return found.links[0][0][k]


def flow_routes(book: FlowRoutes, flows: pd.DataFrame) -> tuple[list[str], dict[str, Route]]:
    """Per flow (columns from_id, to_id, from_tier, to_tier, leg_class, mode, alternative, refrigerated) the
    id of its route, and the routes by id ("" and no route where none is found)."""
    ids: list[str] = []
    routes: dict[str, Route] = {}
    missing: set[str] = set()
    for row in flows.itertuples(index=False):
        key = f"{row.leg_class}:{row.mode}:{row.from_id}>{row.to_id}#{int(row.alternative)}" + (
            ":reefer" if row.mode == "rail" and row.refrigerated else "")
        if key not in routes and key not in missing:
            links = book.links(str(row.from_id), str(row.to_id), str(row.from_tier), str(row.to_tier), str(row.leg_class),
                               str(row.mode), int(row.alternative), bool(row.refrigerated))
            if links is None:
                missing.add(key)
            elif links:
                routes[key] = route_along(book.graph, links)
            else:  # served where it stands (a pre-cooling centre in the producing county's own seat)
                missing.add(key)
        ids.append(key if key in routes else "")
    return ids, routes
