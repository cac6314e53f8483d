"""The routes of the network by id and name: listing, name resolution, their places and border ports.

Everything here reads ``geodata/network`` and the place table only, so scenario validation can check
route, link and border-port names without building the network.
"""

from __future__ import annotations

import difflib
import re

import pandas as pd

from planner.errors import PlannerError
from planner.network import data, places

__all__ = ["border_ports", "resolve_route", "route_places", "route_table"]

_BRACKETS = re.compile(r"[（(].*?[）)]")


def _plain(text: str) -> str:
    """A name without bracketed qualifiers, spaces and case (乌尉高速（乌若高速） -> 乌尉高速)."""
    return _BRACKETS.sub("", str(text)).replace(" ", "").strip().lower()


def _places_of(specs: list[data.RouteSpec]) -> dict[str, tuple[str, ...]]:
    # networkx loads only when a route's places are asked for (a closed stretch), not for every validate
    from planner.network.build import resolve_route_points

    resolved = resolve_route_points(specs)
    return {rid: tuple(dict.fromkeys(p.key for p in points if p.is_place)) for rid, points in resolved.items()}


def route_places(route_id: str) -> tuple[str, ...]:
    """The places (node ids, county-seat ids) a route stops at, in route order."""
    rid = resolve_route(route_id)
    return _places_of([s for s in data.load_routes() if s.id == rid])[rid]


def _place_name(key: str, names: dict[str, tuple[str, str]]) -> tuple[str, str]:
    return names.get(key, ("", key))


def route_table(mode: str | None = None) -> pd.DataFrame:
    """One row per route: ``id, name_zh, name_en, mode, class, freight, from_zh, from_en, to_zh, to_en,
    source_is_estimate``; ``mode`` filters (road, rail, air, crossing)."""
    rows = []
    specs = [spec for spec in data.load_routes() if mode is None or spec.mode == mode]
    places_by_route = _places_of(specs)
    table = places.place_table()
    names = dict(zip(table.index, zip(table["name_zh"].astype(str), table["name_en"].astype(str), strict=True), strict=True))
    for spec in specs:
        stops = places_by_route[spec.id]
        first, last = (stops[0], stops[-1]) if stops else ("", "")
        (from_zh, from_en), (to_zh, to_en) = _place_name(first, names), _place_name(last, names)
        rows.append(
            {
                "id": spec.id, "name_zh": spec.name_zh, "name_en": spec.name_en, "mode": spec.mode,
                "class": spec.road_class, "freight": spec.freight, "from_zh": from_zh, "from_en": from_en,
                "to_zh": to_zh, "to_en": to_en, "source_is_estimate": spec.is_estimate,
            }
        )  # fmt: skip
    return pd.DataFrame(rows)


def resolve_route(name: str) -> str:
    """Return the route id for ``name``: an id (``G30``, case-insensitive) or a Chinese or English route
    name (``连霍高速``, ``兰新铁路``, ``Lanzhou-Xinjiang Railway``; bracketed qualifiers may be left out).

    Raises :class:`PlannerError` (one line, with the closest ids and names) when nothing matches.
    """
    key = str(name).strip()
    specs = data.load_routes()
    for spec in specs:
        if key == spec.id:
            return spec.id
    plain = _plain(key)
    for spec in specs:
        if plain in (spec.id.lower(), _plain(spec.name_zh), _plain(spec.name_en)):
            return spec.id
    candidates = [s.id for s in specs] + [s.name_zh for s in specs]
    close = difflib.get_close_matches(key, candidates, n=3, cutoff=0.4)
    tip = f"; did you mean {', '.join(close)}?" if close else "; run `planner network routes` to list them"
    raise PlannerError(f"unknown route {name!r}{tip}")


def border_ports() -> list[str]:
    """Place ids on the Chinese side of a border-crossing route (the first waypoint of each)."""
    found: list[str] = []
    for stops in _places_of([s for s in data.load_routes() if s.mode == "crossing"]).values():
        if stops and stops[0] not in found:
            found.append(stops[0])
    return found
