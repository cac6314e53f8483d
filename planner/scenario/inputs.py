"""From a scenario to model inputs: places, the (disrupted) network, supply and demand (each model's own
building is in its adapter, :mod:`planner.scenario.models`).

Rules that turn the shipped tables into model data (each one an assumption the README states):

* **Supply** (tonnes per season) comes from ``geodata/production.csv`` (or a user table). Rows exist at
  county, prefecture and province level and must not be added across levels: for each product the
  county rows are used as they are, a prefecture row contributes what it exceeds the county rows inside
  it by (placed at the prefecture's seat), and province rows only serve as a check (they are not
  allocated to places, as the tables do not say where the rest is grown).
* **Prefecture seat** = the first county-level unit of the prefecture by administrative code (the seat
  district or city by the numbering convention, e.g. 620102 城关区 for 兰州市).
* **Demand** at city points = 2020 census population of the prefecture × per-capita consumption of the
  product's group (``geodata/consumption.csv``: the row for residence ``all`` if present, else the mean
  of the urban and rural rows), shared among the scenario's products of the same group in proportion to
  their supply, then split equally among the scenario's demand points in that prefecture.
  ``weights: uniform`` gives every point weight 1 instead (for coverage models).
* **User demand tables** (``demand.weights: <CSV or Excel path>``, keyed by ``demand.key``): columns
  (key, product, tonnes) give each point's demand in tonnes per season directly (``per_capita`` is then
  not used; a location model weighs each point by its tonnes of all products); columns (key, weight) give
  each point's weight, read as persons for the per-capita demand of the cold-chain model and as the
  customer weight of a location model. Every row must name one of the scenario's demand points; points
  the table leaves out weigh 0.
* **Gateways / ports** receive ``share_of_supply`` × the product's supply; a gateway's
  ``onward_cost_cny_per_t`` is added to the transport cost of every arc into it.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

import numpy as np
import pandas as pd

from planner import domain, layout, network, regions
from planner.errors import PlannerError
from planner.network.catalog import border_ports
from planner.network.places import resolve_place, resolve_places
from planner.paths import geodata_dir
from planner.scenario.tables import read_demand_table, read_supply_table

if TYPE_CHECKING:  # networkx and the matrices load with the network, not for `planner validate`
    import networkx as nx

    from planner.model.coldchain import ColdChainProblem
    from planner.scenario.schema import CandidateSpec, Scenario

__all__ = [
    "SAME_TOWN_KM",
    "BuiltScenario",
    "MatrixInputs",
    "candidate_sites",
    "closed_places",
    "demand_table",
    "demand_weights",
    "distinct_towns",
    "gateway_onward_costs",
    "market_rows",
    "market_shares",
    "missing_consumption_group",
    "mode_set",
    "prefecture_seat",
    "scenario_graph",
    "select_places",
    "supply_table",
    "user_demand_table",
    "uses_demand_table",
]

class MatrixInputs(TypedDict, total=False):
    """What the location and hub models solve: matrices over (customers or nodes) x (sites or nodes), the
    scenario's ``metric`` in ``cost`` with ``distance_km`` and ``time_h`` beside it, customer ``weights``,
    ``fixed_cost_cny`` per site and ``budget_cny`` (location), ``flow_t`` between nodes (hub), and the
    policy's ``must_open`` / ``forbidden`` site indices."""

    cost: np.ndarray
    distance_km: np.ndarray
    time_h: np.ndarray
    weights: np.ndarray
    fixed_cost_cny: np.ndarray
    budget_cny: float | None
    flow_t: np.ndarray
    must_open: list[int]
    forbidden: list[int]


@dataclass
class BuiltScenario:
    """Everything a solve needs, plus what the outputs need to name and draw it.

    ``places``: the place table (``place_id`` index; name_zh, name_en, lon, lat, adcode...).
    ``graph``: the network after disruptions. ``problem``: a :class:`ColdChainProblem` or, for the
    location and hub models, their :class:`MatrixInputs`. ``sites`` / ``customers``: place ids on the model's site
    and customer axes (location models). ``site_keys``: each model site's name -> ``(tier, place id)``,
    the site's identity from here on (names are never parsed back). ``notes``: data assumptions met while
    building (e.g. supply rows left unallocated).
    """

    scenario: Scenario
    places: pd.DataFrame
    graph: nx.MultiDiGraph
    problem: ColdChainProblem | MatrixInputs
    sites: list[str] = field(default_factory=list)
    customers: list[str] = field(default_factory=list)
    site_keys: dict[str, tuple[str, str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------- places


def _region_filter(places: pd.DataFrame, region: list[str]) -> pd.Series:
    return places["province"].isin({domain.province(r).name_en for r in region})


@functools.lru_cache(maxsize=4)
def _prefecture_seats(directory: str) -> dict[str, str]:
    seats = regions.load_county_seats()
    result: dict[str, str] = {}
    for row in seats.sort_values("adcode").itertuples():
        result.setdefault(str(row.prefecture_adcode), str(row.adcode))
    return result


def prefecture_seat(prefecture_adcode: str) -> str:
    """The place id of a prefecture's seat (its first county-level unit by administrative code)."""
    seats = _prefecture_seats(str(geodata_dir()))
    if prefecture_adcode not in seats:
        raise PlannerError(f"no county seat known for prefecture {prefecture_adcode}")
    return resolve_places([seats[prefecture_adcode]])[0]


def _adcode_place(adcode: str) -> str:
    """The place of a county or prefecture administrative code."""
    adcode = str(adcode)
    seats = regions.load_county_seats()
    if adcode in set(seats["adcode"].astype(str)):
        return resolve_places([adcode])[0]
    return prefecture_seat(adcode)


def select_places(spec: CandidateSpec, scenario: Scenario, places: pd.DataFrame, supply: pd.DataFrame | None = None) -> list[str]:
    """Place ids selected by a candidate spec, in a stable order (documented nodes first)."""
    chosen: list[str] = []
    for role in spec.roles:
        base, _, detail = role.partition(":")
        nodes = layout.nodes_by_role(base, detail or None)
        chosen += [n for n in nodes["id"] if n in places.index]
    chosen += [resolve_place(name) for name in spec.names]
    seats = regions.load_county_seats()
    for region in spec.county_seats_of:
        codes = seats[seats["adcode"].astype(str).str.startswith(domain.province(region).prefix)]["adcode"]
        chosen += resolve_places(sorted(codes.astype(str)))
    for region in spec.prefecture_seats_of:
        prefectures = sorted({str(p) for p in seats["prefecture_adcode"].astype(str) if p.startswith(domain.province(region).prefix)})
        chosen += [prefecture_seat(p) for p in prefectures]
    if spec.production_areas or spec.production_area_neighbours:
        if supply is None:
            raise PlannerError("candidates.production_areas needs a scenario with supply")
        areas = list(dict.fromkeys(supply["place_id"]))
        chosen += areas if spec.production_areas else []
        if spec.production_area_neighbours:
            from planner.scenario.coldchain import neighbour_places  # county polygons: only when asked

            chosen += neighbour_places(places, areas)
    excluded = {resolve_place(name) for name in spec.exclude}
    ordered = [p for p in dict.fromkeys(chosen) if p not in excluded]
    region_mask = _region_filter(places, scenario.region)
    outside = [p for p in ordered if p in places.index and not region_mask[p] and places.loc[p, "origin"] == "county_seat"]
    return [p for p in ordered if p not in outside]


def closed_places(scenario: Scenario) -> set[str]:
    """Place ids closed by ``disruptions.nodes``."""
    return {resolve_place(name) for name in scenario.disruptions.nodes}


def candidate_sites(spec: CandidateSpec, scenario: Scenario, places: pd.DataFrame, supply: pd.DataFrame | None = None) -> list[str]:
    """The candidate sites of a place selection: :func:`select_places` without the closed places (a
    place that ``disruptions.nodes`` closes hosts no site)."""
    closed = closed_places(scenario)
    return [p for p in select_places(spec, scenario, places, supply) if p not in closed]


# ------------------------------------------------------------------------------------------ supply


def supply_table(scenario: Scenario, base_dir: Path) -> tuple[pd.DataFrame, list[str]]:
    """Supply rows ``place_id, product, tonnes`` for the scenario's products and regions, and notes."""
    assert scenario.supply is not None
    product_ids = [p.id for p in scenario.products]
    notes: list[str] = []
    if scenario.supply.table == "shipped":
        table = pd.read_csv(geodata_dir() / "production.csv", dtype={"adcode": str})
        table = table[table["adcode"].str[:2].isin({domain.province(r).prefix for r in scenario.region})]
        rows = []
        for product in product_ids:
            sub = table[table["product"] == product]
            counties = sub[sub["level"].isin(["county", "xpcc_city"])]
            for row in counties.itertuples():
                rows.append((_adcode_place(row.adcode), product, float(row.volume_t)))
            for row in sub[sub["level"] == "prefecture"].itertuples():
                inside = counties[counties["adcode"].map(_prefecture_of) == row.adcode]["volume_t"].sum()
                rest = float(row.volume_t) - float(inside)
                if rest > 0:
                    rows.append((prefecture_seat(row.adcode), product, rest))
            for row in sub[sub["level"] == "province"].itertuples():
                allocated = sum(t for _, p, t in rows if p == product)
                if row.volume_t > allocated * 1.01:
                    notes.append(
                        f"supply {product}: the province total {row.volume_t:,.0f} t ({row.year}) exceeds the "
                        f"{allocated:,.0f} t the tables place; the rest is not allocated"
                    )
        supply = pd.DataFrame(rows, columns=["place_id", "product", "tonnes"])
    else:
        path = (base_dir / scenario.supply.table).resolve()
        supply = read_supply_table(path, scenario.supply.sheet, scenario.supply.key, product_ids)
    scale = {p.id: p.supply_scale * scenario.supply.scale for p in scenario.products}
    supply["tonnes"] = supply["tonnes"] * supply["product"].map(scale)
    supply = supply.groupby(["place_id", "product"], as_index=False, sort=False)["tonnes"].sum()
    return supply[supply["tonnes"] > 0].reset_index(drop=True), notes


def _prefecture_of(adcode: str) -> str:
    seats = regions.load_county_seats()
    match = seats[seats["adcode"].astype(str) == str(adcode)]
    return str(match["prefecture_adcode"].iloc[0]) if len(match) else ""


# ------------------------------------------------------------------------------------------ demand


@functools.lru_cache(maxsize=4)
def _consumption(path: str) -> dict[tuple[str, str], float]:
    """(consumption group, province code) -> kg per person and year: the ``all`` row, else the mean of the
    urban and rural rows."""
    table = pd.read_csv(path, dtype={"applies_to_adcode": str})
    table["province"] = table["applies_to_adcode"].str[:2]
    out = {}
    for key, rows in table.groupby(["product_group", "province"]):
        both = rows[rows["residence"] == "all"]
        out[key] = float(both["kg_per_person_year"].mean() if len(both) else rows["kg_per_person_year"].mean())
    return out


def _per_capita_kg(consumption_group: str, province_code: str) -> float | None:
    """kg per person and year of a consumption group in a province; None when the table has no row (the group
    then has no city demand)."""
    return _consumption(str(geodata_dir() / "consumption.csv")).get((consumption_group, province_code))


def _demand_groups(scenario: Scenario) -> dict[str, str]:
    """Product -> its consumption group (products.csv ``consumption_group``; ``none``: no household figure).
    ``planner validate`` reports a product without one (:func:`missing_consumption_group`)."""
    groups = {}
    for spec in scenario.products:
        problem = missing_consumption_group(spec.id)
        if problem is not None:
            raise PlannerError(f"{problem[0]}:{problem[1]}: consumption_group: {problem[2]}")
        groups[spec.id] = domain.product(spec.id).consumption_group
    return groups


def missing_consumption_group(product_id: str) -> tuple[Path, int, str] | None:
    """``(products.csv, line, message)`` when the product has no consumption group (its city demand would
    silently be zero), else None."""
    entry = domain.product(product_id)
    if entry.consumption_group:
        return None
    return (entry.path, entry.line, f"product {product_id} has no consumption_group; name the consumption.csv group "
            "that feeds its city demand, or 'none'")


def uses_demand_table(scenario: Scenario) -> bool:
    """Whether ``demand.weights`` names a user table (anything but ``population`` and ``uniform``)."""
    return scenario.demand.weights not in ("population", "uniform")


def user_demand_table(scenario: Scenario, base_dir: Path, points: list[str]) -> tuple[str, pd.DataFrame]:
    """Read the user's demand table named by ``demand.weights`` (see :func:`planner.scenario.tables.read_demand_table`).

    Returns ``("tonnes", rows place_id, product, tonnes)`` for a table with columns (key, product, tonnes),
    or ``("weight", rows place_id, weight)`` for (key, weight); ``key`` is ``demand.key`` (adcode or name).
    Rows naming a place that is not one of ``points`` (the scenario's demand points), an unknown product,
    or a bad number raise :class:`PlannerError` naming the file, line and column; rows repeating a place
    (and product) are added up.
    """
    path = (base_dir / scenario.demand.weights).resolve()
    return read_demand_table(path, scenario.demand.sheet, scenario.demand.key, [p.id for p in scenario.products], points)


def _table_weights(kind: str, table: pd.DataFrame, points: list[str]) -> pd.Series:
    """Weight per demand point from a user demand table (its weights, or tonnes of all products), 0 where absent."""
    column = "weight" if kind == "weight" else "tonnes"
    return table.groupby("place_id")[column].sum().reindex(points).fillna(0.0)


def demand_weights(points: list[str], scenario: Scenario, places: pd.DataFrame, base_dir: Path | None = None) -> pd.Series:
    """Weight of each demand point: by default the population (2020 census) it represents — its
    prefecture's population shared equally among the scenario's points in that prefecture;
    ``weights: uniform`` -> 1 each; a user table -> its weights (or tonnes of all products), 0 where absent."""
    if scenario.demand.weights == "uniform":
        return pd.Series(1.0, index=points)
    if uses_demand_table(scenario):
        return _table_weights(*user_demand_table(scenario, Path(base_dir or "."), points), points)
    population = regions.load_population("prefecture").set_index("adcode")["population_2020"]
    seats = regions.load_county_seats().set_index("adcode")
    prefecture = {}
    for place in points:
        adcode = str(places.loc[place, "adcode"]) if places.loc[place, "adcode"] else ""
        if not adcode:
            # a documented node: the county whose seat it is, else the county containing it
            adcode = _county_of_point(float(places.loc[place, "lon"]), float(places.loc[place, "lat"]))
        prefecture[place] = str(seats.loc[adcode, "prefecture_adcode"]) if adcode in seats.index else ""
    counts = pd.Series(prefecture).value_counts()
    weights = {}
    for place, code in prefecture.items():
        pop = population.get(code)
        if pop is None and code.startswith("659"):
            pop = population.get("659000")  # XPCC cities are one census row
            xpcc = [p for p, c in prefecture.items() if c.startswith("659")]
            weights[place] = float(pop) / len(xpcc) if pop is not None else 0.0
            continue
        weights[place] = float(pop) / counts[code] if pop is not None else 0.0
    return pd.Series(weights).reindex(points).fillna(0.0)


def _county_of_point(lon: float, lat: float) -> str:
    counties = regions.load_regions("county")
    from shapely.geometry import Point

    hit = counties[counties.contains(Point(lon, lat))]
    return str(hit["adcode"].iloc[0]) if len(hit) else ""


def demand_table(
    scenario: Scenario, points: list[str], places: pd.DataFrame, supply: pd.DataFrame, base_dir: Path | None = None
) -> pd.DataFrame:
    """Demand rows ``place_id, product, tonnes, kind`` (cities from population or the user's table;
    gateways from supply)."""
    rows = []
    kind, table = user_demand_table(scenario, Path(base_dir or "."), points) if uses_demand_table(scenario) else ("", None)
    if kind == "tonnes":
        scale = {p.id: p.demand_scale * scenario.demand.scale for p in scenario.products}
        for row in table.itertuples():
            tonnes = float(row.tonnes) * scale[row.product]
            if tonnes > 0:
                rows.append((row.place_id, row.product, tonnes, "city"))
    elif scenario.demand.per_capita and scenario.products:
        # the table already read, or the census / uniform weights
        weights = _table_weights(kind, table, points) if kind == "weight" else demand_weights(points, scenario, places)
        groups = _demand_groups(scenario)
        supply_by_product = supply.groupby("product")["tonnes"].sum()
        for product in [p.id for p in scenario.products]:
            group = groups[product]
            same_group = [p for p, g in groups.items() if g == group]
            total_group_supply = float(sum(supply_by_product.get(p, 0.0) for p in same_group))
            share = float(supply_by_product.get(product, 0.0)) / total_group_supply if total_group_supply > 0 else 0.0
            scale = next(p.demand_scale for p in scenario.products if p.id == product) * scenario.demand.scale
            for place in points:
                province = domain.province_by_name(str(places.loc[place, "province"]))
                kg = _per_capita_kg(group, province.prefix) if province is not None else None
                if kg is None:
                    continue
                tonnes = weights[place] * kg / 1000.0 * share * scale
                if tonnes > 0:
                    rows.append((place, product, tonnes, "city"))
    rows += market_rows(scenario, supply, places)
    supply_by_product = supply.groupby("product")["tonnes"].sum()
    for gateway in scenario.demand.gateways:
        place = resolve_place(gateway.node)
        for product, share in gateway.share_of_supply.items():
            tonnes = share * float(supply_by_product.get(product, 0.0))
            if tonnes > 0:
                rows.append((place, product, tonnes, gateway.kind))
    table = pd.DataFrame(rows, columns=["place_id", "product", "tonnes", "kind"])
    return table.groupby(["place_id", "product", "kind"], as_index=False, sort=False)["tonnes"].sum()


def market_rows(scenario: Scenario, supply: pd.DataFrame, places: pd.DataFrame) -> list[tuple[str, str, float, str]]:
    """Demand rows ``(place, product, tonnes, kind)`` of the scenario's consumption markets (``demand.markets``):
    per province of origin, supply x outbound share x the market's share of that province's outbound flow."""
    spec = scenario.demand.markets
    if spec is None:
        return []
    province_of = places["province"].reindex(supply["place_id"]).to_numpy()
    by_province = supply.assign(province=province_of).groupby(["province", "product"])["tonnes"].sum()
    shares = market_shares(scenario, places, {(str(a), str(b)) for a, b in by_province.index if str(b) in spec.outbound_share})
    rows = []
    for (province, product), tonnes in by_province.items():
        outbound = spec.outbound_share.get(str(product), 0.0) * float(tonnes)
        for place, kind, share in shares.get((str(province), str(product)), []):
            if outbound * share > 0:
                rows.append((place, str(product), outbound * share, kind))
    return rows


def _province_adcode(name_en: str) -> str:
    found = domain.province_by_name(name_en)
    if found is None:
        raise PlannerError(f"no province {name_en!r} in geodata/provinces.csv")
    return found.adcode


def market_shares(scenario: Scenario, places: pd.DataFrame,
                  needed: set[tuple[str, str]]) -> dict[tuple[str, str], list[tuple[str, str, float]]]:
    """(province name, product) -> [(market place, kind, share of the outbound flow)] from markets.csv, for
    the ``needed`` pairs (the provinces a product with an outbound share is grown in).

    Rows of the product itself are used, else those of its products.csv ``market_group``; ``exclude`` drops
    markets with their shares. A product with an outbound share and no rows for a province it is grown in
    raises :class:`PlannerError` naming both."""
    spec = scenario.demand.markets
    assert spec is not None
    table = pd.read_csv(geodata_dir() / "markets.csv", dtype={"region_adcode": str})
    table = table[table["metric"] == "share_of_outbound"]
    products = domain.product_table()
    dropped = {resolve_place(name) for name in spec.exclude}
    # a port town (Khorgas is a city node with a border crossing) exports as a port, not as a market
    ports = set(border_ports())
    out: dict[tuple[str, str], list[tuple[str, str, float]]] = {}
    for province, product in sorted(needed):
        here = table[table["region_adcode"] == _province_adcode(province)]
        group = products.loc[product].get("market_group") if product in products.index else None
        rows = here[here["product"] == product]
        if rows.empty and isinstance(group, str):
            rows = here[here["product"] == group]
        if rows.empty:
            raise PlannerError(f"scenario {scenario.name}: demand.markets: markets.csv has no share_of_outbound rows "
                               f"for {product} (or its market_group) from {province}; add them or drop the product "
                               f"from outbound_share")
        entries = [(resolve_place(str(r.node_id)), float(r.value)) for r in rows.itertuples()]
        out[province, product] = [(p, "port" if p in ports or places.loc[p, "kind"] == "border_port" else "market", v)
                                  for p, v in entries if p not in dropped]
    return out


# ----------------------------------------------------------------------------------------- network


def scenario_graph(scenario: Scenario) -> nx.MultiDiGraph:
    """The network with the scenario's disruptions applied."""
    graph = network.build_network()
    d = scenario.disruptions
    if d.nodes or d.links or d.routes or d.corridors or d.border_ports:
        graph = network.disrupt(graph, nodes=d.nodes, links=[link.as_mapping() for link in d.links], routes=d.routes,
                        corridors=d.corridors, border_ports=d.border_ports)  # fmt: skip
    return graph


def mode_set(modes: list[str]) -> tuple[str, ...]:
    """The network modes a scenario's ``modes`` allow (:func:`planner.domain.mode_set`)."""
    return domain.mode_set(modes)


def gateway_onward_costs(scenario: Scenario) -> dict[str, float]:
    """Place id -> the onward cost per tonne beyond that gateway (only gateways with a non-zero cost)."""
    costs: dict[str, float] = {}
    for gateway in scenario.demand.gateways:
        place = resolve_place(gateway.node)
        if place in costs and costs[place] != gateway.onward_cost_cny_per_t:
            raise PlannerError(f"scenario {scenario.name}: gateway {gateway.node} is listed with different onward costs")
        costs[place] = gateway.onward_cost_cny_per_t
    return {place: cost for place, cost in costs.items() if cost > 0}


#: places closer than this (km) are one town: a documented city node and the seat district beside it
SAME_TOWN_KM = 5.0


def distinct_towns(candidates: list[str], places: pd.DataFrame, keep: set[str] = frozenset()) -> list[str]:
    """``candidates`` without a place within :data:`SAME_TOWN_KM` of one listed before it (documented nodes
    come first in a selection, so a city node is kept and its seat district dropped): two candidates in one
    town are one site, and offering both only makes the solver prove the same choice twice. Places in
    ``keep`` (named by the policy) always stay."""
    kept: list[str] = []
    coords: list[tuple[float, float]] = []
    for place in sorted(candidates, key=lambda p: p not in keep):
        lon, lat = (np.radians(float(v)) for v in places.loc[place, ["lon", "lat"]])
        near = False
        for lon0, lat0 in coords:
            h = math.sin((lat - lat0) / 2) ** 2 + math.cos(lat0) * math.cos(lat) * math.sin((lon - lon0) / 2) ** 2
            if 2 * 6371.0 * math.asin(math.sqrt(h)) < SAME_TOWN_KM:
                near = True
                break
        if not near or place in keep:
            kept.append(place)
            coords.append((lon, lat))
    return [p for p in candidates if p in set(kept)]


