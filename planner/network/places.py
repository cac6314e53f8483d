"""Places of the network: documented nodes and county seats, and name resolution.

A place is a documented node of ``nodes.csv`` (id such as ``lanzhou``) or a county seat of
``county_seats.csv`` (id ``cs<adcode>``, e.g. ``cs652823``). A county seat whose GeoNames record is
that of a documented node is the same place (喀什市 -> ``kashgar``). Waypoints of routes that are
neither become places ``gn<geonameid>`` when routes meet there (junctions).
"""

from __future__ import annotations

import difflib
import functools
import re

import pandas as pd

from planner import layout, regions
from planner.errors import DataError, PlannerError
from planner.paths import geodata_dir

__all__ = ["place_table", "resolve_place", "seat_alias"]

_PROVINCE_BY_ADCODE = {"62": "Gansu", "65": "Xinjiang"}
_SUFFIX = re.compile(r"(县|市|区|自治县|自治州|地区)$")
_EN_SUFFIX = re.compile(r"\s+(county|city|district|autonomous county)$", re.IGNORECASE)


@functools.lru_cache(maxsize=4)
def _tables(directory: str) -> tuple[pd.DataFrame, dict[str, str]]:
    nodes = layout.load_nodes()
    rows = []
    node_by_geonames: dict[str, str] = {}
    for rec in nodes.itertuples(index=False):
        rows.append(
            {
                "place_id": rec.id, "name_zh": rec.name_zh, "name_en": rec.name_en, "kind": rec.kind,
                "province": rec.province or "", "country": rec.country, "lon": float(rec.lon),
                "lat": float(rec.lat), "origin": "node", "adcode": "", "geonames_id": str(rec.geonames_id),
            }
        )  # fmt: skip
        node_by_geonames.setdefault(str(rec.geonames_id), rec.id)
    alias: dict[str, str] = {}
    try:
        seats = regions.load_county_seats()
    except DataError:
        seats = None
    if seats is not None:
        for rec in seats.itertuples(index=False):
            adcode = str(rec.adcode)
            gid = str(rec.geonames_id or "")
            if gid and gid in node_by_geonames:
                alias[adcode] = node_by_geonames[gid]
                continue
            alias[adcode] = f"cs{adcode}"
            rows.append(
                {
                    "place_id": f"cs{adcode}", "name_zh": rec.name_zh, "name_en": rec.name_en,
                    "kind": "county_seat", "province": _PROVINCE_BY_ADCODE.get(adcode[:2], ""),
                    "country": "CN", "lon": float(rec.lon), "lat": float(rec.lat), "origin": "county_seat",
                    "adcode": adcode, "geonames_id": gid,
                }
            )  # fmt: skip
    table = pd.DataFrame(rows).set_index("place_id", drop=False)
    return table, alias


def place_table() -> pd.DataFrame:
    """Return the places (documented nodes and county seats), indexed by ``place_id``.

    Columns: ``place_id, name_zh, name_en, kind, province, country, lon, lat`` (WGS84 degrees),
    ``origin`` (``node`` or ``county_seat``), ``adcode`` (county seats), ``geonames_id``.
    """
    return _tables(str(geodata_dir()))[0].copy()


def seat_alias(adcode: str) -> str:
    """Return the place id of the county seat ``adcode`` (a node id when the seat is a node)."""
    alias = _tables(str(geodata_dir()))[1]
    if adcode not in alias:
        raise DataError(f"routes.yaml: cs:{adcode} is not an adcode of county_seats.csv")
    return alias[adcode]


def resolve_place(name: str) -> str:
    """Return the place id for ``name``: a node or county-seat id, a Chinese or English name, an adcode.

    Documented nodes are resolved by :func:`planner.layout.resolve_node`; county seats match by
    ``cs<adcode>``, adcode, Chinese name (with or without 县/市/区) or English name (with or without
    "County"/"City"/"District"). Raises :class:`PlannerError` (one line, with the closest names) when
    nothing matches.
    """
    key = str(name).strip()
    table, alias = _tables(str(geodata_dir()))
    if key in table.index:
        return key
    try:
        return layout.resolve_node(key)
    except PlannerError:
        pass
    if key.isdigit() and key in alias:
        return alias[key]
    if key.startswith("cs") and key[2:] in alias:
        return alias[key[2:]]
    # Match names against every county seat, including those merged into a documented node (崆峒区 is
    # the seat point of the node 平凉), then map the adcode to its place id.
    seats = regions.load_county_seats()
    seats = seats.assign(adcode=seats["adcode"].astype(str)).set_index("adcode")
    lowered = key.lower()
    short_zh = _SUFFIX.sub("", key)
    short_en = _EN_SUFFIX.sub("", lowered)
    for column, value, transform in (
        ("name_zh", key, lambda s: s),
        ("name_zh", short_zh, lambda s: s.str.replace(_SUFFIX, "", regex=True)),
        ("name_en", lowered, lambda s: s.str.lower()),
        ("name_en", short_en, lambda s: s.str.lower().str.replace(_EN_SUFFIX, "", regex=True)),
    ):
        if not value:
            continue
        hit = seats.index[transform(seats[column].fillna("")) == value]
        if len(hit) and str(hit[0]) in alias:
            return alias[str(hit[0])]
    candidates = list(table["place_id"]) + list(table["name_zh"]) + list(table["name_en"])
    close = difflib.get_close_matches(key, candidates, n=3, cutoff=0.5)
    tip = (
        f"; did you mean {', '.join(close)}?"
        if close
        else "; run `planner layout list --nodes` to see known places"
    )
    raise PlannerError(f"unknown place {name!r}{tip}")


def clear_caches() -> None:
    """Forget the place table (after changing ``PLANNER_GEODATA``)."""
    _tables.cache_clear()
