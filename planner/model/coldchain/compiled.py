"""A :class:`ColdChainProblem` as flat numpy arrays, and the per-product route analysis on them.

Nodes are numbered tier by tier (production areas, each site tier, demand points). Every arc matrix entry
that exists becomes an *arc variant* ``(i, j, mode, alternative, refrigerated)`` with its transit time,
distance, cost, leg class and CO2. Sites hold *site zones* (a temperature zone of one site) and each site
zone its capacity *levels*.
"""

from __future__ import annotations

import math

import numpy as np

from planner.model.coldchain.problem import (
    ANY_ZONE,
    DEMAND,
    LEG_CLASSES,
    PRODUCTION,
    ZONES,
    ColdChainProblem,
    Product,
    Site,
)

__all__ = ["EPS_H", "CompiledProblem", "ZONE_CODES"]

EPS_H = 1e-9  # hours: tolerance of time comparisons
#: zone name -> code in the arrays
ZONE_CODES = {name: k for k, name in enumerate((*ZONES, ANY_ZONE))}
_CLASS_CODES = {name: k for k, name in enumerate(LEG_CLASSES)}


def _product_zone(product: Product, site: Site) -> str | None:
    """The zone of ``site`` that ``product`` uses (None: it cannot pass the site)."""
    names = [z.name for z in site.zones]
    if ANY_ZONE in names:
        return ANY_ZONE
    if product.zone is not None:
        return product.zone if product.zone in names else None
    preferred = ("ambient", "chilled") if product.may_go_ambient else ("chilled", "frozen")
    return next((z for z in preferred if z in names), None)


class CompiledProblem:
    """The problem as flat numpy arrays: nodes, sites, site zones, levels and arc variants (forbidden sites
    removed from the arcs)."""

    def __init__(self, prob: ColdChainProblem) -> None:
        self.prob = prob
        self.products: list[Product] = list(prob.products)
        self.P = len(self.products)
        self.order = prob.tier_order
        sizes = prob.tier_sizes
        self.tier_offset: dict[str, int] = {}
        off = 0
        node_tier: list[int] = []
        for pos, t in enumerate(self.order):
            self.tier_offset[t] = off
            node_tier += [pos] * sizes[t]
            off += sizes[t]
        self.node_name: list[str] = [*prob.production_areas, *(s.name for t in prob.tiers for s in t.sites),
                                     *(d.name for d in prob.demand_points)]
        self.N = off
        self.node_tier = np.asarray(node_tier, dtype=np.int64)
        self.T = len(self.order)
        self.O, self.D = sizes[PRODUCTION], sizes[DEMAND]
        self.demand_node0 = self.tier_offset[DEMAND]
        self._sites()
        self._levels()
        self._quantities()
        self._variants()

    # ------------------------------------------------------------------ sites, zones and levels
    def _sites(self) -> None:
        prob = self.prob
        extra_must, extra_forb = set(prob.must_open), set(prob.forbidden)
        self.sites: list[Site] = []
        self.site_tier_name: list[str] = []
        site_node, must, forb = [], [], []
        for tier in prob.tiers:
            for k, s in enumerate(tier.sites):
                self.sites.append(s)
                self.site_tier_name.append(tier.name)
                site_node.append(self.tier_offset[tier.name] + k)
                must.append(s.must_open or s.name in extra_must)
                forb.append(s.forbidden or s.name in extra_forb)
        self.S = len(self.sites)
        self.site_node = np.asarray(site_node, dtype=np.int64)
        self.site_must = np.asarray(must, dtype=bool)
        self.site_forbidden = np.asarray(forb, dtype=bool)
        self.site_fixed = np.array([s.fixed_cny for s in self.sites], dtype=np.float64)
        self.node_site = np.full(self.N, -1, dtype=np.int64)
        self.node_site[self.site_node] = np.arange(self.S)
        self.node_dwell = np.zeros(self.N)
        self.node_dwell[self.site_node] = [s.dwell_h for s in self.sites]
        tier_refrig = {t.name: t.refrigerated for t in prob.tiers}
        # site zones
        sz_site, sz_zone, sz_handling, sz_refrig = [], [], [], []
        self.sz_of: list[dict[str, int]] = []
        for k, s in enumerate(self.sites):
            own: dict[str, int] = {}
            for z in s.zones:
                own[z.name] = len(sz_site)
                sz_site.append(k)
                sz_zone.append(ZONE_CODES[z.name])
                sz_handling.append(z.handling_cny_per_t)
                sz_refrig.append(tier_refrig[self.site_tier_name[k]] if z.name == ANY_ZONE else z.name != "ambient")
            self.sz_of.append(own)
        self.SZ = len(sz_site)
        self.sz_site = np.asarray(sz_site, dtype=np.int64)
        self.sz_zone = np.asarray(sz_zone, dtype=np.int64)
        self.sz_handling = np.asarray(sz_handling, dtype=np.float64)
        self.sz_refrig = np.asarray(sz_refrig, dtype=bool)
        self.sz_required = np.array([self.zone_of(z) in self.sites[self.sz_site[z]].required_zones
                                     for z in range(self.SZ)], dtype=bool)
        # the site zone each product uses at each site (-1: it cannot pass)
        self.product_sz = np.full((self.P, self.S), -1, dtype=np.int64)
        for p, prod in enumerate(self.products):
            for k, s in enumerate(self.sites):
                zone = _product_zone(prod, s)
                if zone is not None:
                    self.product_sz[p, k] = self.sz_of[k][zone]

    def _levels(self) -> None:
        lvl_sz, lvl_idx, lvl_cap, lvl_fixed = [], [], [], []
        for sz in range(self.SZ):
            s = self.sites[self.sz_site[sz]]
            zone = s.zones[sz - min(self.sz_of[self.sz_site[sz]].values())]
            for li, (c, f) in enumerate(zone.levels):
                lvl_sz.append(sz)
                lvl_idx.append(li)
                lvl_cap.append(c)
                lvl_fixed.append(f)
        self.lvl_sz = np.asarray(lvl_sz, dtype=np.int64)
        self.lvl_site = self.sz_site[self.lvl_sz]
        self.lvl_idx = np.asarray(lvl_idx, dtype=np.int64)
        self.lvl_cap = np.asarray(lvl_cap, dtype=np.float64)
        self.lvl_fixed = np.asarray(lvl_fixed, dtype=np.float64)
        self.sz_capmax = np.zeros(self.SZ)
        np.maximum.at(self.sz_capmax, self.lvl_sz, self.lvl_cap)
        self.site_capmax = np.zeros(self.S)
        np.add.at(self.site_capmax, self.sz_site, self.sz_capmax)
        # next larger level of the same site zone (-1 for its largest level); levels are listed by capacity
        same = self.lvl_sz[1:] == self.lvl_sz[:-1]
        self.lvl_next = np.full(self.lvl_sz.size, -1, dtype=np.int64)
        self.lvl_next[:-1][same] = np.flatnonzero(same) + 1
        # the smallest level of each site zone
        self.sz_first = np.searchsorted(self.lvl_sz, np.arange(self.SZ))

    def zone_of(self, sz: int) -> str:
        """The zone name of site zone ``sz``."""
        return (*ZONES, ANY_ZONE)[int(self.sz_zone[sz])]

    def zone_spec(self, sz: int):  # noqa: ANN201 - a problem.Zone
        """The :class:`~planner.model.coldchain.problem.Zone` of site zone ``sz``."""
        return self.sites[self.sz_site[sz]].zone(self.zone_of(sz))

    # ------------------------------------------------------------------ quantities
    def _quantities(self) -> None:
        prob = self.prob
        self.supply = prob.supply_matrix_t
        self.demand = prob.demand_matrix_t
        lim = np.full((self.D, self.P), np.inf)
        for j, p in enumerate(self.products):
            if p.max_time_h is not None:
                lim[:, j] = np.minimum(lim[:, j], p.max_time_h)
        for i, d in enumerate(prob.demand_points):
            if d.max_time_h is not None:
                lim[i, :] = np.minimum(lim[i, :], d.max_time_h)
        self.limit = lim
        pen = np.full(self.P, np.nan)
        for j, p in enumerate(self.products):
            v = p.unmet_penalty_cny_per_t if p.unmet_penalty_cny_per_t is not None else prob.unmet_penalty_cny_per_t
            if v is not None:
                pen[j] = v
        self.penalty = pen
        # per product and leg class: the longest arc allowed (h); first mile also in km
        self.leg_limit_h = np.array([[p.leg_limit_h(c) for c in LEG_CLASSES] for p in self.products])
        self.first_mile_km = np.array([math.inf if p.first_mile_max_km is None else p.first_mile_max_km
                                       for p in self.products])

    # ------------------------------------------------------------------ arc variants
    def _variants(self) -> None:
        prob = self.prob
        self.modes = sorted({a.mode for a in prob.arcs})
        keys = ("fr", "to", "mode", "alt", "ref", "time", "dist", "cost", "cls")
        parts: dict[str, list[np.ndarray]] = {k: [] for k in keys}
        for a in prob.arcs:
            f0, t0 = self.tier_offset[a.from_tier], self.tier_offset[a.to_tier]
            cls = np.array([_CLASS_CODES[c] for c in a.leg_class], dtype=np.int64)
            for ref, cost in ((False, a.cost_ambient_cny_per_t), (True, a.cost_refrigerated_cny_per_t)):
                ii, jj = np.nonzero(np.isfinite(a.time_h) & np.isfinite(cost))
                parts["fr"].append(ii + f0)
                parts["to"].append(jj + t0)
                parts["mode"].append(np.full(ii.size, self.modes.index(a.mode)))
                parts["alt"].append(np.full(ii.size, int(a.alternative)))
                parts["ref"].append(np.full(ii.size, ref))
                parts["time"].append(a.time_h[ii, jj])
                parts["dist"].append(a.distance_km[ii, jj])
                parts["cost"].append(cost[ii, jj])
                parts["cls"].append(cls[jj])
        cat = {k: (np.concatenate(v) if v else np.zeros(0)) for k, v in parts.items()}
        fr, to = cat["fr"].astype(np.int64), cat["to"].astype(np.int64)
        blocked = np.zeros(self.N, dtype=bool)
        blocked[self.site_node[self.site_forbidden]] = True
        keep = ~(blocked[fr] | blocked[to])
        self.a_from, self.a_to = fr[keep], to[keep]
        self.a_mode = cat["mode"].astype(np.int64)[keep]
        self.a_alt = cat["alt"].astype(np.int64)[keep]
        self.a_ref = cat["ref"].astype(bool)[keep]
        self.a_time = cat["time"].astype(np.float64)[keep]
        self.a_dist = cat["dist"].astype(np.float64)[keep]
        self.a_cost = cat["cost"].astype(np.float64)[keep]
        self.a_class = cat["cls"].astype(np.int64)[keep]
        self.a_tau = self.a_time + self.node_dwell[self.a_to]
        self.a_from_tier = self.node_tier[self.a_from]
        co2 = np.array([float(prob.co2_kg_per_tkm.get(m, 0.0)) for m in self.modes])
        self.a_co2_kg_per_t = (co2[self.a_mode] * self.a_dist * np.where(self.a_ref, prob.co2_reefer_factor, 1.0)
                               if self.a_mode.size else np.zeros(0))

    def variant_sz(self, p: np.ndarray, node: np.ndarray) -> np.ndarray:
        """The site zone product ``p`` uses at ``node`` (-1 where the node is no site or has no zone for it)."""
        site = self.node_site[node]
        out = np.full(np.shape(node), -1, dtype=np.int64)
        at = site >= 0
        out[at] = self.product_sz[np.broadcast_to(p, np.shape(node))[at], site[at]]
        return out

    # ------------------------------------------------------------------ per-product graph analysis
    def allowed(self, p: int) -> np.ndarray:
        """Arc variants product ``p`` may use at all: refrigeration rules, the zones of the sites at both
        ends, the product's time standard of each leg class and its first-mile distance."""
        ok = np.ones(self.a_from.size, dtype=bool)
        prod = self.products[p]
        for end in (self.a_from, self.a_to):
            site = self.node_site[end]
            at = site >= 0
            sz = np.where(at, self.product_sz[p, np.maximum(site, 0)], -1)
            ok &= ~at | (sz >= 0)
            if not prod.may_go_ambient:
                ok &= ~at | self.sz_refrig[np.maximum(sz, 0)]
        first = self.a_class == _CLASS_CODES["first_mile"]
        if not prod.may_go_ambient:
            # the cold chain starts at pre-cooling: the first mile may run unrefrigerated (at ambient spoilage)
            ok &= self.a_ref | first
        ok &= self.a_time <= self.leg_limit_h[p, self.a_class] + EPS_H
        ok &= ~first | (self.a_dist <= self.first_mile_km[p] + 1e-9)
        return ok

    def forward(self, p: int, sel: np.ndarray, longest: bool = False) -> np.ndarray:
        """Earliest (or latest) arrival time at every node over variants ``sel`` from areas supplying ``p``."""
        fill = -np.inf if longest else np.inf
        arr = np.full(self.N, fill)
        arr[: self.O][self.supply[:, p] > 0] = 0.0
        ufunc = np.maximum if longest else np.minimum
        for t in range(self.T - 1):
            s = sel & (self.a_from_tier == t)
            if s.any():
                src = arr[self.a_from[s]]
                vals = src + self.a_tau[s]
                vals[~np.isfinite(src)] = fill
                ufunc.at(arr, self.a_to[s], vals)
        return arr

    def backward(self, p: int, sel: np.ndarray, longest: bool = False) -> np.ndarray:
        """Fastest (or slowest) time from every node to every demand point, shape (N, D)."""
        fill = -np.inf if longest else np.inf
        q = np.full((self.N, self.D), fill)
        q[self.demand_node0 + np.arange(self.D), np.arange(self.D)] = 0.0
        ufunc = np.maximum if longest else np.minimum
        for t in range(self.T - 2, -1, -1):
            s = np.flatnonzero(sel & (self.a_from_tier == t))
            if s.size:
                sub = q[self.a_to[s]]
                vals = sub + self.a_tau[s][:, None]
                vals[~np.isfinite(sub)] = fill
                ufunc.at(q, self.a_from[s], vals)
        return q

    def analyse(self, p: int) -> dict[str, np.ndarray]:
        """Pruning and time-criticality of every arc variant for product ``p``.

        Sound pruning: ``E(i)`` = earliest arrival at ``i`` from an area supplying ``p``; ``S(j)`` = max over
        demand points ``d`` needing ``p`` of ``L[d,p] - fastest(j -> d)``; a variant ``i -> j`` (transit +
        dwell ``tau``) is kept only if ``E(i) + tau <= S(j)``, i.e. it lies on a route within its limit.
        A kept variant is *critical* when the longest kept route through it may exceed the limit of a demand
        point it reaches; only critical variants need the door-to-door rows.
        """
        allowed = self.allowed(p)
        need = self.demand[:, p] > 0
        lim = self.limit[:, p]
        earliest = self.forward(p, allowed)
        qmin = self.backward(p, allowed)
        with np.errstate(invalid="ignore"):
            slack = np.where(np.isfinite(qmin) & need[None, :], lim[None, :] - qmin, -np.inf)
        latest_ok = slack.max(axis=1) if self.D else np.full(self.N, -np.inf)
        e_from = earliest[self.a_from]
        keep = allowed & np.isfinite(e_from) & (e_from + self.a_tau <= latest_ok[self.a_to] + EPS_H)
        critical = np.zeros_like(keep)
        lpre = self.forward(p, keep, longest=True)
        if np.isfinite(lim[need]).any() and keep.any():
            lsuf = self.backward(p, keep, longest=True)
            with np.errstate(invalid="ignore"):
                strict = np.where(lsuf > -np.inf, lim[None, :] - lsuf, np.inf).min(axis=1)
            critical = keep & (lpre[self.a_from] + self.a_tau > strict[self.a_to] + EPS_H)
        return {"allowed": allowed, "keep": keep, "critical": critical, "earliest": earliest,
                "longest": lpre}
