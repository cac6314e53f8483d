"""Maps of the documented layouts: Xinjiang 1+8+N+1, Gansu, the corridors and Gansu's emergency network.

Each ``*_map`` function returns a :class:`folium.Map` (built through its :class:`planner.maps.base.MapState`);
:func:`layout_map` picks one by name and :func:`write_layout_maps` saves all four into a directory (``maps/`` in the repository, via
``planner map layouts``). Every node popup shows the node's names, roles and provenance (document, clause,
lines); groups and corridors cite the line range that states them. Nodes and corridors completed from
outside the text are drawn hollow or dashed and say so.

Corridors are drawn on the routed network geometry (rail solid, road dashed) when :mod:`planner.network`
is available, else as schematic straight segments between their nodes.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import folium
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, MultiPoint
from shapely.geometry.base import BaseGeometry

from planner import domain
from planner import layout as layout_api
from planner.errors import DataError, PlannerError
from planner.maps.base import LegendItem, MapState, PlannerLayer, new_map, planner_state, save_map
from planner.maps.boundaries import add_boundaries
from planner.maps.html import Html, bilingual, join
from planner.maps.popups import node_popup, short_cite, source_popup

__all__ = [
    "LAYOUT_MAPS",
    "corridors_map",
    "emergency_map",
    "gansu_map",
    "layout_map",
    "write_layout_maps",
    "xinjiang_map",
]

# ----------------------------------------------------------------------------------------- styles

_WHITE = "#ffffff"


def _dot(color: str, *, stroke: str = _WHITE, weight: float = 1.5, opacity: float = 1.0) -> dict[str, Any]:
    return {"color": stroke, "weight": weight, "fillColor": color, "fillOpacity": opacity, "opacity": 1.0}


def _ring(color: str, *, weight: float = 2.5, dash: str | None = None) -> dict[str, Any]:
    style: dict[str, Any] = {"color": color, "weight": weight, "fill": False, "opacity": 0.95}
    if dash:
        style["dashArray"] = dash
    return style


def _area(color: str) -> dict[str, Any]:
    return {"color": color, "weight": 1.2, "fillColor": color, "fillOpacity": 0.16, "opacity": 0.7}


def _link(color: str, *, dash: str | None = None, weight: float = 2.0) -> dict[str, Any]:
    style: dict[str, Any] = {"color": color, "weight": weight, "opacity": 0.85}
    if dash:
        style["dashArray"] = dash
    return style


CORE = "#c62828"
INTERNATIONAL = "#1565c0"
DOMESTIC = "#e65100"
SUPPORT = "#2e7d32"
PORT = "#6a1b9a"
CENTRE = "#ad1457"
NODE = "#00838f"
COUNTY = "#90a4ae"
HEXI = "#f9a825"
LONGDONGNAN = "#2e7d32"
HUB_COLOURS = {
    "land_port": "#6d4c41",
    "air_port": "#0277bd",
    "trade_service": "#ad1457",
    "production_service": "#558b2f",
    "border_port": "#6a1b9a",
    "unspecified": "#757575",
}
HUB_NAMES_ZH = {
    "land_port": "陆港型",
    "air_port": "空港型",
    "trade_service": "商贸服务型",
    "production_service": "生产服务型",
    "border_port": "口岸型",
    "unspecified": "类型未列明",
}

# ------------------------------------------------------------------------------------- geometry

# Albers equal-area for western China: buffers in metres keep their size across the map.
_ALBERS = "+proj=aea +lat_1=30 +lat_2=46 +lat_0=36 +lon_0=95 +ellps=WGS84 +units=m +no_defs"


@functools.lru_cache(maxsize=1)
def _transformers() -> tuple[Transformer, Transformer]:
    forward = Transformer.from_crs("EPSG:4326", _ALBERS, always_xy=True)
    back = Transformer.from_crs(_ALBERS, "EPSG:4326", always_xy=True)
    return forward, back


def extent(points: Iterable[tuple[float, float]], buffer_km: float = 30.0) -> BaseGeometry:
    """The shaded extent of a group of places: their convex hull buffered by ``buffer_km`` (WGS84)."""
    forward, back = _transformers()
    projected = [forward.transform(lon, lat) for lon, lat in points]
    hull = MultiPoint(projected).convex_hull.buffer(buffer_km * 1000.0, quad_segs=8)
    return shapely.transform(hull, lambda xy: np.column_stack(back.transform(xy[:, 0], xy[:, 1])))


def _path(points: list[tuple[float, float]]) -> LineString | None:
    distinct = list(dict.fromkeys(points))
    return LineString(distinct) if len(distinct) >= 2 else None


# ---------------------------------------------------------------------------------------- nodes


class _Nodes:
    """Node rows and role provenance, loaded once per map."""

    def __init__(self) -> None:
        frame = layout_api.load_nodes()
        self.frame = frame.set_index("id", drop=False)
        self.roles = layout_api.load_roles()
        self._popups: dict[str, Html] = {}
        self._labelled: set[str] = set()

    def row(self, node_id: str) -> pd.Series:
        return self.frame.loc[node_id]

    def lonlat(self, node_id: str) -> tuple[float, float]:
        row = self.frame.loc[node_id]
        return float(row["lon"]), float(row["lat"])

    def popup(self, node_id: str) -> Html:
        if node_id not in self._popups:
            row = self.frame.loc[node_id]
            roles = self.roles[self.roles["node_id"] == node_id]
            self._popups[node_id] = node_popup(row.to_dict(), roles)
        return self._popups[node_id]

    def add(
        self,
        layer: PlannerLayer,
        node_id: str,
        style: dict[str, Any],
        radius: float,
        *,
        label: bool = True,
        minor: bool = False,
        tooltip: str | Html | None = None,
    ) -> int:
        row = self.frame.loc[node_id]
        name = str(row["name_zh"])
        label = label and node_id not in self._labelled  # one label per place, on its first layer
        if label:
            self._labelled.add(node_id)
        return layer.add_point(
            float(row["lon"]),
            float(row["lat"]),
            style=style,
            radius=radius,
            popup=self.popup(node_id),
            label=name if label else None,
            minor_label=minor,
            tooltip=tooltip or bilingual(name, row["name_en"]),
            in_china=str(row["country"]) == "CN",
            search=(name, str(row["name_en"]), node_id),
        )


def _fit_province(document: MapState, province: str) -> None:
    """Start the map on the whole of ``province`` (its shipped outline), when the outline is available."""
    from planner.regions import load_regions

    try:
        provinces = load_regions("province")
    except DataError:
        return
    found = domain.province_by_name(province)
    if found is None:
        return
    rows = provinces[provinces["adcode"].astype(str).str.startswith(found.prefix)]
    if len(rows):
        west, south, east, north = rows.total_bounds
        document.fit_to(float(west), float(south), float(east), float(north))


def _new_document(title_zh: str, title_en: str, subtitle_zh: str, subtitle_en: str, basemap: str) -> MapState:
    m = new_map(title_zh, title_en, subtitle_zh=subtitle_zh, subtitle_en=subtitle_en, basemap=basemap)
    document = planner_state(m)
    document.add_attribution("节点坐标 Node coordinates: GeoNames (CC-BY 4.0)")
    return document


def _group_extent(
    layer: PlannerLayer,
    nodes: _Nodes,
    members: Iterable[str],
    colour: str,
    popup: Html,
    tooltip: Html,
    buffer_km: float = 30.0,
) -> None:
    points = [nodes.lonlat(n) for n in members]
    layer.add_geometry(
        extent(points, buffer_km), style=_area(colour), popup=popup, tooltip=tooltip, precision=3
    )


def _group_links(
    layer: PlannerLayer, nodes: _Nodes, members: list[str], style: dict[str, Any], tooltip: Html
) -> None:
    line = _path([nodes.lonlat(n) for n in members])
    if line is not None:
        layer.add_geometry(line, style=style, tooltip=tooltip)


# -------------------------------------------------------------------------------------- Xinjiang


def xinjiang_map(basemap: str = "none") -> folium.Map:
    """The Xinjiang 1+8+N+1 layout: core, 8 agglomeration areas, support nodes, port belt, hubs."""
    plan = layout_api.get_layout("xinjiang")
    nodes = _Nodes()
    document = _new_document(
        "新疆现代物流产业集群空间布局（1+8+N+1）",
        'Xinjiang logistics cluster layout "1+8+N+1"',
        f"1个核心发展区 · 8个集聚区 · N个支撑节点 · 1条口岸经济带 —— {short_cite(plan.source)}",
        "core · agglomeration areas · support nodes · port economic belt",
        basemap,
    )
    add_boundaries(document, ["Xinjiang"])
    _fit_province(document, "Xinjiang")

    # the "8": shaded extents, links and member cities
    areas = plan["areas"]
    layer = document.add_layer("areas", "8个物流产业发展集聚区", "8 agglomeration areas")
    area_colour = {"international": INTERNATIONAL, "domestic": DOMESTIC}
    for group in areas.groups:
        colour = area_colour.get(str(group.attributes.get("group", "")), DOMESTIC)
        kind_zh = "国际物流" if colour == INTERNATIONAL else "能源资源产品出疆"
        names = join([nodes.row(n)["name_zh"] for n in group.members], "、")
        popup = source_popup(
            group.name_zh,
            group.name_en,
            group.source or areas.source,
            [
                join([bilingual("组别", "group"), f": {kind_zh} ({group.attributes.get('group', '')})"]),
                join([bilingual("成员", "members"), ": ", names]),
            ],
        )
        tooltip = bilingual(f"{group.name_zh} 集聚区", group.name_en)
        _group_extent(layer, nodes, group.members, colour, popup, tooltip)
        _group_links(layer, nodes, list(group.members), _link(colour, weight=3), tooltip)
    for group in areas.groups:
        colour = area_colour.get(str(group.attributes.get("group", "")), DOMESTIC)
        for node_id in group.members:
            nodes.add(layer, node_id, _dot(colour), 7)

    # the "N": support nodes (groups of one to three cities)
    support = plan["nodes"]
    layer = document.add_layer("support", "N个物流产业发展支撑节点", "Support nodes (N)")
    for group in support.groups:
        tooltip = bilingual(f"{group.name_zh} 支撑节点", group.name_en)
        if len(group.members) > 1:
            popup = source_popup(
                group.name_zh, group.name_en, support.source, [bilingual("支撑节点组", "support node group")]
            )
            _group_extent(layer, nodes, group.members, SUPPORT, popup, tooltip, buffer_km=20)
            _group_links(layer, nodes, list(group.members), _link(SUPPORT), tooltip)
        for node_id in group.members:
            nodes.add(layer, node_id, _dot(SUPPORT), 6, minor=len(group.members) > 1)

    # the last "1": the port economic belt, named ports and those completed from outside the text
    belt = plan["port_belt"]
    named = next(g for g in belt.groups if g.id == "named")
    unnamed = next(g for g in belt.groups if g.id == "unnamed")
    layer = document.add_layer(
        "ports_named", "口岸经济带：文中列出的口岸", "Port belt: ports named in the text"
    )
    for node_id in named.members:
        nodes.add(layer, node_id, _dot(PORT, stroke=_WHITE), 6, minor=True)
    layer = document.add_layer(
        "ports_unnamed", "口岸经济带：文外补充的口岸（待核实）", "Port belt: other ports (outside the text)"
    )
    for node_id in unnamed.members:
        nodes.add(
            layer,
            node_id,
            {**_ring(PORT, weight=2, dash="3 2"), "fill": True, "fillColor": _WHITE, "fillOpacity": 0.9},
            5,
            minor=True,
        )

    # the first "1": the core
    core = plan["core"]
    layer = document.add_layer("core", "乌鲁木齐现代物流产业核心发展区", "Urumqi core development area")
    for node_id in core.members:
        nodes.add(layer, node_id, _dot(CORE, weight=2.5), 12)

    _add_hubs(document, nodes, "Xinjiang")

    document.add_legend(
        "布局",
        "Layout",
        [
            LegendItem("pt", _dot(CORE, weight=2.5), "核心发展区", "core", radius=7),
            LegendItem("pg", _area(INTERNATIONAL), "国际物流集聚区", "international agglomeration area"),
            LegendItem("pg", _area(DOMESTIC), "出疆通道集聚区", "domestic (outbound) agglomeration area"),
            LegendItem("pt", _dot(SUPPORT), "支撑节点", "support node", radius=5),
            LegendItem("pt", _dot(PORT), "口岸（文中列出）", "port named in the text", radius=5),
            LegendItem(
                "pt",
                {**_ring(PORT, weight=2, dash="3 2"), "fill": True, "fillColor": _WHITE, "fillOpacity": 0.9},
                "口岸（文外补充，待核实）",
                "port outside the text",
                radius=5,
            ),
        ],
    )
    _hub_legend(document, nodes, "Xinjiang")
    document.add_note(
        join(
            [
                f"口岸经济带共{belt.attributes.get('declared_count', '')}个口岸，文中列出{len(named.members)}个；",
                "其余为文外补充（待核实）。",
            ]
        )
    )
    document.add_note("点击地点查看角色与出处（文件、条款、行号）。Click a place for its roles and sources.")
    return document.map


def _hub_types_at(province: str) -> dict[str, list[str]]:
    frame = layout_api.hubs()
    frame = frame[frame["province"] == province]
    by_node: dict[str, list[str]] = defaultdict(list)
    for row in frame.itertuples():
        by_node[row.id].append(row.hub_type)
    return by_node


def _add_hubs(document: MapState, nodes: _Nodes, province: str) -> PlannerLayer:
    """National logistics hubs as coloured rings around their node, one ring per type."""
    frame = layout_api.hubs()
    frame = frame[frame["province"] == province]
    layer = document.add_layer("hubs", "国家物流枢纽（按类型）", "National logistics hubs by type")
    order: dict[str, int] = defaultdict(int)
    for row in frame.itertuples():
        k = order[row.id]
        order[row.id] += 1
        hub_zh = HUB_NAMES_ZH.get(row.hub_type, row.hub_type)
        tooltip = bilingual(
            f"{row.name_zh} 国家物流枢纽（{hub_zh}）",
            f"{row.name_en}: {layout_api.HUB_TYPES[row.hub_type]}; {row.sources}",
        )
        layer.add_point(
            float(row.lon),
            float(row.lat),
            style=_ring(HUB_COLOURS.get(row.hub_type, "#444")),
            radius=13 + 4 * k,
            popup=nodes.popup(row.id),
            tooltip=tooltip,
            in_china=True,
        )
    return layer


def _hub_legend(document: MapState, nodes: _Nodes, province: str) -> None:
    types = sorted({t for ts in _hub_types_at(province).values() for t in ts}, key=list(HUB_COLOURS).index)
    document.add_legend(
        "国家物流枢纽（圆环）",
        "National hubs (rings)",
        [
            LegendItem(
                "pt",
                _ring(HUB_COLOURS[t]),
                HUB_NAMES_ZH[t],
                layout_api.HUB_TYPES[t].split(" ", 1)[-1],
                radius=6,
            )
            for t in types
        ],
    )


# ----------------------------------------------------------------------------------------- Gansu

_PART_STYLE = {
    "hub": (_dot(CORE, weight=2.5), 10, False, "枢纽", "hub"),
    "airport": (_dot("#0277bd"), 7, False, "机场", "airport"),
    "regional_centres": (_dot(CENTRE), 8, False, "区域物流中心", "regional logistics centre"),
    "nodes": (_dot(NODE), 6, False, "物流节点", "logistics node"),
}


def gansu_map(basemap: str = "none") -> folium.Map:
    """Gansu: core drive, Hexi and 陇东南 domains, multi-point extension, hubs, land ports, airports."""
    plan = layout_api.get_layout("gansu")
    nodes = _Nodes()
    document = _new_document(
        "甘肃现代物流发展格局",
        "Gansu modern logistics layout",
        f"核心驱动、双域协同、多点延展 —— {short_cite(plan.source)}",
        "core drive · two domains · multi-point extension",
        basemap,
    )
    add_boundaries(document, ["Gansu"])
    _fit_province(document, "Gansu")

    # multi-point extension: the county seats (drawn first, small)
    extension = plan["extension"]
    layer = document.add_layer("extension", "多点延展：县域配送节点", "Multi-point extension: county seats")
    from planner.regions import load_county_seats

    seats = load_county_seats()
    seats = seats[seats["province_adcode"].astype(str) == domain.province("gansu").adcode]
    popup_lines = [
        bilingual(
            "县乡配送中心与产地预冷中心的布局范围",
            "county and township distribution centres, origin pre-cooling",
        )
    ]
    for row in seats.itertuples():
        popup = source_popup(
            str(row.name_zh), str(row.name_en), extension.source, popup_lines, note=str(row.coord_note)
        )
        layer.add_point(
            float(row.lon),
            float(row.lat),
            style=_dot(COUNTY, weight=1),
            radius=3,
            popup=popup,
            tooltip=bilingual(row.name_zh, row.name_en),
            in_china=True,
        )

    domain_colour = {"hexi": HEXI, "longdongnan": LONGDONGNAN}
    domains = plan["domains"]
    for group in domains.groups:
        colour = domain_colour.get(group.id, "#555")
        layer = document.add_layer(
            f"domain_{group.id}", f"双域协同：{group.name_zh}", f"Domain: {group.name_en}"
        )
        names = join([nodes.row(n)["name_zh"] for n in group.members], "、")
        popup = source_popup(
            group.name_zh,
            group.name_en,
            group.source or domains.source,
            [join([bilingual("成员", "members"), ": ", names])],
        )
        _group_extent(
            layer,
            nodes,
            group.members,
            colour,
            popup,
            bilingual(f"{group.name_zh}（双域协同）", group.name_en),
            buffer_km=45,
        )
        hubs_here = [n for part, ids in group.parts.items() if part == "hub" for n in ids]
        for part, ids in group.parts.items():
            style, radius, minor, _, _ = _PART_STYLE.get(part, _PART_STYLE["nodes"])
            for node_id in ids:
                nodes.add(layer, node_id, style, radius, minor=minor)
                for hub in hubs_here:
                    if hub != node_id and part in ("nodes", "airport"):
                        _group_links(
                            layer,
                            nodes,
                            [hub, node_id],
                            _link(colour, dash="4 4", weight=1.5),
                            bilingual(f"{nodes.row(hub)['name_zh']}—{nodes.row(node_id)['name_zh']}"),
                        )

    core = plan["core"]
    layer = document.add_layer("core", "核心驱动：兰州—白银都市圈", "Core drive: Lanzhou-Baiyin")
    members = list(core.members)
    popup = source_popup(
        core.name_zh,
        core.name_en,
        core.source,
        [join([bilingual("成员", "members"), ": ", join([nodes.row(n)["name_zh"] for n in members], "、")])],
    )
    _group_extent(layer, nodes, members, CORE, popup, bilingual(core.name_zh, core.name_en), buffer_km=30)
    hub = core.parts.get("hub", (members[0],))[0]
    for node_id in core.parts.get("nodes", ()):
        _group_links(
            layer,
            nodes,
            [hub, node_id],
            _link(CORE, weight=2),
            bilingual(f"{nodes.row(hub)['name_zh']}—{nodes.row(node_id)['name_zh']}"),
        )
    for part, ids in core.parts.items():
        style, radius, minor, _, _ = _PART_STYLE.get(part, _PART_STYLE["nodes"])
        for node_id in ids:
            nodes.add(
                layer,
                node_id,
                _dot(CORE, weight=2.5) if part == "hub" else style,
                12 if part == "hub" else radius,
                minor=minor,
            )

    _add_hubs(document, nodes, "Gansu")
    for component_id, layer_id, name_zh, name_en, colour, dash in (
        ("land_ports", "land_ports", "国际陆港", "International land ports", "#6d4c41", None),
        ("airports", "airports", "国际空港", "International airports", "#0277bd", "5 3"),
    ):
        component = plan[component_id]
        layer = document.add_layer(layer_id, name_zh, name_en)
        for node_id in component.members:
            row = nodes.row(node_id)
            layer.add_point(
                float(row["lon"]),
                float(row["lat"]),
                style=_ring(colour, weight=3, dash=dash),
                radius=27 if layer_id == "airports" else 23,
                popup=nodes.popup(node_id),
                tooltip=bilingual(
                    f"{row['name_zh']} {name_zh}",
                    f"{row['name_en']}: {name_en} ({short_cite(component.source)})",
                ),
                in_china=True,
            )

    document.add_legend(
        "格局",
        "Layout",
        [
            LegendItem(
                "pt", _dot(CORE, weight=2.5), "核心驱动（兰州枢纽）", "core drive (Lanzhou)", radius=7
            ),
            LegendItem("pg", _area(CORE), "兰州—白银都市圈", "core area"),
            LegendItem("pg", _area(HEXI), "河西走廊", "Hexi Corridor domain"),
            LegendItem("pg", _area(LONGDONGNAN), "陇东南", "south-east domain"),
            LegendItem(
                "pt",
                _PART_STYLE["regional_centres"][0],
                "区域物流中心",
                "regional logistics centre",
                radius=6,
            ),
            LegendItem("pt", _PART_STYLE["airport"][0], "机场", "airport", radius=5),
            LegendItem("pt", _PART_STYLE["nodes"][0], "物流节点", "logistics node", radius=5),
            LegendItem("pt", _dot(COUNTY, weight=1), "县域（多点延展）", "county seat (extension)", radius=3),
        ],
    )
    _hub_legend(document, nodes, "Gansu")
    document.add_legend(
        "国际陆港与空港",
        "Land ports and airports",
        [
            LegendItem("pt", _ring("#6d4c41", weight=3), "国际陆港", "international land port", radius=6),
            LegendItem(
                "pt", _ring("#0277bd", weight=3, dash="5 3"), "国际空港", "international airport", radius=6
            ),
        ],
    )
    document.add_note("点击地点查看角色与出处（文件、条款、行号）。Click a place for its roles and sources.")
    return document.map


# ------------------------------------------------------------------------------------- corridors

CORRIDOR_KINDS = {
    "channel": ("六通道", "Six channels", ["#d81b60", "#8e24aa", "#3949ab", "#00897b", "#f4511e", "#6d4c41"]),
    "corridor": ("三廊", "Three corridors", ["#c62828", "#1565c0", "#2e7d32"]),
    "international_corridor": ("国际经济走廊", "International corridors", ["#ff8f00", "#5e35b1"]),
    "flow": (
        "新疆外运通道与绿色走廊",
        "Xinjiang outbound flows and green corridor",
        ["#37474f", "#8d6e63", "#0097a7", "#43a047"],
    ),
}


def network_corridor_lines() -> dict[str, list[tuple[str, BaseGeometry]]] | None:
    """Routed geometry per corridor id from :mod:`planner.network`: ``{corridor: [(mode, lines)]}``.

    Returns ``None`` when the network package is absent (or does not offer ``build_network`` yet);
    corridors with no network edge are left out (the caller draws them schematically). Edges of both
    directions are counted once. Errors inside the network package propagate.
    """
    if importlib.util.find_spec("planner.network") is None:
        return None
    network = importlib.import_module("planner.network")
    build_network = getattr(network, "build_network", None)
    if build_network is None:
        return None
    graph = build_network()
    pieces: dict[tuple[str, str], list[BaseGeometry]] = defaultdict(list)
    seen: set[tuple[str, str, bytes]] = set()
    for _, _, data in graph.edges(data=True):
        geometry = data.get("geometry")
        if geometry is None or geometry.is_empty:
            continue
        key_geometry = shapely.normalize(geometry).wkb
        for corridor in data.get("corridors") or ():
            mode = str(data.get("mode", ""))
            key = (str(corridor), mode, key_geometry)
            if key in seen:
                continue
            seen.add(key)
            pieces[(str(corridor), mode)].append(geometry)
    result: dict[str, list[tuple[str, BaseGeometry]]] = defaultdict(list)
    for (corridor, mode), geometries in sorted(pieces.items()):
        merged = shapely.line_merge(shapely.union_all(geometries))
        result[corridor].append((mode, merged))
    return dict(result)


def _mode_style(colour: str, mode: str, outside: bool) -> dict[str, Any]:
    if mode == "rail":
        return _link(colour, weight=4)
    if mode == "road":
        return _link(colour, weight=3, dash="8 5")
    if mode == "schematic":
        return _link(colour, weight=3.5, dash="2 6" if outside else None)
    return _link(colour, weight=2, dash="1 4")  # border crossings, transfers


def corridors_map(basemap: str = "none") -> folium.Map:
    """三廊六通道, the international corridors and the Xinjiang flows, coloured by corridor."""
    nodes = _Nodes()
    corridors = layout_api.load_corridors()
    routed = network_corridor_lines() or {}
    on_network = sum(1 for corridor_id in corridors["id"] if routed.get(corridor_id))
    if on_network == len(corridors):
        how = "routed on the transport network (rail solid, road dashed)"
    elif on_network:
        how = f"{on_network} of {len(corridors)} routed on the transport network, the rest schematic"
    else:
        how = "schematic alignment: straight segments between the named places"
    document = _new_document(
        "物流通道：三廊六通道、国际走廊与新疆外运通道",
        "Corridors: Gansu's three corridors and six channels, international corridors, Xinjiang flows",
        "甘肃规划专栏1（G:L1074-1081）、第三章二（G:L943-947）；新疆行动方案（X:L20, X:L35）",
        how,
        basemap,
    )
    add_boundaries(document, ["Xinjiang", "Gansu"])
    used_modes: set[str] = set()
    for kind, (name_zh, name_en, palette) in CORRIDOR_KINDS.items():
        subset = corridors[corridors["kind"] == kind]
        if subset.empty:
            continue
        layer = document.add_layer(f"corridors_{kind}", name_zh, name_en)
        items = []
        for index, row in enumerate(subset.itertuples()):
            colour = palette[index % len(palette)]
            source = {"document": row.document, "clause": row.clause, "lines": row.lines}
            route_names = join([nodes.row(n)["name_zh"] for n in row.node_ids], "—")
            popup = source_popup(
                row.name_zh,
                row.name_en,
                source,
                [join([bilingual("节点", "nodes"), ": ", route_names])],
                outside_text=bool(row.outside_text),
                note=str(row.note or ""),
            )
            tooltip = bilingual(row.name_zh, row.name_en)
            pieces = routed.get(row.id) or [("schematic", row.geometry)]
            for mode, geometry in pieces:
                used_modes.add(mode)
                layer.add_geometry(
                    geometry,
                    style=_mode_style(colour, mode, bool(row.outside_text)),
                    popup=popup,
                    tooltip=tooltip,
                )
            items.append(
                LegendItem("ln", _link(colour, weight=4), f"{row.name_zh}{' *' if row.outside_text else ''}")
            )
        document.add_legend(name_zh, name_en, items)

    # the places the corridors run through
    layer = document.add_layer("corridor_nodes", "通道节点", "Corridor places")
    major = set(layout_api.get_layout("xinjiang")["core"].members) | set(
        layout_api.get_layout("gansu")["core"].parts.get("hub", ())
    )
    ordered = list(dict.fromkeys(n for ids in corridors["node_ids"] for n in ids))
    for node_id in ordered:
        foreign = str(nodes.row(node_id)["country"]) != "CN"
        style = _dot("#37474f" if not foreign else "#9e9e9e", weight=1.5)
        nodes.add(layer, node_id, style, 7 if node_id in major else 4.5, minor=node_id not in major)

    mode_items = []
    if "rail" in used_modes:
        mode_items.append(LegendItem("ln", _mode_style("#444", "rail", False), "铁路", "rail"))
    if "road" in used_modes:
        mode_items.append(LegendItem("ln", _mode_style("#444", "road", False), "公路", "road"))
    other = sorted(used_modes - {"rail", "road", "schematic"})
    if other:
        mode_items.append(
            LegendItem("ln", _mode_style("#444", other[0], False), "过境/换装", ", ".join(other))
        )
    if "schematic" in used_modes:
        mode_items.append(
            LegendItem(
                "ln",
                _mode_style("#444", "schematic", False),
                "示意走向（文中节点顺序）",
                "schematic, node order as in the text",
            )
        )
        mode_items.append(
            LegendItem(
                "ln",
                _mode_style("#444", "schematic", True),
                "示意走向（节点顺序为估计）",
                "schematic, estimated node order",
            )
        )
    mode_items.append(LegendItem("pt", _dot("#37474f"), "通道节点", "corridor place", radius=4))
    mode_items.append(LegendItem("pt", _dot("#9e9e9e"), "境外节点", "place outside China", radius=4))
    document.add_legend("线型", "Line types", mode_items)
    document.add_note(
        "* 节点顺序为本项目对走向的估计（文中只给名称）。* node order estimated: the text names the corridor only."
    )
    document.add_note("走廊重叠处可在图层控制中切换显示。Toggle layers to separate overlapping corridors.")
    return document.map


# ------------------------------------------------------------------------------------- emergency


def emergency_map(basemap: str = "none") -> folium.Map:
    """Gansu's emergency reserve network (专栏11): reserve centres, grain-oil centres, grain storage."""
    plan = layout_api.get_layout("gansu")
    nodes = _Nodes()
    component = plan["emergency"]
    document = _new_document(
        "甘肃应急物资储备网络（专栏11）",
        "Gansu emergency reserve network (box 11)",
        f"省级储备基地 · 市州分拨配送 · 县区保障节点 —— {short_cite(component.source)}",
        "province base · prefecture distribution · county nodes",
        basemap,
    )
    add_boundaries(document, ["Gansu"])
    _fit_province(document, "Gansu")

    strategic = layout_api.nodes_by_role("strategic_reserve_base")
    layer = document.add_layer(
        "strategic_base", "省级：战略物资储备基地（争取）", "Province: strategic reserve base (sought)"
    )
    for node_id in strategic["id"]:
        row = nodes.row(node_id)
        layer.add_point(
            float(row["lon"]),
            float(row["lat"]),
            style=_ring(CORE, weight=3, dash="6 3"),
            radius=26,
            popup=nodes.popup(node_id),
            tooltip=bilingual(
                "兰州新区 西北公共卫生突发事件战略物资储备基地（争取）", "sought strategic reserve base"
            ),
            in_china=True,
        )

    styles = {
        "reserve_centres": (
            _dot("#c62828", weight=2),
            10,
            "市州：应急物资储备库或储运中心",
            "Prefecture: emergency reserve / storage-and-transport centres",
        ),
        "grain_oil_centres": (
            _ring("#ef6c00", weight=3.5),
            16,
            "市州：成品粮油应急保障中心",
            "Prefecture: grain and oil emergency supply centres",
        ),
        "grain_storage": (
            _dot("#6d4c41", weight=1.5),
            6,
            "县区：粮油应急仓储设施",
            "County: grain and oil emergency storage",
        ),
    }
    legend = [
        LegendItem(
            "pt",
            _ring(CORE, weight=3, dash="6 3"),
            "战略物资储备基地（争取）",
            "strategic reserve base (sought)",
            radius=6,
        )
    ]
    for group in component.groups:
        style, radius, name_zh, name_en = styles.get(
            group.id, (_dot("#555"), 7, group.name_zh, group.name_en)
        )
        layer = document.add_layer(f"emergency_{group.id}", name_zh, name_en)
        for node_id in group.members:
            row = nodes.row(node_id)
            tooltip = bilingual(f"{row['name_zh']} {group.name_zh}", f"{row['name_en']}: {group.name_en}")
            nodes.add(layer, node_id, style, radius, tooltip=tooltip)
        legend.append(LegendItem("pt", style, group.name_zh, group.name_en, radius=min(radius, 6)))
    document.add_legend("应急保障网络", "Emergency network", legend)
    document.add_note(
        join(
            [
                "专栏11：1. 综合储备体系（省级）；2. 市州应急分拨配送系统；3. 县区应急保障节点。",
                f"出处 Source: {short_cite(component.source)}",
            ],
            " ",
        )
    )
    return document.map


# ------------------------------------------------------------------------------------- registry

#: The layout maps by name, with the file each is written to by :func:`write_layout_maps`.
LAYOUT_MAPS: dict[str, Callable[[str], folium.Map]] = {
    "xinjiang": xinjiang_map,
    "gansu": gansu_map,
    "corridors": corridors_map,
    "emergency": emergency_map,
}


def layout_map(name: str, basemap: str = "none") -> folium.Map:
    """The layout map ``name`` (``xinjiang``, ``gansu``, ``corridors`` or ``emergency``)."""
    key = name.strip().lower()
    if key not in LAYOUT_MAPS:
        raise PlannerError(f"unknown layout map {name!r}; use one of {', '.join(LAYOUT_MAPS)}")
    return LAYOUT_MAPS[key](basemap)


def write_layout_maps(out_dir: str | Path, basemap: str = "none") -> dict[str, Path]:
    """Render every layout map into ``out_dir`` as ``<name>.html``; return the paths by name."""
    out = Path(out_dir)
    maps = {name: layout_map(name, basemap) for name in LAYOUT_MAPS}  # build all before writing any
    return {name: save_map(m, out / f"{name}.html") for name, m in maps.items()}
