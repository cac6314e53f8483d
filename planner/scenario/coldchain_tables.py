"""Tables that justify a cold-chain plan to a planner: each site's catchment and why it beats its nearest
alternative.

* ``catchment``: per open site, the places it receives from (production areas it pre-cools for, sites that
  feed it) and the places it serves, with product, tonnes, km and hours of each leg.
* ``why``: per open site, the plan re-solved with the site moved to the nearest closed candidate of its
  tier (:func:`planner.model.coldchain.justify.site_swaps`); the cost components that change say what makes
  the site pay there.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from planner.model.coldchain import ColdChainModel, ColdChainSolution
from planner.model.coldchain.justify import site_swaps
from planner.model.deadline import Deadline
from planner.model.matrix import SolverOptions

__all__ = ["catchment_table", "catchment_text", "named", "why_sites", "why_text"]

#: at most this many sites are explained per run (tiers with the fewest open sites first, then the largest)
MAX_EXPLAINED = 12


def catchment_table(flows: pd.DataFrame) -> pd.DataFrame:
    """One row per open site, direction and counterpart place: product(s), tonnes, km and hours (the longest
    leg) of the flows in (``from``) and out (``to``) of each site."""
    rows = []
    for direction, site_end, other_end, not_a_site in (("in", "to", "from", "demand"), ("out", "from", "to", "production")):
        part = flows[flows[f"{site_end}_tier"] != not_a_site]
        if part.empty:
            continue
        grouped = part.groupby([f"{site_end}_tier", f"{site_end}_id", f"{other_end}_tier", f"{other_end}_id"], sort=False)
        table = grouped.agg(products=("product", lambda s: "+".join(sorted(set(s)))), tonnes=("tonnes", "sum"),
                            distance_km=("distance_km", "max"), time_h=("time_h", "max"),
                            name_zh=(f"{other_end}_name_zh", "first")).reset_index()
        table.columns = ["tier", "place_id", "other_tier", "other_id", "products", "tonnes", "distance_km", "time_h",
                         "other_name_zh"]
        table.insert(2, "direction", direction)
        rows.append(table)
    if not rows:
        return pd.DataFrame(columns=["tier", "place_id", "direction", "other_tier", "other_id", "other_name_zh",
                                     "products", "tonnes", "distance_km", "time_h"])
    out = pd.concat(rows, ignore_index=True)
    return out[["tier", "place_id", "direction", "other_tier", "other_id", "other_name_zh", "products", "tonnes",
                "distance_km", "time_h"]].sort_values(["tier", "place_id", "direction", "tonnes"],
                                                      ascending=[True, True, True, False]).reset_index(drop=True)


def catchment_text(catchment: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(tier, place id) -> a one-line summary: places received from and served, tonnes and farthest km."""
    out: dict[tuple[str, str], str] = {}
    for (tier, place), group in catchment.groupby(["tier", "place_id"], sort=False):
        parts = []
        for direction, label in (("in", "from"), ("out", "to")):
            d = group[group["direction"] == direction]
            if len(d):
                parts.append(f"{label} {len(d)} place(s), {d['tonnes'].sum():,.0f} t, farthest {d['distance_km'].max():,.0f} km")
        out[str(tier), str(place)] = "; ".join(parts)
    return out


#: an alternative site farther than this (km) is no alternative: the site is compared with being closed
NEAR_KM = 300.0


def _nearest_closed(places: pd.DataFrame, tier_places: list[str], opened: set[str], place: str) -> tuple[str, float] | None:
    """The closed candidate of the same tier nearest to ``place`` and its great-circle km, if any."""
    closed = [p for p in tier_places if p not in opened and p in places.index]
    if not closed or place not in places.index:
        return None
    lon0, lat0 = np.radians(places.loc[place, ["lon", "lat"]].astype(float).to_numpy())
    coords = np.radians(places.loc[closed, ["lon", "lat"]].astype(float).to_numpy())
    h = np.sin((coords[:, 1] - lat0) / 2) ** 2 + np.cos(lat0) * np.cos(coords[:, 1]) * np.sin((coords[:, 0] - lon0) / 2) ** 2
    k = int(np.argmin(h))
    return closed[k], float(2 * 6371.0 * np.arcsin(np.sqrt(h[k])))


def why_sites(model: ColdChainModel, solution: ColdChainSolution, places: pd.DataFrame,
              site_keys: dict[str, tuple[str, str]], options: SolverOptions, deadline: Deadline) -> list[dict[str, Any]]:
    """For up to :data:`MAX_EXPLAINED` open sites (tiers with the fewest open sites first, then by throughput),
    the cost of the plan with the site moved to the nearest closed candidate of its tier within
    :data:`NEAR_KM`, or else closed (its flows left to the other open sites; if the tier's site count forbids
    that, moved to the nearest closed candidate however far): ``tier``, ``place_id``, ``alternative_id``
    (empty: closed), ``extra_cost_cny``, ``components``. ``site_keys``: each site's name -> (tier, place)."""
    c = model.c
    site_index = {s.name: k for k, s in enumerate(c.sites)}
    name_of = {key: name for name, key in site_keys.items()}
    tiers = {t.name: t for t in model.problem.tiers}
    opened = solution.sites[solution.sites["open"]].copy()
    count = opened.groupby("tier")["site"].transform("size")
    opened = opened.assign(count=count).sort_values(["count", "throughput_t"], ascending=[True, False]).head(MAX_EXPLAINED)
    swaps: list[tuple[int, int | None]] = []
    labels = []
    for row in opened.itertuples():
        tier, place = site_keys[str(row.site)]
        tier_places = [site_keys[s.name][1] for s in tiers[tier].sites]
        open_here = {site_keys[str(s)][1] for s in solution.sites.loc[solution.sites["open"] & (solution.sites["tier"] == tier), "site"]}
        near = _nearest_closed(places, tier_places, open_here, place)
        can_close = len(open_here) > tiers[tier].min_open and not c.site_must[site_index[row.site]]
        if near is not None and (near[1] <= NEAR_KM or not can_close):
            alt: str | None = near[0]
        elif can_close:
            alt = None
        else:
            continue
        swaps.append((site_index[row.site], None if alt is None else site_index[name_of[tier, alt]]))
        labels.append((tier, place, alt))
    entries = site_swaps(model, solution.result, swaps, options, deadline)
    by_site = {e["site"]: e for e in entries}
    out = []
    for tier, place, alt in labels:
        entry = by_site.get(name_of[tier, place])
        if entry is None:
            continue
        item: dict[str, Any] = {"tier": tier, "place_id": place, "alternative_id": alt or "", "feasible": entry["feasible"]}
        if entry["feasible"]:
            item["extra_cost_cny"] = entry["extra_cost_cny"]
            item["components"] = {k: v for k, v in sorted(entry["components"].items(), key=lambda kv: -abs(kv[1]))
                                  if abs(v) >= 1.0}
        out.append(item)
    return out


def why_text(entry: dict[str, Any], places: pd.DataFrame, top: int = 3) -> str:
    """One line: the alternative (or closing the site) and the components that make the site pay against it."""
    alt = entry["alternative_id"]
    against = (f"vs {places.loc[alt, 'name_zh']}" if alt in places.index else f"vs {alt}") if alt else "vs closing it"
    if not entry.get("feasible"):
        return f"{against}: no feasible plan (the other open sites cannot take its flows)"
    parts = [f"{k} {v / 1e6:+,.1f} M" for k, v in list(entry.get("components", {}).items())[:top]]
    text = f"{against}: {entry['extra_cost_cny'] / 1e6:+,.1f} M CNY ({', '.join(parts)})"
    if entry["extra_cost_cny"] < 0:  # the plan is proven within mip_gap only: a cheaper one may exist
        text += "; cheaper, within the solver's gap: a smaller solver.mip_gap may move this site"
    return text


def named(text: str, places: pd.DataFrame, ids: list[str]) -> str:
    """``text`` with every place id of ``ids`` (also inside a site name ``tier:id``) followed by its Chinese name,
    e.g. ``cs620123`` -> ``cs620123 (榆中县)``."""
    known = sorted({i for i in ids if i in places.index}, key=len, reverse=True)
    if not known:
        return text
    pattern = re.compile(r"(?<![\w:])((?:\w+:)?)(" + "|".join(map(re.escape, known)) + r")(?!\w)")
    return pattern.sub(lambda m: f"{m.group(1)}{m.group(2)} ({places.loc[m.group(2), 'name_zh']})", text)
