"""Read and validate the route data of ``geodata/network/``.

Files (see ``geodata/README.md``, section "Transport network"):

* ``routes.yaml``: routes as ordered waypoint lists (documented node ids, ``cs:<adcode>`` county seats,
  ``gn:<geonameid>`` GeoNames places), each with its mode, class and source;
* ``waypoints.csv``: the GeoNames records the routes use (id, name, lon, lat in WGS84 degrees);
* ``mode_parameters.csv``: speeds (km/h), costs (CNY per tonne-km), fixed transfer/crossing cost
  (CNY per tonne) and time (h), each row with a source or ``estimate``;
* ``airports.csv``: the airports of places with air links (coordinates and the road distance from the
  city, each with its source); an air link starts and ends at the airport;
* ``calibration.csv``: published lengths of route sections between named control points, with the
  factor that scales the waypoint polyline to them, and the default factor of each mode and class.

Every problem raises :class:`planner.errors.DataError` with one line naming the file, row and field.
"""

from __future__ import annotations

import csv
import functools
import math
from dataclasses import dataclass
from pathlib import Path

import yaml

from planner.errors import DataError
from planner.paths import geodata_dir

__all__ = [
    "MODES",
    "Airport",
    "Calibration",
    "CalibrationRow",
    "ModeParameters",
    "RouteSpec",
    "load_airports",
    "load_calibration",
    "load_mode_parameters",
    "load_routes",
    "load_waypoints",
    "network_dir",
]

#: Transport modes of the network layers, plus ``crossing`` (border crossings, carried by road or rail).
MODES = ("road", "rail", "air", "crossing")
_ROUTE_FIELDS = ("id", "name_zh", "name_en", "mode", "class", "source", "waypoints")


def network_dir() -> Path:
    """Return the directory holding the network data files (``<geodata>/network``)."""
    return geodata_dir() / "network"


@dataclass(frozen=True)
class RouteSpec:
    """One route of ``routes.yaml``: an ordered waypoint list with mode, class and source."""

    id: str
    name_zh: str
    name_en: str
    mode: str
    road_class: str
    carrier: str
    source: str
    waypoints: tuple[str, ...]
    #: False for passenger-only lines (high-speed railways): kept for maps, never used by freight.
    freight: bool = True
    #: 1-based line of the route's entry in routes.yaml (for error messages).
    line: int = 0

    @property
    def is_estimate(self) -> bool:
        """True when no public description of the route's control points was found."""
        return self.source.strip().lower().startswith("estimate")


def _token_ok(token: str) -> bool:
    if token.startswith(("cs:", "gn:")):
        code = token[3:].split("=", 1)[0]
        return code.isdigit()
    return bool(token) and ":" not in token and "=" not in token


@functools.lru_cache(maxsize=4)
def _routes_cached(path_str: str) -> tuple[RouteSpec, ...]:
    path = Path(path_str)
    if not path.is_file():
        raise DataError(f"{path}: file not found; the network needs geodata/network/routes.yaml")
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f"line {line + 1}" if line is not None else "file"
        raise DataError(f"{path.name}: {where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(data, dict):
        raise DataError(f"{path.name}: line 1: expected a mapping with a 'routes' list")
    lines = _route_lines(root)
    specs: list[RouteSpec] = []
    seen: set[str] = set()
    for index, raw in enumerate(data.get("routes") or []):
        line = lines[index] if index < len(lines) else 0
        where = f"line {line}: routes[{index}]"
        if not isinstance(raw, dict):
            raise DataError(f"{path.name}: {where}: expected a mapping")
        for key in _ROUTE_FIELDS:
            if key not in raw or raw[key] in (None, ""):
                raise DataError(f"{path.name}: {where}: missing field {key}")
        rid = str(raw["id"])
        where = f"line {line}: route {rid!r}"
        if rid in seen:
            raise DataError(f"{path.name}: {where}: duplicate id")
        seen.add(rid)
        mode = str(raw["mode"])
        if mode not in MODES:
            raise DataError(f"{path.name}: {where}: field mode={mode!r} must be one of {', '.join(MODES)}")
        carrier = str(raw.get("carrier", mode if mode != "crossing" else ""))
        if mode == "crossing" and carrier not in ("road", "rail"):
            raise DataError(f"{path.name}: {where}: field carrier must be road or rail for a crossing")
        freight = raw.get("freight", True)
        if not isinstance(freight, bool):
            raise DataError(f"{path.name}: {where}: field freight={freight!r} must be true or false")
        if not isinstance(raw["waypoints"], list):
            raise DataError(f"{path.name}: {where}: field waypoints must be a list")
        waypoints = tuple(str(w) for w in raw["waypoints"])
        if len(waypoints) < 2:
            raise DataError(f"{path.name}: {where}: field waypoints needs at least two waypoints")
        for token in waypoints:
            if not _token_ok(token):
                raise DataError(
                    f"{path.name}: {where}: field waypoints: {token!r} is not a node id, cs:<adcode> or gn:<geonameid>"
                )
        specs.append(
            RouteSpec(
                id=rid,
                name_zh=str(raw["name_zh"]),
                name_en=str(raw["name_en"]),
                mode=mode,
                road_class=str(raw["class"]),
                carrier=carrier,
                source=str(raw["source"]),
                waypoints=waypoints,
                freight=freight,
                line=line,
            )
        )
    if not specs:
        raise DataError(f"{path.name}: no routes")
    return tuple(specs)


def _route_lines(root: yaml.Node | None) -> list[int]:
    """1-based line of each entry of the top-level ``routes`` list."""
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if getattr(key, "value", None) == "routes" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def load_routes() -> tuple[RouteSpec, ...]:
    """Return the routes of ``routes.yaml`` (validated; cached per file)."""
    return _routes_cached(str(network_dir() / "routes.yaml"))


def _read_csv(path: Path, required: list[str]) -> list[dict[str, str]]:
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise DataError(f"{path.name}: header: missing column {missing[0]}")
        return list(reader)


@functools.lru_cache(maxsize=4)
def _waypoints_cached(path_str: str) -> dict[int, dict[str, object]]:
    path = Path(path_str)
    rows = _read_csv(path, ["geonames_id", "name", "country", "lon", "lat"])
    table: dict[int, dict[str, object]] = {}
    for line_no, row in enumerate(rows, start=2):
        text = row["geonames_id"]
        if not text.isdigit():
            raise DataError(f"{path.name}: line {line_no}: field geonames_id={text!r} is not a GeoNames id")
        coords = []
        for field, bound in (("lon", 180.0), ("lat", 90.0)):
            try:
                value = float(row[field])
            except ValueError:
                raise DataError(
                    f"{path.name}: line {line_no}: field {field}={row[field]!r} is not a number"
                ) from None
            if not math.isfinite(value) or abs(value) > bound:
                raise DataError(f"{path.name}: line {line_no}: field {field}={row[field]!r} is out of range")
            coords.append(value)
        gid = int(text)
        if gid in table:
            raise DataError(f"{path.name}: line {line_no}: duplicate geonames_id {gid}")
        table[gid] = {"name": row["name"], "country": row["country"], "lon": coords[0], "lat": coords[1]}
    return table


def load_waypoints() -> dict[int, dict[str, object]]:
    """Return the GeoNames waypoints: ``{geonames_id: {name, country, lon, lat}}`` (degrees WGS84)."""
    return dict(_waypoints_cached(str(network_dir() / "waypoints.csv")))


@dataclass(frozen=True)
class ModeParameters:
    """Speeds, costs and fixed charges by (mode, class); see ``mode_parameters.csv``."""

    speed_kmh: dict[tuple[str, str], float]
    cost_ambient_cny_per_tkm: dict[tuple[str, str], float]
    cost_reefer_cny_per_tkm: dict[tuple[str, str], float]
    fixed_cost_cny_per_t: dict[str, float]
    fixed_time_h: dict[str, float]
    value_of_time_cny_per_t_h: float


_PARAMETER_UNITS = {
    "speed": "km/h",
    "cost_ambient": "CNY/t-km",
    "cost_reefer": "CNY/t-km",
    "fixed_cost": "CNY/t",
    "fixed_time": "h",
    "value_of_time": "CNY/(t h)",
}


@functools.lru_cache(maxsize=4)
def _parameters_cached(path_str: str) -> ModeParameters:
    path = Path(path_str)
    rows = _read_csv(path, ["mode", "class", "parameter", "value", "unit", "source"])
    speed: dict[tuple[str, str], float] = {}
    ambient: dict[tuple[str, str], float] = {}
    reefer: dict[tuple[str, str], float] = {}
    fixed_cost: dict[str, float] = {}
    fixed_time: dict[str, float] = {}
    vot: float | None = None
    for line_no, row in enumerate(rows, start=2):
        name = row["parameter"]
        if name not in _PARAMETER_UNITS:
            raise DataError(
                f"{path.name}: line {line_no}: field parameter={name!r} must be one of {', '.join(_PARAMETER_UNITS)}"
            )
        if row["unit"] != _PARAMETER_UNITS[name]:
            raise DataError(
                f"{path.name}: line {line_no}: field unit={row['unit']!r} must be {_PARAMETER_UNITS[name]!r} for {name}"
            )
        if not row["source"].strip():
            raise DataError(
                f"{path.name}: line {line_no}: field source is empty (cite a source or write 'estimate')"
            )
        try:
            value = float(row["value"])
        except ValueError:
            raise DataError(
                f"{path.name}: line {line_no}: field value={row['value']!r} is not a number"
            ) from None
        if not math.isfinite(value) or value < 0 or (name == "speed" and value == 0):
            raise DataError(f"{path.name}: line {line_no}: field value={row['value']!r} must be positive")
        key = (row["mode"], row["class"])
        if name == "speed":
            speed[key] = value
        elif name == "cost_ambient":
            ambient[key] = value
        elif name == "cost_reefer":
            reefer[key] = value
        elif name == "fixed_cost":
            fixed_cost[row["class"]] = value
        elif name == "fixed_time":
            fixed_time[row["class"]] = value
        else:
            vot = value
    if vot is None:
        raise DataError(f"{path.name}: missing the value_of_time row")
    for key in speed:
        for table, label in ((ambient, "cost_ambient"), (reefer, "cost_reefer")):
            if key not in table:
                raise DataError(f"{path.name}: mode={key[0]} class={key[1]}: missing the {label} row")
    return ModeParameters(speed, ambient, reefer, fixed_cost, fixed_time, vot)


def load_mode_parameters() -> ModeParameters:
    """Return the validated parameters of ``mode_parameters.csv`` (cached per file)."""
    return _parameters_cached(str(network_dir() / "mode_parameters.csv"))


@dataclass(frozen=True)
class CalibrationRow:
    """A published length of a route section between two of its waypoints (``calibration.csv``)."""

    route: str
    from_token: str
    to_token: str
    published_km: float
    geometry_km: float
    factor: float
    source: str
    line: int


@dataclass(frozen=True)
class Calibration:
    """Section rows, and the default factor and its source per (mode, class) for the other links."""

    sections: tuple[CalibrationRow, ...]
    defaults: dict[tuple[str, str], tuple[float, str]]

    def default_factor(self, mode: str, klass: str) -> float:
        """The factor of links no section covers (1.0 where the file gives none)."""
        return self.defaults.get((mode, klass), (1.0, ""))[0]


CALIBRATION_COLUMNS = ["kind", "route", "from", "to", "mode", "class", "published_km", "geometry_km", "factor", "source"]


def _positive(path: Path, line_no: int, row: dict[str, str], field: str) -> float:
    text = row[field].strip()
    try:
        value = float(text)
    except ValueError:
        raise DataError(f"{path.name}: line {line_no}: field {field}={text!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise DataError(f"{path.name}: line {line_no}: field {field}={text!r} must be a positive number")
    return value


@functools.lru_cache(maxsize=4)
def _calibration_cached(path_str: str) -> Calibration:
    path = Path(path_str)
    if not path.is_file():
        return Calibration((), {})
    rows = _read_csv(path, CALIBRATION_COLUMNS)
    sections: list[CalibrationRow] = []
    defaults: dict[tuple[str, str], tuple[float, str]] = {}
    for line_no, row in enumerate(rows, start=2):
        kind = row["kind"].strip()
        if not row["source"].strip():
            raise DataError(f"{path.name}: line {line_no}: field source is empty (cite a source or write 'estimate: ...')")
        if kind == "section":
            for field in ("route", "from", "to"):
                if not row[field].strip():
                    raise DataError(f"{path.name}: line {line_no}: field {field} is empty")
            if not _token_ok(row["from"].strip()) or not _token_ok(row["to"].strip()):
                raise DataError(
                    f"{path.name}: line {line_no}: fields from/to must be node ids, cs:<adcode> or gn:<geonameid>"
                )
            sections.append(
                CalibrationRow(
                    route=row["route"].strip(), from_token=row["from"].strip(), to_token=row["to"].strip(),
                    published_km=_positive(path, line_no, row, "published_km"),
                    # derived columns, empty until ``python -m planner.network.calibrate`` fills them
                    geometry_km=_positive(path, line_no, row, "geometry_km") if row["geometry_km"].strip() else math.nan,
                    factor=_positive(path, line_no, row, "factor") if row["factor"].strip() else math.nan,
                    source=row["source"].strip(), line=line_no,
                )
            )  # fmt: skip
        elif kind == "default":
            key = (row["mode"].strip(), row["class"].strip())
            if key[0] not in MODES:
                raise DataError(f"{path.name}: line {line_no}: field mode={key[0]!r} must be one of {', '.join(MODES)}")
            if key in defaults:
                raise DataError(f"{path.name}: line {line_no}: duplicate default for mode={key[0]} class={key[1]}")
            defaults[key] = (_positive(path, line_no, row, "factor"), row["source"].strip())
        else:
            raise DataError(f"{path.name}: line {line_no}: field kind={kind!r} must be section or default")
    return Calibration(tuple(sections), defaults)


def load_calibration() -> Calibration:
    """Return the length calibration of ``calibration.csv`` (validated; empty when the file is absent)."""
    return _calibration_cached(str(network_dir() / "calibration.csv"))


@dataclass(frozen=True)
class Airport:
    """An airport of a place: its coordinates and the road distance from the city (``airports.csv``)."""

    place_id: str
    iata: str
    lon: float
    lat: float
    access_km: float


@functools.lru_cache(maxsize=4)
def _airports_cached(path_str: str) -> dict[str, Airport]:
    path = Path(path_str)
    if not path.is_file():
        return {}
    airports: dict[str, Airport] = {}
    for line_no, row in enumerate(_read_csv(path, ["place_id", "iata", "lon", "lat", "access_km", "source"]), start=2):
        pid = row["place_id"].strip()
        if not pid or pid in airports:
            raise DataError(f"{path.name}: line {line_no}: field place_id={pid!r} is empty or repeated")
        if not row["source"].strip():
            raise DataError(f"{path.name}: line {line_no}: field source is empty")
        coords = []
        for field, bound in (("lon", 180.0), ("lat", 90.0)):
            try:
                value = float(row[field])
            except ValueError:
                raise DataError(f"{path.name}: line {line_no}: field {field}={row[field]!r} is not a number") from None
            if not math.isfinite(value) or abs(value) > bound:
                raise DataError(f"{path.name}: line {line_no}: field {field}={row[field]!r} is out of range")
            coords.append(value)
        access = _positive(path, line_no, row, "access_km")
        airports[pid] = Airport(pid, row["iata"].strip(), coords[0], coords[1], access)
    return airports


def load_airports() -> dict[str, Airport]:
    """Return the airports by place id (empty when ``airports.csv`` is absent)."""
    return dict(_airports_cached(str(network_dir() / "airports.csv")))


def clear_caches() -> None:
    """Forget loaded network files."""
    for cached in (_routes_cached, _waypoints_cached, _parameters_cached, _calibration_cached, _airports_cached):
        cached.cache_clear()
