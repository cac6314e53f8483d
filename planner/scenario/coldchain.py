"""The cold-chain parts of a scenario build: products with their standards, tiers with their zones and
costs, and arcs priced by leg class over route alternatives.

Rules (each an assumption the README states):

* **Products** take their store (``temperature_zone``), ``storable`` and ``unbroken_chain`` from
  ``geodata/products.csv`` and their time standards from ``geodata/product_standards.csv``; a scenario may
  override each. Only products that need an unbroken chain keep a door-to-door limit; storable products
  restart their clock in store and keep the per-leg standards.
* **Leg classes** (``geodata/cold_chain_legs.csv``): arcs out of production areas are the *first mile*
  (farm trucks; distance = the collection distance inside the county + the road distance between seats;
  time = distance / the first-mile speed); arcs into cities are *distribution* (small vans on the shortest
  road, time = distance / the vans' speed on their multi-drop rounds); all others,
  site to site and into markets and ports, are *line-haul* by full reefer trucks or, with ``rail`` in the
  scenario's modes, rail reefer containers (drayage + terminals + one rail haul).
* **Route alternatives**: every arc offers each route that no other beats in both cost and time
  (:mod:`planner.network.alternatives`), so a time standard picks the cheapest route that meets it.
* **Zone costs** (``geodata/facility_costs.csv``): a level of ``Q`` t per season at a facility with ``n``
  turns per season holds ``Q / n`` t; its investment is that times the store's investment per tonne, its
  season's cost the investment x the capital recovery factor + the operating cost per tonne held, and its
  volume that over the store's gross density.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import shapely

from planner import domain, regions
from planner.errors import DataError, PlannerError
from planner.model.coldchain import (
    ArcMatrix,
    Product,
    Site,
    SiteTier,
    Zone,
    parameter_value,
    product_from_parameters,
)
from planner.network.alternatives import (
    LinkPricing,
    RouteAlternatives,
    RouteSearch,
    rail_alternatives,
    rail_hauls,
)
from planner.paths import geodata_dir
from planner.scenario.schema import Scenario, TierSpec

__all__ = [
    "LegRates",
    "cold_chain_arcs",
    "cold_chain_products",
    "cold_chain_tiers",
    "leg_class_of",
    "load_leg_rates",
    "neighbour_places",
    "search_limits",
]

_DEFAULT_STORE = {"chilled": "chilled_store", "frozen": "frozen_store", "ambient": "ambient_store"}
_STANDARDS = ("first_mile_max_h", "first_mile_max_km", "line_haul_max_h", "distribution_max_h", "door_to_door_max_h")


# ------------------------------------------------------------------------------------------- leg rates
@dataclass(frozen=True)
class LegRates:
    """Rates of the leg classes (``geodata/cold_chain_legs.csv``), per temperature (``reefer``, ``ambient``).

    ``rate[(leg, temp)]`` CNY per tonne-km and ``fixed[(leg, temp)]`` CNY per tonne (loading, per-trip
    share) for ``first_mile``, ``line_haul_road``, ``line_haul_rail``, ``distribution``; the first mile's
    speed (km/h) and collection distance inside a county (km); rail terminals (CNY/t and h each) and
    drayage (CNY per tonne-km) and the longest drayage to a terminal (km); the speed of distribution vans
    (km/h, multi-drop rounds), which sets a distribution leg's time.
    """

    rate: dict[tuple[str, str], float]
    fixed: dict[tuple[str, str], float]
    first_mile_speed_kmh: dict[str, float]
    distribution_speed_kmh: dict[str, float]
    intra_county_km: float
    terminal_cny_per_t: dict[str, float]
    drayage_cny_per_tkm: dict[str, float]
    terminal_h: float
    max_drayage_km: float


def load_leg_rates() -> LegRates:
    """The leg rates of ``geodata/cold_chain_legs.csv``; a missing value raises :class:`DataError` naming it."""
    table = domain.cold_chain_legs()

    def value(leg: str, parameter: str, temp: str | None = None) -> float:
        rows = table[(table["leg_class"] == leg) & (table["parameter"] == parameter)]
        if temp is not None:
            rows = rows[rows["temperature"].isin([temp, "any"])]
        if rows.empty:
            raise DataError(f"cold_chain_legs.csv: no {parameter} for leg class {leg}" + (f" ({temp})" if temp else "")
                            + "; add the row with its source")
        return float(rows["value"].iloc[0])

    temps = ("reefer", "ambient")
    legs = ("first_mile", "line_haul_road", "line_haul_rail", "distribution")
    return LegRates(
        rate={(leg, t): value(leg, "rate_cny_per_tkm", t) for leg in legs for t in temps},
        fixed={(leg, t): value(leg, "fixed_cny_per_t", t) for leg in legs for t in temps},
        first_mile_speed_kmh={t: value("first_mile", "speed_kmh", t) for t in temps},
        distribution_speed_kmh={t: value("distribution", "speed_kmh", t) for t in temps},
        intra_county_km=value("first_mile", "intra_county_km"),
        terminal_cny_per_t={t: value("line_haul_rail", "terminal_cny_per_t", t) for t in temps},
        drayage_cny_per_tkm={t: value("line_haul_rail", "drayage_cny_per_tkm", t) for t in temps},
        terminal_h=value("line_haul_rail", "terminal_h"),
        max_drayage_km=value("line_haul_rail", "max_drayage_km"),
    )


# ------------------------------------------------------------------------------------------- products
@functools.lru_cache(maxsize=4)
def _standards(path: str) -> dict[tuple[str, str], float]:
    table = pd.read_csv(path)
    return {(str(r.product), str(r.standard)): float(r.value) for r in table.itertuples()}


def _flag(value: Any) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes")


def cold_chain_products(scenario: Scenario) -> list[Product]:
    """The scenario's products with value, loss rates, store, per-leg standards and door-to-door limit."""
    table = domain.product_table()
    standards = _standards(str(geodata_dir() / "product_standards.csv"))
    params = domain.cold_chain_parameters()
    products = []
    for spec in scenario.products:
        row = table.loc[spec.id]
        zone = spec.zone or str(row.get("temperature_zone", "") or "") or None
        unbroken = spec.unbroken_chain if spec.unbroken_chain is not None else _flag(row.get("unbroken_chain", False))
        overrides: dict[str, Any] = {"value_cny_per_t": float(row["value_cny_per_t"]), "zone": zone, "max_time_h": None}
        if not bool(row["refrigeration_required"]) or zone == "ambient":
            overrides["ambient_allowed"] = True
        for name in _STANDARDS[:4]:
            given = getattr(spec, name)
            overrides[name] = given if given is not None else standards.get((spec.id, name))
        if unbroken:
            overrides["max_time_h"] = spec.max_time_h or standards.get((spec.id, "door_to_door_max_h")) or \
                scenario.policy.max_time_h
        elif spec.max_time_h is not None:
            overrides["max_time_h"] = spec.max_time_h
        for name in ("value_cny_per_t", "ambient_allowed"):
            if getattr(spec, name) is not None:
                overrides[name] = getattr(spec, name)
        perishable = bool(row["perishable"]) if spec.perishable is None else spec.perishable
        products.append(product_from_parameters(spec.id, str(row["cold_chain_group"]), params=params,
                                                perishable=perishable, **overrides))
    return products


def storable_products(scenario: Scenario) -> dict[str, bool]:
    """Product id -> whether it can be held in store (products.csv ``storable`` or the scenario's)."""
    table = domain.product_table()
    return {s.id: s.storable if s.storable is not None else _flag(table.loc[s.id].get("storable", False))
            for s in scenario.products}


def co2_price(scenario: Scenario) -> float:
    """CNY per tonne of CO2: the scenario's, else the parameter table's."""
    if scenario.policy.co2_price_cny_per_t is not None:
        return float(scenario.policy.co2_price_cny_per_t)
    return parameter_value(domain.cold_chain_parameters(), "co2_price", "all")


# ------------------------------------------------------------------------------------------- tiers
@functools.lru_cache(maxsize=4)
def _facility_costs(path: str) -> dict[tuple[str, str], float]:
    table = pd.read_csv(path)
    return {(str(r.facility_type), str(r.parameter)): float(r.value) for r in table.itertuples()}


def _zone(tier: TierSpec, name: str) -> Zone:
    """The :class:`Zone` of ``tier`` called ``name`` with its level costs (explicit or from facility costs)."""
    spec = tier.zones[name]
    handling = tier.handling_cny_per_t if spec.handling_cny_per_t is None else spec.handling_cny_per_t
    if spec.levels_t_cny is not None:
        return Zone(name, tuple(spec.levels_t_cny), handling)
    costs = _facility_costs(str(geodata_dir() / "facility_costs.csv"))
    store = spec.store or _DEFAULT_STORE[name]

    def cost(facility: str, parameter: str) -> float:
        if (facility, parameter) not in costs:
            raise DataError(f"facility_costs.csv: no {parameter} for {facility} (tier {tier.name}, zone {name}); "
                            f"add the row with its source or give levels_t_cny")
        return costs[facility, parameter]

    if tier.facility is None:
        raise PlannerError(f"tier {tier.name}: zones with levels_t need the tier's facility (e.g. "
                           f"origin_precooling_centre) for its turns per season; or give levels_t_cny")
    turns = cost(tier.facility, "annual_turns")
    crf = cost("all", "capital_recovery_factor")
    stored = [q / turns for q in spec.levels_t or []]
    capex = [t * cost(store, "investment_per_t_capacity") for t in stored]
    season = [c * crf + t * cost(store, "annual_operating_cost_per_t_capacity") for c, t in zip(capex, stored, strict=True)]
    volume = [t / cost(store, "storage_density_gross") for t in stored]
    return Zone(name, tuple(zip(spec.levels_t or [], season, strict=True)), handling, capex_cny=tuple(capex),
                storage_t=tuple(stored), volume_m3=tuple(volume))


def cold_chain_tiers(scenario: Scenario, candidates: dict[str, list[str]], must_open: set[str],
                     forbidden: set[str]) -> list[SiteTier]:
    """The model tiers: per tier its candidate places (``candidates[tier]``) as sites ``tier:place``."""
    tiers = []
    for tier in scenario.tiers:
        if tier.zones:
            zones = tuple(_zone(tier, name) for name in ("chilled", "frozen", "ambient") if name in tier.zones)
            kwargs: dict[str, Any] = {"zones": zones, "required_zones": tuple(tier.required_zones)}
        else:
            kwargs = {"levels": tuple(tier.capacity_levels_t_cny or ()), "handling_cny_per_t": tier.handling_cny_per_t}
        sites = tuple(Site(name=f"{tier.name}:{place}", dwell_h=tier.dwell_h, fixed_cny=tier.site_fixed_cny,
                           must_open=place in must_open, forbidden=place in forbidden, **kwargs)
                      for place in candidates[tier.name])
        tiers.append(SiteTier(tier.name, sites, min_open=tier.min_open, max_open=tier.max_open,
                              refrigerated=tier.refrigerated, storage=tier.storage))
    return tiers


# ------------------------------------------------------------------------------------------- candidates
@functools.lru_cache(maxsize=4)
def _county_neighbours(path: str) -> dict[str, list[str]]:
    counties = regions.load_regions("county")
    geoms = counties.geometry.to_numpy()
    codes = counties["adcode"].astype(str).to_numpy()
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    out: dict[str, list[str]] = {}
    for i, j in zip(left, right, strict=True):
        if i != j:
            out.setdefault(codes[i], []).append(codes[j])
    return out


def neighbour_places(places: pd.DataFrame, areas: list[str]) -> list[str]:
    """Place ids of the county seats of the counties that border the counties of ``areas``."""
    from planner.network.places import resolve_place

    neighbours = _county_neighbours(str(geodata_dir()))
    out = []
    for place in areas:
        adcode = str(places.loc[place, "adcode"]) if place in places.index and places.loc[place, "adcode"] else ""
        for code in neighbours.get(adcode, []):
            try:
                out.append(resolve_place(code))
            except PlannerError:
                continue
    return list(dict.fromkeys(out))


# ------------------------------------------------------------------------------------------- arcs
def leg_class_of(from_tier: str, demand_kinds: list[str] | None) -> str | list[str]:
    """The leg class of the arcs out of ``from_tier`` (per destination into the demand tier)."""
    if from_tier == "production":
        return "first_mile"
    if demand_kinds is None:
        return "line_haul"
    return ["distribution" if kind == "city" else "line_haul" for kind in demand_kinds]


#: route times are rounded up to this many hours (see RouteAlternatives.on_time_grid): exact for the products'
#: whole-hour standards, conservative for door-to-door sums, and it keeps a closure from offering a faster route
TIME_STEP_H = 1.0


@dataclass
class _Searches:
    """The route searches of one build, shared by its tier pairs (each place's road search runs once)."""

    graph: nx.MultiDiGraph
    road: RouteSearch
    hauls: dict[str, RouteAlternatives]


def _first_mile(search: _Searches, origins: list[str], destinations: list[str], to_tier: str, rates: LegRates,
                max_km: float) -> list[ArcMatrix]:
    """Farm to pre-cooling: the collection distance plus the shortest road between the two seats."""
    road = search.road.alternatives(origins, destinations, max_cost=max(max_km - rates.intra_county_km, 0.0))
    dist = rates.intra_county_km + road.distance_km[:, :, 0]
    dist = np.where(dist <= max_km, dist, np.inf)
    reach = np.isfinite(dist)
    d0 = np.where(reach, dist, 0.0)

    def priced(temp: str) -> np.ndarray:
        return np.where(reach, rates.rate["first_mile", temp] * d0 + rates.fixed["first_mile", temp], np.inf)

    time = np.where(reach, d0 / rates.first_mile_speed_kmh["ambient"], np.inf)
    return [ArcMatrix("production", to_tier, "road", np.where(reach, d0, np.inf), time, priced("ambient"), priced("reefer"),
                      leg_class="first_mile")]


def _road(search: _Searches, origins: list[str], destinations: list[str], from_tier: str, to_tier: str,
          classes: np.ndarray, rates: LegRates, max_time_h: float) -> list[ArcMatrix]:
    """Road arcs priced by each destination's leg class: line-haul by every route alternative in (km, time)
    (times on the hour grid), distribution by the shortest road at the vans' round speed (time = km / speed,
    so the shortest route is also the fastest)."""
    alts = search.road.alternatives(origins, destinations, max_time_h=max_time_h).on_time_grid(TIME_STEP_H)
    shortest = alts.km["road"].min(axis=2)
    distribution = classes == "distribution"
    leg = np.where(distribution, "distribution", "line_haul_road")
    rate = {t: np.array([rates.rate[g, t] for g in leg])[None, :] for t in ("ambient", "reefer")}
    fixed = {t: np.array([rates.fixed[g, t] for g in leg])[None, :] for t in ("ambient", "reefer")}
    out = []
    for k in range(alts.time_h.shape[2]):
        km = np.where(distribution[None, :], shortest if k == 0 else np.inf, alts.km["road"][:, :, k])
        time = np.where(distribution[None, :], km / rates.distribution_speed_kmh["reefer"], alts.time_h[:, :, k])
        if not np.isfinite(time).any():
            continue
        reach = np.isfinite(time)
        km0 = np.where(reach, km, 0.0)
        cost = {t: np.where(reach, km0 * rate[t] + fixed[t], np.inf) for t in ("ambient", "reefer")}
        out.append(ArcMatrix(from_tier, to_tier, "road", np.where(reach, km0, np.inf), time, cost["ambient"], cost["reefer"],
                             leg_class=list(classes), alternative=k))
    return out


def _rail(search: _Searches, origins: list[str], destinations: list[str], from_tier: str, to_tier: str,
          classes: np.ndarray, rates: LegRates, max_time_h: float) -> list[ArcMatrix]:
    """Rail reefer (and ambient) container arcs, line-haul destinations only: one matrix per alternative."""
    line = classes == "line_haul"
    if not line.any():
        return []
    out = []
    k0 = 0
    for temp in ("reefer", "ambient"):
        alts = rail_alternatives(search.graph, origins, destinations, road_cny_per_tkm=rates.drayage_cny_per_tkm[temp],
                                 rail_cny_per_tkm=rates.rate["line_haul_rail", temp],
                                 terminal_cny_per_t=rates.terminal_cny_per_t[temp], terminal_h=rates.terminal_h,
                                 max_drayage_km=rates.max_drayage_km, max_time_h=max_time_h, haul=search.hauls[temp],
                                 road=search.road).on_time_grid(TIME_STEP_H)
        for k in range(alts.time_h.shape[2]):
            time = np.where(line[None, :], alts.time_h[:, :, k], np.inf)
            if not np.isfinite(time).any():
                continue
            reach = np.isfinite(time)
            cost = np.where(reach, alts.cost_cny_per_t[:, :, k] + rates.fixed["line_haul_rail", temp], np.inf)
            km = np.where(reach, alts.km["road"][:, :, k] + alts.km["rail"][:, :, k], np.inf)
            none = np.full(time.shape, np.inf)
            ambient, reefer = (none, cost) if temp == "reefer" else (cost, none)
            out.append(ArcMatrix(from_tier, to_tier, "rail", km, time, ambient, reefer, leg_class=list(classes),
                                 alternative=k0))
            k0 += 1
    return out


def search_limits(products: list[Product]) -> tuple[float, float]:
    """How far the route searches of an arc build look: the longest time any product may spend on a leg
    (h) and the longest first mile (km); inf where some product has no such standard."""
    finite = [v for p in products for v in (p.line_haul_max_h, p.distribution_max_h, p.max_time_h) if v is not None]
    unbounded = any(p.line_haul_max_h is None or p.distribution_max_h is None for p in products)
    max_time = math.inf if unbounded or not finite else max(finite)
    km_limits = [p.first_mile_max_km for p in products]
    max_km = math.inf if any(v is None for v in km_limits) else max(km_limits)  # type: ignore[type-var]
    return max_time, float(max_km)


def cold_chain_arcs(graph: nx.MultiDiGraph, locations: dict[str, list[str]], tier_arcs: list[tuple[str, str]],
                    demand_kinds: list[str], modes: list[str], products: list[Product], rates: LegRates,
                    onward: list[float] | None = None, rail_tiers: set[str] | None = None) -> list[ArcMatrix]:
    """Arc matrices of every allowed tier pair, by leg class, mode and route alternative.

    ``demand_kinds`` and ``onward`` (CNY/t beyond each demand point, added to every arc into it; None: none)
    run along ``locations["demand"]``. Rail line-haul leaves only from the tiers in ``rail_tiers`` (None:
    every site tier) when ``rail`` is one of the ``modes``.
    """
    max_time, max_km = search_limits(products)
    hauls = {t: rail_hauls(graph, rates.rate["line_haul_rail", t], max_time) for t in ("reefer", "ambient")} \
        if "rail" in modes else {}
    search = _Searches(graph, RouteSearch(graph, LinkPricing({"road": 1.0})), hauls)
    arcs: list[ArcMatrix] = []
    for from_tier, to_tier in tier_arcs:
        origins, destinations = locations[from_tier], locations[to_tier]
        if from_tier == "production":
            arcs += _first_mile(search, origins, destinations, to_tier, rates, max_km)
            continue
        classes = np.asarray(leg_class_of(from_tier, demand_kinds) if to_tier == "demand"
                             else ["line_haul"] * len(destinations), dtype=object)
        matrices = _road(search, origins, destinations, from_tier, to_tier, classes, rates, max_time)
        if "rail" in modes and (rail_tiers is None or from_tier in rail_tiers):
            matrices += _rail(search, origins, destinations, from_tier, to_tier, classes, rates, max_time)
        if to_tier == "demand" and onward is not None and any(onward):
            extra = np.asarray(onward, dtype=float)[None, :]
            matrices = [ArcMatrix(a.from_tier, a.to_tier, a.mode, a.distance_km, a.time_h, a.cost_ambient_cny_per_t + extra,
                                  a.cost_refrigerated_cny_per_t + extra, leg_class=list(a.leg_class), alternative=a.alternative)
                        for a in matrices]
        arcs += matrices
    return arcs
