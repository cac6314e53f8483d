"""Build the multimodal freight network as an osmnx-compatible ``networkx.MultiDiGraph``.

Layers: every place has one graph node per mode it is served by, ``<place>|road``, ``<place>|rail``,
``<place>|air`` (node attributes ``x``/``y`` in WGS84 degrees, ``place``, ``layer``, names, ``kind``,
``province``). Links follow the waypoints of ``geodata/network/routes.yaml`` between consecutive stops
(places and junctions), in both directions, with attributes

* ``geometry`` (shapely LineString, lon/lat); ``geometry_km`` (geodesic length of the geometry on
  WGS84); ``length_km`` (the calibrated length: each polyline segment scaled by the factor of the
  ``calibration.csv`` section covering it, or the default factor of the mode and class);
  ``length_factor`` (``length_km / geometry_km``); ``length`` (metres, osmnx convention);
* ``time_h`` (hours: length / speed of the mode and class, plus fixed crossing time);
* ``cost_ambient_cny_per_t`` and ``cost_reefer_cny_per_t`` (CNY per tonne);
* ``mode`` (road, rail, air, crossing, transfer), ``carrier`` (the layer a crossing joins),
  ``road_class``, ``route`` (e.g. ``G30``), ``route_name_zh``, ``route_name_en``, ``estimate``
  (the route's control points are not sourced), ``freight`` (False on passenger-only lines, which
  freight routing skips), ``corridors`` (ids of corridors.yaml whose consecutive nodes this link serves).

``graph.graph["route_stops"]`` maps each route id to its stops (place ids) in route order, for
closing a stretch of a route between two of its places.

Layers meet only through ``transfer`` links at intermodal hubs (documented nodes served by rail, and
airports), which carry the handling cost and time of ``mode_parameters.csv``. County seats not on any
route are joined to the nearest trunk road node by an ``access`` link (a straight line: an estimate).
"""

from __future__ import annotations

import difflib
import functools
from collections import Counter
from dataclasses import dataclass

import networkx as nx
import numpy as np
from pyproj import Geod
from shapely.geometry import LineString

from planner import layout
from planner.errors import DataError, PlannerError
from planner.network import data, places
from planner.paths import geodata_dir

__all__ = ["LAYERS", "build_network", "clear_cache", "geodesic_km", "place_node", "resolve_route_points", "segment_lengths_km"]

#: Graph layers (a node per place and layer).
LAYERS = ("road", "rail", "air")
_GEOD = Geod(ellps="WGS84")


def geodesic_km(coords: list[tuple[float, float]] | np.ndarray) -> float:
    """Return the geodesic length (km, WGS84 ellipsoid) of a lon/lat polyline."""
    arr = np.asarray(coords, dtype=float)
    if len(arr) < 2:
        return 0.0
    return float(_GEOD.line_length(arr[:, 0], arr[:, 1])) / 1000.0


@dataclass
class _Point:
    key: str  # place id, or gn<id> / cs<adcode> for shape points
    lon: float
    lat: float
    is_place: bool


def _token_key(token: str, node_by_gid: dict[str, str]) -> str:
    """The point key a waypoint token resolves to (place id, or ``gn<id>`` for a shape point)."""
    code = token[3:].split("=", 1)[0]
    if token.startswith("cs:"):
        return places.seat_alias(code)
    if token.startswith("gn:"):
        return node_by_gid.get(code, f"gn{code}")
    return token


def _resolve_tokens(spec: data.RouteSpec, table, waypoints, node_by_gid, with_seats: bool) -> list[_Point]:
    where = f"routes.yaml: line {spec.line}: route {spec.id!r}: field waypoints"
    points = []
    for token in spec.waypoints:
        if token.startswith("cs:"):
            adcode = token[3:].split("=", 1)[0]
            try:
                pid = places.seat_alias(adcode)
            except DataError:
                raise DataError(f"{where}: cs:{adcode} is not an adcode of county_seats.csv") from None
            row = table.loc[pid] if pid in table.index else None
            if row is None:
                raise DataError(f"{where}: cs:{adcode} has no county seat row")
            is_place = with_seats or row["origin"] == "node"
            points.append(_Point(pid, float(row["lon"]), float(row["lat"]), is_place))
        elif token.startswith("gn:"):
            gid = int(token[3:].split("=", 1)[0])
            if str(gid) in node_by_gid:
                pid = node_by_gid[str(gid)]
                row = table.loc[pid]
                points.append(_Point(pid, float(row["lon"]), float(row["lat"]), True))
                continue
            if gid not in waypoints:
                raise DataError(f"{where}: gn:{gid} is not in waypoints.csv (run python -m planner.network.waypoints)")
            rec = waypoints[gid]
            points.append(_Point(f"gn{gid}", float(rec["lon"]), float(rec["lat"]), False))
        else:
            if token not in table.index or table.loc[token, "origin"] != "node":
                close = difflib.get_close_matches(token, [str(i) for i in table.index], n=1)
                tip = f"; did you mean {close[0]!r}?" if close else ""
                raise DataError(f"{where}: {token!r} is not an id in nodes.csv{tip}")
            row = table.loc[token]
            points.append(_Point(token, float(row["lon"]), float(row["lat"]), True))
    return points


def segment_lengths_km(points: list[_Point]) -> np.ndarray:
    """Geodesic length (km, WGS84) of each segment between consecutive points."""
    if len(points) < 2:
        return np.zeros(0)
    lon = np.array([p.lon for p in points])
    lat = np.array([p.lat for p in points])
    _, _, dist_m = _GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    return np.asarray(dist_m, dtype=float) / 1000.0


def _node_by_gid(table) -> dict[str, str]:
    found: dict[str, str] = {}
    for rec in table[table["origin"] == "node"].itertuples(index=False):
        found.setdefault(str(rec.geonames_id), rec.place_id)
    return found


def resolve_route_points(
    specs: list[data.RouteSpec] | tuple[data.RouteSpec, ...], *, include_county_seats: bool = True
) -> dict[str, list[_Point]]:
    """The resolved waypoints of each route, by route id (keys, lon/lat, whether each is a place)."""
    table = places.place_table()
    if not include_county_seats:
        table = table[table["origin"] == "node"]
    waypoints, node_by_gid = data.load_waypoints(), _node_by_gid(table)
    return {spec.id: _resolve_tokens(spec, table, waypoints, node_by_gid, include_county_seats) for spec in specs}


def section_span(
    spec: data.RouteSpec, row: data.CalibrationRow, points: list[_Point], node_by_gid: dict[str, str]
) -> tuple[int, int]:
    """Indices (first, last) in ``points`` of a calibration section's control points."""
    keys = [p.key for p in points]
    found = []
    for field, token in (("from", row.from_token), ("to", row.to_token)):
        try:
            key = _token_key(token, node_by_gid)
        except DataError:
            key = token
        if key not in keys:
            raise DataError(
                f"calibration.csv: line {row.line}: field {field}={token!r} is not a waypoint of route {spec.id!r}"
            )
        found.append(keys.index(key))
    lo, hi = sorted(found)
    if lo == hi:
        raise DataError(f"calibration.csv: line {row.line}: fields from/to name the same waypoint")
    return lo, hi


def _segment_factors(
    spec: data.RouteSpec, points: list[_Point], calibration: data.Calibration, node_by_gid: dict[str, str]
) -> np.ndarray:
    factors = np.full(max(len(points) - 1, 0), calibration.default_factor(spec.mode, spec.road_class))
    covered = np.zeros(len(factors), dtype=bool)
    for row in calibration.sections:
        if row.route != spec.id:
            continue
        lo, hi = section_span(spec, row, points, node_by_gid)
        if not np.isfinite(row.factor):
            raise DataError(f"calibration.csv: line {row.line}: field factor is empty; run python -m planner.network.calibrate")
        if covered[lo:hi].any():
            raise DataError(f"calibration.csv: line {row.line}: section overlaps another section of route {spec.id!r}")
        covered[lo:hi] = True
        factors[lo:hi] = row.factor
    return factors


def _layer_of(spec: data.RouteSpec) -> str:
    return spec.carrier if spec.mode == "crossing" else spec.mode


def place_node(graph: nx.MultiDiGraph, place: str, layer: str = "road") -> str:
    """Return the graph node of ``place`` (id or name) in ``layer``; PlannerError if it has none."""
    pid = places.resolve_place(place) if f"{place}|{layer}" not in graph else place
    node = f"{pid}|{layer}"
    if node not in graph:
        served = [lay for lay in LAYERS if f"{pid}|{lay}" in graph]
        what = f"it is served by {', '.join(served)}" if served else "it is not in the network"
        raise PlannerError(f"place {place!r} ({pid}) has no {layer} node; {what}")
    return node


def _edge_attrs(
    spec_like: dict,
    coords: list[tuple[float, float]],
    params: data.ModeParameters,
    length_km: float,
    geometry_km: float,
) -> dict:
    mode, klass = spec_like["mode"], spec_like["road_class"]
    key = (mode, klass)
    if key not in params.speed_kmh:
        raise DataError(f"mode_parameters.csv: no speed row for mode={mode} class={klass}")
    fixed_time = params.fixed_time_h.get(klass, 0.0) if mode == "crossing" else 0.0
    fixed_cost = params.fixed_cost_cny_per_t.get(klass, 0.0) if mode == "crossing" else 0.0
    attrs = dict(spec_like)
    attrs.update(
        geometry=LineString(coords),
        length=length_km * 1000.0,
        length_km=length_km,
        geometry_km=geometry_km,
        length_factor=length_km / geometry_km if geometry_km > 0 else 1.0,
        time_h=length_km / params.speed_kmh[key] + fixed_time,
        cost_ambient_cny_per_t=length_km * params.cost_ambient_cny_per_tkm[key] + fixed_cost,
        cost_reefer_cny_per_t=length_km * params.cost_reefer_cny_per_tkm[key] + fixed_cost,
        corridors=[],
    )
    return attrs


def _add_both(graph: nx.MultiDiGraph, u: str, v: str, attrs: dict) -> None:
    graph.add_edge(u, v, **attrs)
    back = dict(attrs)
    back["geometry"] = LineString(list(attrs["geometry"].coords)[::-1])
    back["corridors"] = []
    graph.add_edge(v, u, **back)


def _add_node(graph: nx.MultiDiGraph, key: str, layer: str, lon: float, lat: float, info: dict) -> str:
    node = f"{key}|{layer}"
    if node not in graph:
        graph.add_node(node, x=lon, y=lat, place=key, layer=layer, **info)
    return node


def _place_info(key: str, table, waypoints) -> dict:
    if key in table.index:
        row = table.loc[key]
        return {
            "name_zh": row["name_zh"], "name_en": row["name_en"], "kind": row["kind"],
            "province": row["province"], "country": row["country"],
        }  # fmt: skip
    gid = int(key[2:]) if key.startswith("gn") else None
    rec = waypoints.get(gid, {}) if gid is not None else {}
    return {"name_zh": "", "name_en": str(rec.get("name", key)), "kind": "junction", "province": "",
            "country": str(rec.get("country", ""))}  # fmt: skip


def _build(with_seats: bool) -> nx.MultiDiGraph:
    specs = data.load_routes()
    params = data.load_mode_parameters()
    calibration = data.load_calibration()
    waypoints = data.load_waypoints()
    table = places.place_table()
    if not with_seats:
        table = table[table["origin"] == "node"]
    node_by_gid = _node_by_gid(table)
    known = {spec.id for spec in specs}
    for row in calibration.sections:
        if row.route not in known:
            close = difflib.get_close_matches(row.route, sorted(known), n=1)
            tip = f"; did you mean {close[0]!r}?" if close else ""
            raise DataError(f"calibration.csv: line {row.line}: field route={row.route!r} is not a route of routes.yaml{tip}")
    for spec in specs:
        if (spec.mode, spec.road_class) not in params.speed_kmh:
            raise DataError(
                f"routes.yaml: line {spec.line}: route {spec.id!r}: field class={spec.road_class!r} has no speed "
                f"row for mode={spec.mode} in mode_parameters.csv"
            )

    resolved = {spec.id: _resolve_tokens(spec, table, waypoints, node_by_gid, with_seats) for spec in specs}
    airports = data.load_airports()
    for spec in specs:
        if spec.mode == "air":  # an air link runs between the airports, not the city centres
            resolved[spec.id] = [
                _Point(p.key, airports[p.key].lon, airports[p.key].lat, p.is_place) if p.key in airports else p
                for p in resolved[spec.id]
            ]
    # a shape point shared by routes (or ending one) is a junction stop
    usage: Counter[str] = Counter()
    for pts in resolved.values():
        for key in {p.key for p in pts if not p.is_place}:
            usage[key] += 1

    graph = nx.MultiDiGraph(
        crs="EPSG:4326", name="planner freight network", units="length m, time h, cost CNY/t"
    )
    route_stops: dict[str, list[str]] = {}
    for spec in specs:
        pts = resolved[spec.id]
        seg_km = segment_lengths_km(pts)
        factors = _segment_factors(spec, pts, calibration, node_by_gid)
        layer = _layer_of(spec)
        stops = [i for i, p in enumerate(pts) if p.is_place or usage[p.key] > 1 or i in (0, len(pts) - 1)]
        route_stops[spec.id] = [pts[i].key for i in stops]
        base = {
            "mode": spec.mode, "carrier": layer, "road_class": spec.road_class, "route": spec.id,
            "route_name_zh": spec.name_zh, "route_name_en": spec.name_en, "estimate": spec.is_estimate,
            "freight": spec.freight,
        }  # fmt: skip
        for a, b in zip(stops[:-1], stops[1:], strict=True):
            pa, pb = pts[a], pts[b]
            if pa.key == pb.key:
                continue
            u = _add_node(graph, pa.key, layer, pa.lon, pa.lat, _place_info(pa.key, table, waypoints))
            v = _add_node(graph, pb.key, layer, pb.lon, pb.lat, _place_info(pb.key, table, waypoints))
            coords = [(p.lon, p.lat) for p in pts[a : b + 1]]
            length_km = float(np.dot(seg_km[a:b], factors[a:b]))
            _add_both(graph, u, v, _edge_attrs(base, coords, params, length_km, float(seg_km[a:b].sum())))
    graph.graph["route_stops"] = route_stops

    _add_access_links(graph, table, waypoints, params, calibration.default_factor("road", "access"))
    _add_transfers(graph, table, params, airports)
    _tag_corridors(graph)
    return graph


def _add_access_links(
    graph: nx.MultiDiGraph, table, waypoints, params: data.ModeParameters, factor: float
) -> None:
    trunk = [n for n, d in graph.nodes(data=True) if d["layer"] == "road" and d.get("country", "CN") == "CN"]
    xy = np.array([[graph.nodes[n]["x"], graph.nodes[n]["y"]] for n in trunk])
    base = {"mode": "road", "carrier": "road", "road_class": "access", "route": "access",
            "route_name_zh": "连接线", "route_name_en": "access link", "estimate": True,
            "freight": True}  # fmt: skip
    for rec in table.sort_index().itertuples(index=False):
        if rec.country != "CN" or f"{rec.place_id}|road" in graph:
            continue
        lon, lat = float(rec.lon), float(rec.lat)
        # equirectangular distance picks the nearest trunk node; the link length is geodesic
        dx = (xy[:, 0] - lon) * np.cos(np.radians(lat))
        dy = xy[:, 1] - lat
        target = trunk[int(np.argmin(dx * dx + dy * dy))]
        u = _add_node(graph, rec.place_id, "road", lon, lat, _place_info(rec.place_id, table, waypoints))
        coords = [(lon, lat), (graph.nodes[target]["x"], graph.nodes[target]["y"])]
        straight_km = geodesic_km(coords)
        _add_both(graph, u, target, _edge_attrs(base, coords, params, straight_km * factor, straight_km))


def _add_transfers(
    graph: nx.MultiDiGraph, table, params: data.ModeParameters, airports: dict[str, data.Airport]
) -> None:
    """Transfer links at intermodal hubs; at an airport of ``airports.csv`` the transfer also drives the
    published road distance from the city to the airport (national-road speed and rate)."""
    hubs = set(table.index[table["origin"] == "node"])
    for pid in sorted({d["place"] for _, d in graph.nodes(data=True)}):
        road = f"{pid}|road"
        if road not in graph:
            continue
        for other, klass in (("rail", "road_rail"), ("air", "road_air")):
            node = f"{pid}|{other}"
            if node not in graph or (other == "rail" and pid not in hubs):
                continue
            x, y = graph.nodes[road]["x"], graph.nodes[road]["y"]
            cost = params.fixed_cost_cny_per_t.get(klass)
            time = params.fixed_time_h.get(klass)
            if cost is None or time is None:
                raise DataError(
                    f"mode_parameters.csv: missing fixed_cost/fixed_time rows for transfer {klass}"
                )
            coords = [(x, y), (graph.nodes[node]["x"], graph.nodes[node]["y"])]
            geometry_km = geodesic_km(coords)
            km = airports[pid].access_km if other == "air" and pid in airports else 0.0
            key = ("road", "national")
            attrs = {
                "mode": "transfer", "carrier": "transfer", "road_class": klass, "route": "transfer",
                "route_name_zh": "换装", "route_name_en": f"transfer {klass.replace('_', '-')}",
                "estimate": True, "freight": True, "geometry": LineString(coords), "length": km * 1000.0,
                "length_km": km, "geometry_km": geometry_km,
                "length_factor": km / geometry_km if geometry_km > 0 else 1.0,
                "time_h": time + (km / params.speed_kmh[key] if km else 0.0),
                "cost_ambient_cny_per_t": cost + km * params.cost_ambient_cny_per_tkm[key],
                "cost_reefer_cny_per_t": cost + km * params.cost_reefer_cny_per_tkm[key], "corridors": [],
            }  # fmt: skip
            graph.add_edge(road, node, **attrs)
            back = dict(attrs)
            back["geometry"] = LineString(coords[::-1])
            graph.add_edge(node, road, **back)


def _tag_corridors(graph: nx.MultiDiGraph) -> None:
    corridors = layout.load_corridors()
    for layer in ("road", "rail"):
        sub = nx.DiGraph()
        for u, v, d in graph.edges(data=True):
            if d["carrier"] != layer or not d["freight"]:
                continue
            if not sub.has_edge(u, v) or d["length_km"] < sub[u][v]["length_km"]:
                sub.add_edge(u, v, length_km=d["length_km"])
        for rec in corridors.itertuples(index=False):
            ids = list(rec.node_ids)
            for a, b in zip(ids[:-1], ids[1:], strict=True):
                u, v = f"{a}|{layer}", f"{b}|{layer}"
                if u not in sub or v not in sub:
                    continue
                try:
                    path = nx.shortest_path(sub, u, v, weight="length_km")
                except nx.NetworkXNoPath:
                    continue
                for s, t in zip(path[:-1], path[1:], strict=True):
                    best = min(
                        (k for k, d in graph[s][t].items() if d["carrier"] == layer and d["freight"]),
                        key=lambda k, s=s, t=t: graph[s][t][k]["length_km"],
                    )
                    tags = graph[s][t][best]["corridors"]
                    if rec.id not in tags:
                        tags.append(rec.id)


@functools.lru_cache(maxsize=4)
def _cached(directory: str, with_seats: bool) -> nx.MultiDiGraph:
    return _build(with_seats)


def build_network(*, include_county_seats: bool = True) -> nx.MultiDiGraph:
    """Return the freight network (a fresh copy of a cached build; mutate it freely).

    ``include_county_seats=False`` keeps only the documented nodes and route junctions as places.
    Raises :class:`planner.errors.DataError` when a network data file is malformed.
    """
    graph = _cached(str(geodata_dir()), include_county_seats)
    copy = graph.copy()
    for _, _, d in copy.edges(data=True):
        d["corridors"] = list(d["corridors"])
    return copy


def clear_cache() -> None:
    """Forget built networks and loaded files (after editing geodata or changing ``PLANNER_GEODATA``)."""
    _cached.cache_clear()
    data.clear_caches()
    places.clear_caches()
