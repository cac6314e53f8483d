"""Places of the network: documented nodes and county seats, and name resolution.

A place is a documented node of ``nodes.csv`` (id such as ``lanzhou``) or a county seat of
``county_seats.csv`` (id ``cs<adcode>``, e.g. ``cs652823``). A county seat whose GeoNames record is
that of a documented node is the same place (喀什市 -> ``kashgar``). Waypoints of routes that are
neither become places ``gn<geonameid>`` when routes meet there (junctions).
"""

from __future__ import annotations

import functools
import re

import pandas as pd

from planner import domain, layout, regions
from planner.errors import DataError
from planner.name_index import KeyForm, NameIndex, as_given, first_ids
from planner.paths import geodata_dir

__all__ = ["place_table", "resolve_place", "resolve_places", "seat_alias"]

_SUFFIX = re.compile(r"(县|市|区|自治县|自治州|地区)$")
_EN_SUFFIX = re.compile(r"\s+(county|city|district|autonomous county)$", re.IGNORECASE)


def _province_name(adcode: str) -> str:
    found = domain.province_of_code(adcode)
    return found.name_en if found is not None else ""


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
                    "kind": "county_seat", "province": _province_name(adcode),
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

    Tried in this order: a place id; a documented node as :func:`planner.layout.resolve_node` finds it;
    a county seat by adcode or ``cs<adcode>``, then by Chinese name (with or without 县/市/区) or English
    name (with or without "County"/"City"/"District"). Raises :class:`PlannerError` (one line, with the
    closest names) when nothing matches.
    """
    return _name_index(str(geodata_dir())).resolve(name)


@functools.lru_cache(maxsize=4)
def _name_index(directory: str) -> NameIndex:
    """The steps of :func:`resolve_place`, in its order, and the names it suggests.

    Each step keeps the first row in table order that matches. County seats merged into a documented node
    (崆峒区 is the seat point of the node 平凉) are matched by name too and give that node.
    """
    table, alias = _tables(directory)
    nodes = layout.node_names()
    steps: list[tuple[KeyForm, dict[str, str]]] = [(as_given, first_ids(table.index, table.index)), *nodes.steps]
    steps.append((_adcode, dict(alias)))
    steps.append((as_given, {f"cs{code}": place for code, place in alias.items()}))
    seats = regions.load_county_seats()
    codes = seats["adcode"].astype(str)
    for form, values in (
        (as_given, seats["name_zh"].fillna("")),
        (_short_zh, seats["name_zh"].fillna("").str.replace(_SUFFIX, "", regex=True)),
        (str.lower, seats["name_en"].fillna("").str.lower()),
        (_short_en, seats["name_en"].fillna("").str.lower().str.replace(_EN_SUFFIX, "", regex=True)),
    ):
        first = first_ids(values, codes)
        steps.append((form, {v: alias[c] for v, c in first.items() if v and c in alias}))
    suggestions = (*table["place_id"], *table["name_zh"], *table["name_en"])
    return NameIndex(tuple(steps), suggestions)


def _adcode(key: str) -> str | None:
    return key if key.isdigit() else None


def _short_zh(key: str) -> str | None:
    return _SUFFIX.sub("", key) or None


def _short_en(key: str) -> str | None:
    return _EN_SUFFIX.sub("", key.lower()) or None


def resolve_places(names: list[str]) -> list[str]:
    """The place id of each name, as :func:`resolve_place` gives it, for many names at once.

    Each distinct name is looked up once (the index is built once per data folder: microseconds per name);
    an unknown name raises :class:`PlannerError` with suggestions.
    """
    index = _name_index(str(geodata_dir()))
    found = {name: index.resolve(name) for name in dict.fromkeys(names)}
    return [found[name] for name in names]


def clear_caches() -> None:
    """Forget the place table (after changing ``PLANNER_GEODATA``)."""
    _tables.cache_clear()
    _name_index.cache_clear()
