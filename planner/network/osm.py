"""City street networks from OpenStreetMap extracts, joined to the trunk network.

:func:`import_osm` reads a user's OSM XML file (``.osm``/``.xml``) with ``osmnx.graph_from_xml``
(offline: nothing is downloaded). PBF files are not read: no maintained PBF reader is a dependency
of this project; convert first (``osmium cat city.osm.pbf -o city.osm``). :func:`connect_city` links
the street graph to the trunk network at the OSM node nearest to the city's road node.
"""

from __future__ import annotations

import os
from pathlib import Path

import networkx as nx
import numpy as np
from shapely.geometry import LineString

from planner.errors import DataError
from planner.network import data
from planner.network.build import geodesic_km, place_node
from planner.network.places import resolve_place

__all__ = ["connect_city", "import_osm"]


def _sniff(path: Path) -> None:
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    if path.suffix.lower() == ".pbf":
        raise DataError(
            f"{path.name}: PBF is not supported (no maintained PBF reader installed); "
            "convert it to OSM XML first, e.g. osmium cat file.osm.pbf -o file.osm"
        )
    with path.open("rb") as handle:
        head = handle.read(4096).decode("utf-8", errors="replace")
    if "<osm" not in head:
        raise DataError(f"{path.name}: not an OpenStreetMap XML file (no <osm> element at the start)")
    _check_references(path)


def _check_references(path: Path) -> None:
    """Refuse a way that names a node the file does not hold (one line: file, line, way, field nd)."""
    from xml.parsers import expat

    nodes: set[str] = set()
    refs: list[tuple[str, str, int]] = []
    way: list[str] = [""]
    parser = expat.ParserCreate()

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "node":
            nodes.add(attrs.get("id", ""))
        elif tag == "way":
            way[0] = attrs.get("id", "?")
        elif tag == "nd" and way[0]:
            refs.append((way[0], attrs.get("ref", ""), parser.CurrentLineNumber))

    def end(tag: str) -> None:
        if tag == "way":
            way[0] = ""

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        with path.open("rb") as handle:
            parser.ParseFile(handle)
    except expat.ExpatError as exc:
        raise DataError(f"{path.name}: line {exc.lineno}: not well-formed XML ({expat.ErrorString(exc.code)})") from None
    for way_id, ref, line in refs:
        if ref not in nodes:
            raise DataError(
                f"{path.name}: line {line}: way {way_id}: field nd ref={ref!r} names no node of the file; "
                "export the extract with complete ways"
            )


def _joined(value: object) -> str:
    """A tag value as text; osmnx gives a list where simplification merged ways that differ in it.

    The values are sorted, so both directions of a merged street get the same text.
    """
    if isinstance(value, list):
        return "/".join(sorted({str(x) for x in value}))
    return str(value)


def _check_wgs84(source: Path, streets: nx.MultiDiGraph) -> None:
    """Every node and street vertex within WGS84 ranges (NaN fails too): anything else is a broken extract."""
    points = [(f"node {n}", d["x"], d["y"]) for n, d in streets.nodes(data=True)]
    points += [(f"the street {u}-{v}", *xy) for u, v, d in streets.edges(data=True)
               if d.get("geometry") is not None for xy in d["geometry"].coords]
    for what, x, y in points:
        if not (-180.0 <= float(x) <= 180.0 and -90.0 <= float(y) <= 90.0):
            raise DataError(f"{source.name}: {what} has lon {x}, lat {y}, outside WGS84 (lon -180..180, lat -90..90); "
                            "fix the extract")


def import_osm(path: str | os.PathLike[str], city: str) -> nx.MultiDiGraph:
    """Return the street graph of an OSM XML extract, as road links of the planner network.

    Node ids become ``osm:<place>:<osmid>``; every link gets the planner attributes (``mode='road'``,
    ``road_class='city'``, ``length_km``, ``time_h``, ``cost_ambient_cny_per_t``, ``cost_reefer_cny_per_t``,
    ``route`` from the street's ``ref`` or ``name``, ``highway``, a LineString ``geometry``); where
    simplification merged ways with different names or classes, the sorted values are joined with ``/``.
    ``city`` is a place id or name. Raises :class:`DataError` (one line) when the file is missing, not
    OSM XML, or has no streets.
    """
    import osmnx as ox

    source = Path(path)
    _sniff(source)
    pid = resolve_place(city)
    try:
        streets = ox.graph_from_xml(source, bidirectional=False, simplify=True, retain_all=True)
    except Exception as exc:  # osmnx/ElementTree raise many types for malformed input
        raise DataError(f"{source.name}: cannot read as OSM XML ({type(exc).__name__}: {exc})") from None
    if streets.number_of_edges() == 0:
        raise DataError(f"{source.name}: the OSM file has no ways usable as streets")
    _check_wgs84(source, streets)
    params = data.load_mode_parameters()
    speed = params.speed_kmh[("road", "city")]
    ambient = params.cost_ambient_cny_per_tkm[("road", "city")]
    reefer = params.cost_reefer_cny_per_tkm[("road", "city")]
    mapping = {n: f"osm:{pid}:{n}" for n in streets.nodes}
    graph = nx.MultiDiGraph(crs="EPSG:4326", city=pid, source_file=source.name)
    for n, d in streets.nodes(data=True):
        graph.add_node(mapping[n], x=float(d["x"]), y=float(d["y"]), place=pid, layer="road", kind="osm",
                   name_zh="", name_en=f"OSM node {n}", province="", country="CN", osmid=n)  # fmt: skip
    for u, v, d in streets.edges(data=True):
        geom = d.get("geometry")
        if geom is None:
            geom = LineString(
                [
                    (streets.nodes[u]["x"], streets.nodes[u]["y"]),
                    (streets.nodes[v]["x"], streets.nodes[v]["y"]),
                ]
            )
        km = geodesic_km(list(geom.coords))
        name = _joined(d.get("ref") or d.get("name") or "street")
        graph.add_edge(
            mapping[u], mapping[v], geometry=geom, length=km * 1000.0, length_km=km, time_h=km / speed,
            cost_ambient_cny_per_t=km * ambient, cost_reefer_cny_per_t=km * reefer, mode="road",
            carrier="road", road_class="city", route=str(name), route_name_zh=str(name),
            route_name_en=str(name), estimate=False, corridors=[], highway=_joined(d.get("highway", "")),
        )  # fmt: skip
    return graph


def connect_city(trunk_graph: nx.MultiDiGraph, city_graph: nx.MultiDiGraph, city: str) -> nx.MultiDiGraph:
    """Return a new graph: the trunk network plus the city streets, joined at ``city``'s road node.

    The connector links (both directions, ``route='city-connector'``) run from the trunk node to the
    nearest OSM node (geodesic). ``graph['city_connection']`` records the two nodes and the km.
    """
    trunk_node = place_node(trunk_graph, city, "road")
    osm_nodes = [n for n in city_graph.nodes if str(n).startswith("osm:")]
    if not osm_nodes:
        raise DataError(f"city graph for {city!r} has no OSM nodes; import it with import_osm first")
    x0, y0 = trunk_graph.nodes[trunk_node]["x"], trunk_graph.nodes[trunk_node]["y"]
    xy = np.array([[city_graph.nodes[n]["x"], city_graph.nodes[n]["y"]] for n in osm_nodes])
    lat0 = np.radians(y0)
    d2 = ((xy[:, 0] - x0) * np.cos(lat0)) ** 2 + (xy[:, 1] - y0) ** 2
    nearest = osm_nodes[int(np.argmin(d2))]
    graph = nx.compose(trunk_graph, city_graph)
    params = data.load_mode_parameters()
    coords = [(x0, y0), (city_graph.nodes[nearest]["x"], city_graph.nodes[nearest]["y"])]
    km = geodesic_km(coords)
    speed = params.speed_kmh[("road", "city")]
    for u, v, line in ((trunk_node, nearest, coords), (nearest, trunk_node, coords[::-1])):
        graph.add_edge(
            u, v, geometry=LineString(line), length=km * 1000.0, length_km=km, time_h=km / speed,
            cost_ambient_cny_per_t=km * params.cost_ambient_cny_per_tkm[("road", "city")],
            cost_reefer_cny_per_t=km * params.cost_reefer_cny_per_tkm[("road", "city")], mode="road",
            carrier="road", road_class="city", route="city-connector", route_name_zh="城市连接线",
            route_name_en="city connector", estimate=True, corridors=[],
        )  # fmt: skip
    graph.graph["city_connection"] = {"trunk_node": trunk_node, "osm_node": nearest, "length_km": km}
    return graph
