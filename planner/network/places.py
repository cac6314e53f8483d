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

from planner import domain, layout, regions
from planner.errors import DataError, PlannerError
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


@functools.lru_cache(maxsize=4)
def _name_index(directory: str) -> list[tuple[str, dict[str, str]]]:
    """The exact-match steps of :func:`resolve_place`, in its order, as (key transform, key -> place) pairs.

    Each mapping keeps the first row in table order that matches, as the pandas look-ups do.
    """
    table, alias = _tables(directory)
    nodes = layout.load_nodes()
    steps: list[tuple[str, dict[str, str]]] = [("key", {str(p): str(p) for p in table.index})]
    for column in ("id", "name_zh"):
        mapping: dict[str, str] = {}
        for value, node in zip(nodes[column], nodes["id"], strict=True):
            mapping.setdefault(str(value), str(node))
        steps.append(("key", mapping))
    english: dict[str, str] = {}
    for value, node in zip(nodes["name_en"].str.lower(), nodes["id"], strict=True):
        english.setdefault(value, str(node))
        english.setdefault(re.sub(r"\s*\(.*\)$", "", value), str(node))
    steps.append(("lower", english))
    stripped: dict[str, str] = {}
    for value, node in zip(nodes["name_zh"], nodes["id"], strict=True):
        stripped.setdefault(str(value).rstrip("市县"), str(node))
    steps.append(("rstrip", stripped))
    steps.append(("digits", dict(alias)))
    steps.append(("key", {f"cs{code}": place for code, place in alias.items()}))
    seats = regions.load_county_seats()
    codes = seats["adcode"].astype(str)
    for transform, values in (
        ("key", seats["name_zh"].fillna("")),
        ("short_zh", seats["name_zh"].fillna("").str.replace(_SUFFIX, "", regex=True)),
        ("lower", seats["name_en"].fillna("").str.lower()),
        ("short_en", seats["name_en"].fillna("").str.lower().str.replace(_EN_SUFFIX, "", regex=True)),
    ):
        first: dict[str, str] = {}
        for value, code in zip(values, codes, strict=True):
            first.setdefault(str(value), code)
        steps.append((transform, {v: alias[c] for v, c in first.items() if v and c in alias}))
    return steps


def _transformed(key: str, transform: str) -> str | None:
    if transform == "key":
        return key
    if transform == "lower":
        return key.lower()
    if transform == "rstrip":
        return key.rstrip("市县")
    if transform == "digits":
        return key if key.isdigit() else None
    if transform == "short_zh":
        return _SUFFIX.sub("", key) or None
    return _EN_SUFFIX.sub("", key.lower()) or None


def resolve_places(names: list[str]) -> list[str]:
    """The place id of each name, as :func:`resolve_place` gives it, for many names at once.

    Each distinct name is looked up once in dictionaries built from the place tables (microseconds per
    name instead of tens of milliseconds); a name they do not hold goes to :func:`resolve_place`, which
    raises :class:`PlannerError` with suggestions when it is unknown.
    """
    steps = _name_index(str(geodata_dir()))
    found: dict[str, str] = {}
    for name in dict.fromkeys(names):
        key = str(name).strip()
        for transform, mapping in steps:
            value = _transformed(key, transform)
            if value is not None and value in mapping:
                found[name] = mapping[value]
                break
        else:
            found[name] = resolve_place(name)
    return [found[name] for name in names]


def clear_caches() -> None:
    """Forget the place table (after changing ``PLANNER_GEODATA``)."""
    _tables.cache_clear()
    _name_index.cache_clear()
