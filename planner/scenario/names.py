"""Checking the names a scenario uses (places, roles, products, corridors) against the shipped data."""

from __future__ import annotations

import difflib
from typing import Any

import pandas as pd

from planner import layout
from planner.errors import PlannerError
from planner.network.places import resolve_place
from planner.paths import geodata_dir

__all__ = ["check_names", "known_products"]

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


def check_names(raw: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    """Return ``(location, message)`` for every unknown name in the raw scenario mapping ``raw``.

    Works on the unvalidated mapping (skipping parts of the wrong shape, which the schema reports) so
    that name problems are listed together with schema problems.
    """
    problems: list[tuple[tuple[Any, ...], str]] = []
    product_ids = [_dict(p).get("id") for p in _list(raw.get("products"))]
    if product_ids:
        try:
            products = set(known_products()["product"])
        except PlannerError as exc:
            problems.append((("products",), str(exc)))
            products = None
        if products is not None:
            for index, product in enumerate(product_ids):
                if product is not None and product not in products:
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
    disruptions = _dict(raw.get("disruptions"))
    for field in ("nodes", "border_ports"):
        for index, name in enumerate(_list(disruptions.get(field))):
            _check_place(str(name), ("disruptions", field, index), problems)
    closed_corridors = _list(disruptions.get("corridors"))
    corridors = layout.load_corridors() if closed_corridors else None  # parsing corridors.yaml takes a while
    corridor_names = set(corridors["id"]) | set(corridors["name_zh"]) if corridors is not None else set()
    for index, name in enumerate(closed_corridors):
        if name not in corridor_names:
            close = difflib.get_close_matches(str(name), corridor_names, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append((("disruptions", "corridors", index), f"unknown corridor {name!r}{hint}"))
    names = [t.get("name") for t in tiers]
    for index, pair in enumerate(_list(raw.get("tier_arcs"))):
        for end in _list(pair):
            if end not in ("production", "demand", *names):
                problems.append((("tier_arcs", index), f"unknown tier {end!r}; tiers are production, {', '.join(map(str, names))}, demand"))
    return problems
