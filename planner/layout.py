"""The documented layouts: nodes, their roles with provenance, layouts and corridors.

Loads the shipped files of ``geodata/`` (see ``geodata/README.md``) as GeoDataFrames in EPSG:4326 and
answers questions about them: the components of a layout (``xinjiang`` -> core / areas / nodes /
port belt; ``gansu`` -> core / domains / extension / ports / emergency), national hubs by type, nodes by
role, and where each fact comes from (document, clause, line range).

Files are validated as they load: a missing column, a duplicate id, an unknown role, a node id that a
role, layout or corridor names but the node table lacks, or a coordinate outside the node's province
raises :class:`planner.errors.DataError` with one line naming the file, row and field.
"""

from __future__ import annotations

import csv
import difflib
import functools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import yaml
from shapely.geometry import LineString, Point

from planner.errors import DataError, PlannerError
from planner.name_index import KeyForm, NameIndex, as_given, first_ids
from planner.paths import geodata_dir

__all__ = [
    "HUB_TYPES",
    "NODE_COLUMNS",
    "ROLES",
    "ROLE_COLUMNS",
    "Component",
    "Group",
    "Layout",
    "get_layout",
    "hubs",
    "layout_names",
    "load_corridors",
    "resolve_corridor",
    "load_nodes",
    "load_roles",
    "node_names",
    "nodes_by_role",
    "provenance",
    "resolve_node",
]

NODE_COLUMNS = [
    "id",
    "name_zh",
    "name_en",
    "province",
    "country",
    "kind",
    "geonames_id",
    "lon",
    "lat",
    "coord_source",
    "host_county_zh",
    "coord_note",
]
ROLE_COLUMNS = [
    "node_id",
    "role",
    "detail",
    "document",
    "clause",
    "lines",
    "cited_as",
    "outside_text",
    "note",
]

#: The controlled vocabulary of node roles, with an English description of each.
ROLES: dict[str, str] = {
    "cluster_core": "core of a layout (Urumqi core development area; Lanzhou core drive)",
    "national_hub": "national logistics hub (detail: its type)",
    "agglomeration_area_member": "member city of a Xinjiang agglomeration area (detail: area id)",
    "support_node": "Xinjiang support node (detail: node group id)",
    "border_port": "border port (detail: named / unnamed / rail)",
    "regional_logistics_centre": "regional logistics centre",
    "logistics_node": "logistics node",
    "international_land_port": "international land port",
    "international_airport": "international airport",
    "air_logistics_base": "international air logistics base",
    "airport": "airport with a logistics role",
    "rail_container_centre": "railway container centre station",
    "bulk_commodity_storage_base": "bulk-commodity storage base",
    "cold_chain_base_candidate": "candidate for a national backbone cold-chain base",
    "cold_chain_project": "named cold-chain project",
    "emergency_reserve_centre": "emergency reserve or storage-and-transport centre",
    "grain_oil_emergency_centre": "grain and oil emergency supply centre",
    "grain_emergency_storage": "grain and oil emergency storage",
    "strategic_reserve_base": "strategic reserve base (sought)",
    "international_distribution_centre": "international (return-cargo) distribution centre",
    "suburban_warehouse_base": "suburban warehouse base",
    "overseas_warehouse": "overseas forward warehouse",
    "corridor_node": "outside place a corridor or channel runs to",
}

#: National logistics hub types (the ``detail`` of a ``national_hub`` role).
HUB_TYPES: dict[str, str] = {
    "land_port": "陆港型 land-port",
    "air_port": "空港型 air-port",
    "trade_service": "商贸服务型 trade-service",
    "production_service": "生产服务型 production-service",
    "border_port": "口岸型 border-port",
    "unspecified": "type not named in the text",
}

_PROVINCE_ADCODES = {
    "Xinjiang": "65",
    "Gansu": "62",
    "Qinghai": "63",
    "Ningxia": "64",
    "Inner Mongolia": "15",
    "Shaanxi": "61",
    "Sichuan": "51",
    "Tibet": "54",
    "Chongqing": "50",
    "Henan": "41",
    "Beijing": "11",
    "Shanghai": "31",
    "Guangdong": "44",
}


def _read_csv(path: Path, required: list[str]) -> list[dict[str, str]]:
    if not path.is_file():
        raise DataError(f"{path}: file not found; restore it from the repository or set PLANNER_GEODATA")
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            header = list(reader.fieldnames or [])
            missing = [c for c in required if c not in header]
            if missing:
                raise DataError(
                    f"{path.name}: missing column(s) {', '.join(missing)}; the header must hold {', '.join(required)}"
                )
            rows = list(reader)
    except UnicodeDecodeError as exc:
        raise DataError(f"{path.name}: not UTF-8 text ({exc.reason}); save the file as UTF-8") from exc
    for line_no, row in enumerate(rows, start=2):
        if None in row:
            raise DataError(
                f"{path.name}:{line_no}: more fields than the header has columns; quote values containing commas"
            )
    return rows


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise DataError(f"{path}: file not found; restore it from the repository or set PLANNER_GEODATA")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise DataError(
            f"{path.name}{where}: invalid YAML ({getattr(exc, 'problem', exc)}); fix the syntax"
        ) from exc
    if not isinstance(data, dict):
        raise DataError(f"{path.name}: expected a mapping at the top level")
    return data


def _float(value: str, path: Path, line_no: int, column: str, low: float, high: float) -> float:
    try:
        number = float(value)
    except ValueError:
        raise DataError(f"{path.name}:{line_no}: field {column}={value!r} is not a number") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise DataError(f"{path.name}:{line_no}: field {column}={value} is outside [{low}, {high}]")
    return number


@functools.lru_cache(maxsize=4)
def _nodes_cached(directory: str) -> gpd.GeoDataFrame:
    path = Path(directory) / "nodes.csv"
    rows = _read_csv(path, NODE_COLUMNS)
    seen: dict[str, int] = {}
    records = []
    for line_no, row in enumerate(rows, start=2):
        node_id = row["id"].strip()
        if not node_id:
            raise DataError(f"{path.name}:{line_no}: field id is empty; give every node a stable id")
        if node_id in seen:
            raise DataError(
                f"{path.name}:{line_no}: duplicate id {node_id!r} (first at line {seen[node_id]}); ids must be unique"
            )
        seen[node_id] = line_no
        if not row["name_zh"].strip():
            raise DataError(f"{path.name}:{line_no}: field name_zh is empty for node {node_id!r}")
        lon = _float(row["lon"], path, line_no, "lon", -180, 180)
        lat = _float(row["lat"], path, line_no, "lat", -90, 90)
        province = row["province"].strip()
        if row["country"].strip() == "CN" and province not in _PROVINCE_ADCODES:
            known = ", ".join(_PROVINCE_ADCODES)
            raise DataError(
                f"{path.name}:{line_no}: field province={province!r} is unknown; use one of {known}"
            )
        record = {c: row[c].strip() for c in NODE_COLUMNS}
        record["lon"], record["lat"] = lon, lat
        records.append(record)
    frame = gpd.GeoDataFrame(
        records,
        geometry=[Point(r["lon"], r["lat"]) for r in records],
        crs="EPSG:4326",
    )
    _check_inside_province(frame, path)
    return frame


def _check_inside_province(frame: gpd.GeoDataFrame, path: Path) -> None:
    """Refuse a Chinese node whose point is outside its province polygon (when polygons are shipped)."""
    try:
        from planner.regions import load_regions
    except ImportError:  # pragma: no cover - regions ship with the package
        return
    try:
        provinces = load_regions("province")
    except DataError:
        return
    polygons = {str(r.adcode)[:2]: r.geometry for r in provinces.itertuples()}
    for line_no, row in enumerate(frame.itertuples(), start=2):
        if row.country != "CN":
            continue
        polygon = polygons.get(_PROVINCE_ADCODES[row.province])
        if polygon is None:
            continue
        # Simplified outlines can shave a border town, and a border pass sits on the line itself; allow
        # 3 km of slack (0.03 degrees) at the edge.
        if not polygon.contains(row.geometry) and polygon.distance(row.geometry) > 0.03:
            raise DataError(
                f"{path.name}:{line_no}: node {row.id!r} at ({row.lon}, {row.lat}) is outside province "
                f"{row.province}; fix lon/lat or the province field"
            )


@functools.lru_cache(maxsize=4)
def _roles_cached(directory: str) -> pd.DataFrame:
    path = Path(directory) / "node_roles.csv"
    rows = _read_csv(path, ROLE_COLUMNS)
    node_ids = set(_nodes_cached(directory)["id"])
    seen: set[tuple[str, str, str, str, str]] = set()
    for line_no, row in enumerate(rows, start=2):
        for column in ROLE_COLUMNS:
            row[column] = row[column].strip()
        if row["node_id"] not in node_ids:
            raise DataError(
                f"{path.name}:{line_no}: field node_id={row['node_id']!r} is not an id in nodes.csv"
            )
        if row["role"] not in ROLES:
            hint = difflib.get_close_matches(row["role"], ROLES, n=1)
            tip = f"; did you mean {hint[0]!r}?" if hint else f"; known roles: {', '.join(ROLES)}"
            raise DataError(f"{path.name}:{line_no}: field role={row['role']!r} is not a known role{tip}")
        if row["role"] == "national_hub" and row["detail"] not in HUB_TYPES:
            raise DataError(
                f"{path.name}:{line_no}: field detail={row['detail']!r} is not a hub type; use one of {', '.join(HUB_TYPES)}"
            )
        if row["outside_text"] not in ("yes", "no"):
            raise DataError(
                f"{path.name}:{line_no}: field outside_text={row['outside_text']!r} must be yes or no"
            )
        if row["outside_text"] == "no":
            for column in ("document", "lines", "cited_as"):
                if not row[column]:
                    raise DataError(
                        f"{path.name}:{line_no}: field {column} is empty; a role from the text cites document, lines and the words cited"
                    )
            if not _valid_lines(row["lines"]):
                raise DataError(f"{path.name}:{line_no}: field lines={row['lines']!r} must be N or N-M")
        elif not row["note"]:
            raise DataError(
                f"{path.name}:{line_no}: field note is empty; a role from outside the text must say where it comes from"
            )
        key = (row["node_id"], row["role"], row["detail"], row["document"], row["lines"])
        if key in seen:
            raise DataError(
                f"{path.name}:{line_no}: duplicate role row for {row['node_id']!r} {row['role']} {row['lines']}"
            )
        seen.add(key)
    return pd.DataFrame(rows, columns=ROLE_COLUMNS)


def _valid_lines(lines: str) -> bool:
    first, _, last = lines.partition("-")
    return first.isdigit() and (not last or (last.isdigit() and int(last) >= int(first)))


def load_nodes() -> gpd.GeoDataFrame:
    """Return the documented nodes as points (EPSG:4326).

    Columns: ``id, name_zh, name_en, province, country, kind, geonames_id, lon, lat, coord_source,
    host_county_zh, coord_note`` plus ``roles`` (sorted list of ``role`` or ``role:detail`` strings)
    and ``geometry``. ``lon``/``lat`` are WGS84 degrees from the GeoNames record ``geonames_id``.
    """
    directory = str(geodata_dir())
    nodes = _nodes_cached(directory).copy()
    roles = _roles_cached(directory)
    labels = roles.assign(
        label=[f"{r}:{d}" if d else r for r, d in zip(roles.role, roles.detail, strict=True)]
    )
    by_node = labels.groupby("node_id")["label"].agg(lambda s: sorted(set(s)))
    nodes["roles"] = [by_node.get(node_id, []) for node_id in nodes["id"]]
    return nodes


def load_roles() -> pd.DataFrame:
    """Return every node role with its provenance (one row per role and citing line range)."""
    return _roles_cached(str(geodata_dir())).copy()


def provenance(node: str) -> pd.DataFrame:
    """Return the roles of ``node`` (id or name) with document, clause, lines and the words cited."""
    node_id = resolve_node(node)
    roles = load_roles()
    return roles[roles["node_id"] == node_id].reset_index(drop=True)


def nodes_by_role(role: str, detail: str | None = None) -> gpd.GeoDataFrame:
    """Return the nodes holding ``role`` (optionally with that ``detail``), one row per node."""
    if role not in ROLES:
        hint = difflib.get_close_matches(role, ROLES, n=1)
        tip = f"; did you mean {hint[0]!r}?" if hint else ""
        raise PlannerError(f"unknown role {role!r}{tip} (known roles: {', '.join(ROLES)})")
    roles = load_roles()
    selected = roles[roles["role"] == role]
    if detail is not None:
        selected = selected[selected["detail"] == detail]
    nodes = load_nodes()
    return nodes[nodes["id"].isin(set(selected["node_id"]))].reset_index(drop=True)


def hubs(hub_type: str | None = None) -> gpd.GeoDataFrame:
    """Return national logistics hubs: one row per node and hub type, with the lines that cite it.

    ``hub_type`` is one of :data:`HUB_TYPES` (``land_port``, ``air_port``, ``trade_service``,
    ``production_service``, ``border_port``, ``unspecified``); ``None`` returns all types. Where the
    documents disagree (Lanzhou's types), each type lists every line range that states it.
    """
    if hub_type is not None and hub_type not in HUB_TYPES:
        raise PlannerError(f"unknown hub type {hub_type!r}; use one of {', '.join(HUB_TYPES)}")
    roles = load_roles()
    selected = roles[roles["role"] == "national_hub"]
    if hub_type is not None:
        selected = selected[selected["detail"] == hub_type]
    cited = (
        selected.assign(citation=selected["document"].str[:3] + ":L" + selected["lines"])
        .groupby(["node_id", "detail"], sort=False)["citation"]
        .agg(lambda s: "; ".join(dict.fromkeys(s)))
        .reset_index()
        .rename(columns={"detail": "hub_type", "citation": "sources"})
    )
    nodes = load_nodes()[["id", "name_zh", "name_en", "province", "lon", "lat", "geometry"]]
    merged = cited.merge(nodes, left_on="node_id", right_on="id").drop(columns="node_id")
    columns = ["id", "name_zh", "name_en", "province", "hub_type", "sources", "lon", "lat", "geometry"]
    return gpd.GeoDataFrame(merged[columns], geometry="geometry", crs="EPSG:4326")


def resolve_node(name: str) -> str:
    """Return the node id for ``name``: an id, a Chinese name or an English name (case-insensitive).

    Tried in this order: the id, the Chinese name, the English name with or without its bracketed part
    ("Shache (Yarkant)"), the Chinese name without 市/县. Raises :class:`PlannerError` naming the closest
    known names when nothing matches.
    """
    return node_names().resolve(name)


def node_names() -> NameIndex:
    """The name index :func:`resolve_node` looks nodes up in (its steps, in order, and its suggestions)."""
    return _node_names_cached(str(geodata_dir()))


@functools.lru_cache(maxsize=4)
def _node_names_cached(directory: str) -> NameIndex:
    nodes = _nodes_cached(directory)
    english = nodes["name_en"].str.lower()
    short_english = english.str.replace(r"\s*\(.*\)$", "", regex=True)
    english_ids: dict[str, str] = {}
    for full, short, node in zip(english, short_english, nodes["id"], strict=True):
        english_ids.setdefault(str(full), str(node))
        english_ids.setdefault(str(short), str(node))
    steps: tuple[tuple[KeyForm, dict[str, str]], ...] = (
        (as_given, first_ids(nodes["id"], nodes["id"])),
        (as_given, first_ids(nodes["name_zh"], nodes["id"])),
        (str.lower, english_ids),
        (_without_city_county, first_ids(nodes["name_zh"].str.rstrip("市县"), nodes["id"])),
    )
    return NameIndex(steps, (*nodes["id"], *nodes["name_zh"], *nodes["name_en"]))


def _without_city_county(key: str) -> str:
    return key.rstrip("市县")


# --------------------------------------------------------------------------------------- layouts


@dataclass(frozen=True)
class Group:
    """A named group of nodes inside a layout component (an agglomeration area, a domain...)."""

    id: str
    name_zh: str
    name_en: str
    members: tuple[str, ...]
    parts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)
    source: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Component:
    """A component of a layout (core, areas, nodes, port belt, domains...)."""

    id: str
    name_zh: str
    name_en: str
    source: dict[str, str]
    members: tuple[str, ...]
    groups: tuple[Group, ...] = ()
    parts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Layout:
    """A documented layout: its components in the order the text gives them."""

    id: str
    name_zh: str
    name_en: str
    province: str
    source: dict[str, str]
    components: dict[str, Component]

    def __getitem__(self, component: str) -> Component:
        try:
            return self.components[component]
        except KeyError:
            raise PlannerError(
                f"layout {self.id!r} has no component {component!r}; it has {', '.join(self.components)}"
            ) from None

    def to_frame(self) -> pd.DataFrame:
        """One row per (component, group, part, member) in document order, with node names."""
        rows = []
        for component in self.components.values():
            units = component.groups or (
                Group(id="", name_zh="", name_en="", members=component.members, parts=component.parts),
            )
            for group in units:
                assignments = _part_assignments(group.members, group.parts)
                for order, (node_id, part) in enumerate(assignments, start=1):
                    rows.append(
                        {
                            "layout": self.id,
                            "component": component.id,
                            "group": group.id,
                            "group_name_zh": group.name_zh,
                            "part": part,
                            "order": order,
                            "node_id": node_id,
                            "outside_text": bool(group.attributes.get("outside_text", False)),
                        }
                    )
        frame = pd.DataFrame(rows)
        names = load_nodes().set_index("id")[["name_zh", "name_en"]]
        return frame.join(names, on="node_id")

    def nodes(self, component: str | None = None) -> gpd.GeoDataFrame:
        """The distinct nodes of the layout (or of one component) as points, in document order."""
        frame = self.to_frame()
        if component is not None:
            self[component]
            frame = frame[frame["component"] == component]
        ordered = list(dict.fromkeys(frame["node_id"]))
        nodes = load_nodes().set_index("id")
        return nodes.loc[ordered].reset_index()


def _part_assignments(members: tuple[str, ...], parts: dict[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    if parts:
        return [(node_id, part) for part, ids in parts.items() for node_id in ids]
    return [(node_id, "") for node_id in members]


def _members(
    spec: dict[str, Any], where: str, path: Path, known: set[str]
) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    parts_spec = spec.get("parts") or {}
    if not isinstance(parts_spec, dict):
        raise DataError(f"{path.name}: {where}.parts must map part names to lists of node ids")
    parts = {str(k): tuple(v or ()) for k, v in parts_spec.items()}
    members = tuple(spec.get("members") or ()) or tuple(n for ids in parts.values() for n in ids)
    for node_id in members:
        if node_id not in known:
            raise DataError(f"{path.name}: {where}: node {node_id!r} is not an id in nodes.csv")
    return members, parts


def _source(spec: dict[str, Any], documents: dict[str, str], where: str, path: Path) -> dict[str, str]:
    raw = spec.get("source")
    if not isinstance(raw, dict) or "document" not in raw or "lines" not in raw:
        raise DataError(f"{path.name}: {where}.source must give document and lines")
    document = documents.get(str(raw["document"]), str(raw["document"]))
    lines = str(raw["lines"])
    if not _valid_lines(lines):
        raise DataError(f"{path.name}: {where}.source.lines={lines!r} must be N or N-M")
    return {"document": document, "clause": str(raw.get("clause", "")), "lines": lines}


_META_KEYS = {"id", "name_zh", "name_en", "members", "parts", "groups", "source"}


@functools.lru_cache(maxsize=4)
def _layouts_cached(directory: str) -> dict[str, Layout]:
    path = Path(directory) / "layouts.yaml"
    data = _read_yaml(path)
    documents = data.get("documents") or {}
    known = set(_nodes_cached(directory)["id"])
    layouts: dict[str, Layout] = {}
    for layout_id, spec in (data.get("layouts") or {}).items():
        where = f"layouts.{layout_id}"
        for key in ("name_zh", "name_en", "components"):
            if key not in spec:
                raise DataError(f"{path.name}: {where}: missing field {key}")
        components: dict[str, Component] = {}
        for component_id, cspec in spec["components"].items():
            cwhere = f"{where}.components.{component_id}"
            members, parts = _members(cspec, cwhere, path, known)
            groups = []
            group_ids: set[str] = set()
            for index, gspec in enumerate(cspec.get("groups") or []):
                gwhere = f"{cwhere}.groups[{index}]"
                if "id" not in gspec:
                    raise DataError(f"{path.name}: {gwhere}: missing field id")
                if gspec["id"] in group_ids:
                    raise DataError(f"{path.name}: {gwhere}: duplicate group id {gspec['id']!r}")
                group_ids.add(gspec["id"])
                gmembers, gparts = _members(gspec, gwhere, path, known)
                groups.append(
                    Group(
                        id=str(gspec["id"]),
                        name_zh=str(gspec.get("name_zh", "")),
                        name_en=str(gspec.get("name_en", "")),
                        members=gmembers,
                        parts=gparts,
                        attributes={k: v for k, v in gspec.items() if k not in _META_KEYS},
                        source=_source(gspec, documents, gwhere, path) if "source" in gspec else {},
                    )
                )
            if groups and not members:
                members = tuple(dict.fromkeys(n for g in groups for n in g.members))
            components[component_id] = Component(
                id=component_id,
                name_zh=str(cspec.get("name_zh", "")),
                name_en=str(cspec.get("name_en", "")),
                source=_source(cspec, documents, cwhere, path),
                members=members,
                groups=tuple(groups),
                parts=parts,
                attributes={k: v for k, v in cspec.items() if k not in _META_KEYS},
            )
        layouts[layout_id] = Layout(
            id=layout_id,
            name_zh=str(spec["name_zh"]),
            name_en=str(spec["name_en"]),
            province=str(spec.get("province", "")),
            source=_source(spec, documents, where, path),
            components=components,
        )
    return layouts


def layout_names() -> list[str]:
    """Return the ids of the shipped layouts (``xinjiang``, ``gansu``)."""
    return list(_layouts_cached(str(geodata_dir())))


def get_layout(name: str) -> Layout:
    """Return the layout ``name`` (``xinjiang`` or ``gansu``)."""
    layouts = _layouts_cached(str(geodata_dir()))
    key = name.strip().lower()
    if key not in layouts:
        raise PlannerError(f"unknown layout {name!r}; use one of {', '.join(layouts)}")
    return layouts[key]


# ------------------------------------------------------------------------------------- corridors

_CORRIDOR_KINDS = ("channel", "corridor", "international_corridor", "flow")


@functools.lru_cache(maxsize=4)
def _corridors_cached(directory: str) -> gpd.GeoDataFrame:
    path = Path(directory) / "corridors.yaml"
    data = _read_yaml(path)
    documents = data.get("documents") or {}
    nodes = _nodes_cached(directory).set_index("id")
    records = []
    seen: set[str] = set()
    for index, spec in enumerate(data.get("corridors") or []):
        where = f"corridors[{index}]"
        for key in ("id", "name_zh", "name_en", "kind", "nodes"):
            if key not in spec:
                raise DataError(f"{path.name}: {where}: missing field {key}")
        where = f"corridor {spec['id']!r}"
        if spec["id"] in seen:
            raise DataError(f"{path.name}: {where}: duplicate id")
        seen.add(spec["id"])
        if spec["kind"] not in _CORRIDOR_KINDS:
            raise DataError(
                f"{path.name}: {where}: field kind={spec['kind']!r} must be one of {', '.join(_CORRIDOR_KINDS)}"
            )
        node_ids = [str(n) for n in spec["nodes"]]
        if len(node_ids) < 2:
            raise DataError(f"{path.name}: {where}: field nodes needs at least two node ids")
        for node_id in node_ids:
            if node_id not in nodes.index:
                raise DataError(
                    f"{path.name}: {where}: field nodes names {node_id!r}, which is not an id in nodes.csv"
                )
        source = _source(spec, documents, where, path)
        records.append(
            {
                "id": spec["id"],
                "name_zh": spec["name_zh"],
                "name_en": spec["name_en"],
                "kind": spec["kind"],
                "system": spec.get("system", ""),
                "node_ids": node_ids,
                "names_zh": "-".join(nodes.loc[n, "name_zh"] for n in node_ids),
                "document": source["document"],
                "clause": source["clause"],
                "lines": source["lines"],
                "outside_text": bool(spec.get("outside_text", False)),
                "note": spec.get("note", ""),
                "geometry": LineString([(nodes.loc[n, "lon"], nodes.loc[n, "lat"]) for n in node_ids]),
            }
        )
    return gpd.GeoDataFrame(records, geometry="geometry", crs="EPSG:4326")


def load_corridors(kind: str | None = None) -> gpd.GeoDataFrame:
    """Return corridors, channels and flows as ordered node sequences.

    Columns: ``id, name_zh, name_en, kind, system, node_ids, names_zh, document, clause, lines,
    outside_text, note, geometry``. The geometry here is schematic (straight segments between the
    nodes); :mod:`planner.network` gives the routed geometry. ``kind`` filters to ``channel``,
    ``corridor``, ``international_corridor`` or ``flow``.
    """
    corridors = _corridors_cached(str(geodata_dir())).copy()
    if kind is not None:
        if kind not in _CORRIDOR_KINDS:
            raise PlannerError(f"unknown corridor kind {kind!r}; use one of {', '.join(_CORRIDOR_KINDS)}")
        corridors = corridors[corridors["kind"] == kind].reset_index(drop=True)
    return corridors


def resolve_corridor(name: str) -> str:
    """Return the corridor id for ``name``: an id, a Chinese or English name (case and spaces ignored,
    a trailing 通道/走廊/corridor/channel may be left out). Raises :class:`PlannerError` (one line, with
    the closest ids and names) when nothing matches."""
    key = str(name).strip()
    corridors = _corridors_cached(str(geodata_dir()))
    if key in set(corridors["id"]):
        return key

    def plain(text: str) -> str:
        text = re.sub(r"\s+", "", str(text)).lower()
        for _ in range(2):  # 西部陆海新通道走廊 -> 西部陆海新通道 -> 西部陆海新
            text = re.sub(r"(国际走廊|走廊|通道|corridor|channel)$", "", text)
        return text

    wanted = plain(key)
    for rec in corridors.itertuples(index=False):
        if wanted and wanted in (plain(rec.id), plain(rec.name_zh), plain(rec.name_en)):
            return str(rec.id)
    candidates = list(corridors["id"]) + list(corridors["name_zh"])
    close = difflib.get_close_matches(key, candidates, n=3, cutoff=0.3)
    tip = f"; did you mean {', '.join(close)}?" if close else "; run `planner network corridors` to list them"
    raise PlannerError(f"unknown corridor {name!r}{tip}")


def clear_caches() -> None:
    """Forget loaded files (after editing geodata or changing ``PLANNER_GEODATA``)."""
    for cached in (_nodes_cached, _roles_cached, _layouts_cached, _corridors_cached, _node_names_cached):
        cached.cache_clear()
