"""Checking the names a scenario uses (places, roles, products, corridors) against the shipped data."""

from __future__ import annotations

import difflib
from typing import Any

import pandas as pd

from planner import layout
from planner.errors import PlannerError
from planner.network.places import resolve_place
from planner.paths import geodata_dir

__all__ = ["check_disruption_names", "check_names", "known_products"]

def known_products() -> pd.DataFrame:
    """The shipped product table (geodata/products.csv)."""
    path = geodata_dir() / "products.csv"
    if not path.is_file():
        raise PlannerError(f"{path}: file not found; restore it from the repository")
    return pd.read_csv(path)


def _check_place(name: str, loc: tuple[Any, ...], problems: list[tuple[tuple[Any, ...], str]]) -> None:
    try:
        resolve_place(name)
    except PlannerError as exc:
        problems.append((loc, str(exc)))


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _check_candidates(spec: Any, loc: tuple[Any, ...], problems: list[tuple[tuple[Any, ...], str]]) -> None:
    spec = _dict(spec)
    for index, role in enumerate(_list(spec.get("roles"))):
        base, _, detail = str(role).partition(":")
        if base not in layout.ROLES:
            close = difflib.get_close_matches(base, layout.ROLES, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(((*loc, "roles", index), f"unknown role {role!r}{hint}"))
        elif detail and layout.nodes_by_role(base, detail).empty:
            problems.append(((*loc, "roles", index), f"no node has role {base} with detail {detail!r}"))
    for field in ("names", "exclude"):
        for index, name in enumerate(_list(spec.get(field))):
            _check_place(str(name), (*loc, field, index), problems)


def check_disruption_names(disruptions: dict[str, Any], loc: tuple[Any, ...] = ("disruptions",)) -> list[tuple[tuple[Any, ...], str]]:
    """Problems with the places, route stretches, routes, corridors and border ports a disruption names.

    Resolved from the network data files alone (no network is built), so ``planner validate`` reports
    them with file and line.
    """
    from planner.network.catalog import border_ports, resolve_route, route_places

    problems: list[tuple[tuple[Any, ...], str]] = []
    for index, name in enumerate(_list(disruptions.get("nodes"))):
        _check_place(str(name), (*loc, "nodes", index), problems)
    for index, name in enumerate(_list(disruptions.get("routes"))):
        _check(lambda n=name: resolve_route(str(n)), (*loc, "routes", index), problems)
    for index, name in enumerate(_list(disruptions.get("corridors"))):
        _check(lambda n=name: layout.resolve_corridor(str(n)), (*loc, "corridors", index), problems)
    ports = None
    for index, name in enumerate(_list(disruptions.get("border_ports"))):
        where = (*loc, "border_ports", index)
        pid = _check(lambda n=name: resolve_place(str(n)), where, problems)
        if pid is not None:
            ports = border_ports() if ports is None else ports
            if pid not in ports:
                problems.append((where, f"{name!r} ({pid}) has no border-crossing link; ports with one: {', '.join(ports)}"))
    for index, link in enumerate(_list(disruptions.get("links"))):
        link = _dict(link)
        where = (*loc, "links", index)
        rid = _check(lambda r=link.get("route"): resolve_route(str(r)), (*where, "route"), problems) if link.get("route") else None
        for end in ("from", "to"):
            if not link.get(end):
                continue
            pid = _check(lambda n=link[end]: resolve_place(str(n)), (*where, end), problems)
            if rid is not None and pid is not None and pid not in route_places(rid):
                problems.append(((*where, end), f"{link[end]!r} is not a place on route {rid}; see `planner network routes`"))
    return problems


def _check(resolve: Any, loc: tuple[Any, ...], problems: list[tuple[tuple[Any, ...], str]]) -> str | None:
    try:
        return resolve()
    except PlannerError as exc:
        problems.append((loc, str(exc)))
        return None


def check_names(raw: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    """Return ``(location, message)`` for every unknown name in the raw scenario mapping ``raw``.

    Works on the unvalidated mapping (skipping parts of the wrong shape, which the schema reports) so
    that name problems are listed together with schema problems.
    """
    problems: list[tuple[tuple[Any, ...], str]] = []
    # an id of the wrong type is the schema's to report; here it must not break the set look-ups
    product_ids = [i if isinstance(i, str) else None for i in (_dict(p).get("id") for p in _list(raw.get("products")))]
    if product_ids:
        try:
            products = set(known_products()["product"])
        except PlannerError as exc:
            problems.append((("products",), str(exc)))
            products = None
        if products is not None:
            for index, product in enumerate(product_ids):
                if product is not None and product in product_ids[:index]:
                    problems.append((("products", index, "id"), f"product {product!r} is listed twice; give each product once"))
                elif product is not None and product not in products:
                    close = difflib.get_close_matches(str(product), products, n=1)
                    hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(sorted(products))}"
                    problems.append((("products", index, "id"), f"unknown product {product!r}{hint}"))
    tiers = [_dict(t) for t in _list(raw.get("tiers"))]
    for index, tier in enumerate(tiers):
        _check_candidates(tier.get("candidates"), ("tiers", index, "candidates"), problems)
    if "candidates" in raw:
        _check_candidates(raw["candidates"], ("candidates",), problems)
    demand = _dict(raw.get("demand"))
    _check_candidates(demand.get("points"), ("demand", "points"), problems)
    for index, gateway in enumerate(_list(demand.get("gateways"))):
        gateway = _dict(gateway)
        if "node" in gateway:
            _check_place(str(gateway["node"]), ("demand", "gateways", index, "node"), problems)
        for product in _dict(gateway.get("share_of_supply")):
            if product not in product_ids:
                problems.append((("demand", "gateways", index, "share_of_supply", product), f"product {product!r} is not in the scenario's products"))
    policy = _dict(raw.get("policy"))
    for field in ("must_open", "forbidden"):
        for index, name in enumerate(_list(policy.get(field))):
            _check_place(str(name), ("policy", field, index), problems)
    problems += check_disruption_names(_dict(raw.get("disruptions")))
    names = [t.get("name") for t in tiers]
    for index, pair in enumerate(_list(raw.get("tier_arcs"))):
        for end in _list(pair):
            if end not in ("production", "demand", *names):
                problems.append((("tier_arcs", index), f"unknown tier {end!r}; tiers are production, {', '.join(map(str, names))}, demand"))
    return problems
