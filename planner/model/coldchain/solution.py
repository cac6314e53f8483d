"""A solved cold-chain network as tables: sites, site zones, flows, service, cost breakdown and KPIs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from planner.model.coldchain.problem import LEG_CLASSES
from planner.model.matrix import SolveResult

if TYPE_CHECKING:
    from planner.model.coldchain.milp import ColdChainMILP

__all__ = ["ColdChainSolution"]


@dataclass
class ColdChainSolution:
    """A solved cold-chain network.

    ``report``: status, objective (CNY), best bound, gap, build / solve seconds, solver, model size.
    ``sites``: one row per candidate: tier, site, open, zones (the open zones, ``+``-joined), level (index of
    the open capacity level of the site's largest zone, -1 closed), capacity_t, storage_t, volume_m3,
    capex_cny, fixed_cost_cny (a season's fixed cost: zones and the site's own), throughput_t, utilisation,
    handling_cny, must_open, forbidden.
    ``zones``: one row per open site zone: tier, site, zone, level, capacity_t, storage_t, volume_m3,
    capex_cny, fixed_cost_cny, throughput_t, utilisation, handling_cny.
    ``flows``: product, from, from_tier, to, to_tier, tier_pair, leg_class, mode, alternative, refrigerated,
    tonnes, distance_km, time_h (transit), dwell_h (at the destination site), transport_cny, handling_cny,
    spoilage_t, spoilage_cny, co2_kg, co2_cny, cost_cny (sum of the cost columns).
    ``cost_breakdown``: component, cost_cny (fixed, handling, transport, spoilage, co2, unmet_penalty, total).
    ``service``: demand point, kind, product, demand_t, delivered_t, unmet_t, min / max path time (h) over
    the used routes, time_limit_h, within_limit.
    """

    report: dict[str, Any]
    sites: pd.DataFrame
    flows: pd.DataFrame
    cost_breakdown: pd.DataFrame
    service: pd.DataFrame
    result: SolveResult = field(repr=False)
    zones: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def objective(self) -> float:
        """Objective value (CNY per season)."""
        return float(self.report["objective"])

    @property
    def status(self) -> str:
        """Solver status."""
        return str(self.report["status"])

    def open_sites(self, tier: str | None = None) -> list[str]:
        """Names of the open sites (of ``tier`` if given)."""
        s = self.sites[self.sites["open"]]
        if tier is not None:
            s = s[s["tier"] == tier]
        return list(s["site"])

    def kpis(self) -> dict[str, Any]:
        """Headline indicators (costs in CNY, quantities in t, times in h, shares 0-1)."""
        cb = dict(zip(self.cost_breakdown["component"], self.cost_breakdown["cost_cny"], strict=True))
        dem = float(self.service["demand_t"].sum())
        deliv = float(self.service["delivered_t"].sum())
        f = self.flows
        tkm = float((f["tonnes"] * f["distance_km"]).sum())
        ref_tkm = float((f["tonnes"] * f["distance_km"])[f["refrigerated"]].sum())
        open_s = self.sites[self.sites["open"]]
        spoiled = float(f["spoilage_t"].sum())
        out: dict[str, Any] = {
            "status": self.status,
            "total_cost_cny": self.objective,
            "gap": self.report.get("gap"),
            "demand_t": dem,
            "delivered_t": deliv,
            "unmet_t": float(self.service["unmet_t"].sum()),
            "service_level": deliv / dem if dem > 0 else 1.0,
            "cost_per_t_delivered_cny": cb["total"] / deliv if deliv > 0 else None,
            "spoilage_t": spoiled,
            "spoilage_share_of_tonnes": spoiled / deliv if deliv > 0 else 0.0,
            "spoilage_cost_share": cb["spoilage"] / cb["total"] if cb["total"] > 0 else 0.0,
            "tonne_km": tkm,
            "refrigerated_tkm_share": ref_tkm / tkm if tkm > 0 else 0.0,
            "co2_t": float(f["co2_kg"].sum()) / 1000.0,
            "co2_cost_cny": cb["co2"],
            "max_path_time_h": float(self.service["max_path_time_h"].max()) if len(self.service) else 0.0,
            "mean_utilisation": float(open_s["utilisation"].mean()) if len(open_s) else 0.0,
            "capex_cny": float(open_s["capex_cny"].sum()) if open_s["capex_cny"].notna().any() else None,
        }
        for tier, n in open_s.groupby("tier", sort=False).size().items():
            out[f"open_sites_{tier}"] = int(n)
        by_leg = f.groupby("leg_class")["transport_cny"].sum()
        for leg in LEG_CLASSES:
            if leg in by_leg.index:
                out[f"transport_{leg}_cny"] = float(by_leg[leg])
        return out

    @classmethod
    def from_result(cls, cm: ColdChainMILP, res: SolveResult) -> ColdChainSolution:
        """The tables of the model ``cm`` at the solution ``res`` (objective in CNY)."""
        b = cm.blocks
        yv = cm.level_values(res)
        xv = np.maximum(res.values(b["flow"]), 0.0)
        uv = np.maximum(res.values(b["unmet"]), 0.0)
        xv = np.where(xv > cm.used_tolerance(), xv, 0.0)
        zones = _zone_table(cm, yv, xv)
        sites = _site_table(cm, zones)
        flows = _flow_table(cm, xv)
        comp = {
            "fixed": float(sites["fixed_cost_cny"].sum()),
            "handling": float(flows["handling_cny"].sum()),
            "transport": float(flows["transport_cny"].sum()),
            "spoilage": float(flows["spoilage_cny"].sum()),
            "co2": float(flows["co2_cny"].sum()),
            "unmet_penalty": float((uv * cm.u_cost).sum()),
        }
        comp["total"] = float(sum(comp.values()))
        cost_breakdown = pd.DataFrame({"component": list(comp), "cost_cny": list(comp.values())})
        service = _service_table(cm, xv, uv)
        report = res.to_dict()
        report["build_seconds"] = round(cm.build_seconds + res.build_seconds, 6)
        report["model_build_seconds"] = round(cm.build_seconds, 6)
        report["model_size"] = cm.size()
        report["objective_recomputed"] = comp["total"]
        return cls(report, sites, flows, cost_breakdown, service, res, zones[zones["open"]].drop(columns="open")
                   .reset_index(drop=True))


def _per_level(cm: ColdChainMILP, attr: str) -> np.ndarray:
    """A reporting value of every zone level (NaN where the zone does not give it)."""
    c = cm.c
    out = np.full(c.lvl_sz.size, np.nan)
    for lv in range(c.lvl_sz.size):
        values = getattr(c.zone_spec(int(c.lvl_sz[lv])), attr)
        if values:
            out[lv] = values[c.lvl_idx[lv]]
    return out


def _zone_table(cm: ColdChainMILP, yv: np.ndarray, xv: np.ndarray) -> pd.DataFrame:
    c = cm.c
    chosen = yv > 0.5
    level = np.full(c.SZ, -1)
    level[c.lvl_sz[chosen]] = c.lvl_idx[chosen]

    def picked(values: np.ndarray, fill: float = 0.0) -> np.ndarray:
        out = np.full(c.SZ, fill)
        out[c.lvl_sz[chosen]] = values[chosen]
        return out

    cap = picked(c.lvl_cap)
    thr = np.zeros(c.SZ)
    handling = np.zeros(c.SZ)
    into = cm.f_sz_to >= 0
    np.add.at(thr, cm.f_sz_to[into], xv[into])
    np.add.at(handling, cm.f_sz_to[into], (xv * cm.cost_handling)[into])
    return pd.DataFrame({
        "tier": np.asarray(c.site_tier_name, dtype=object)[c.sz_site],
        "site": [c.sites[s].name for s in c.sz_site],
        "zone": [c.zone_of(z) for z in range(c.SZ)],
        "open": level >= 0,
        "level": level,
        "capacity_t": cap,
        "storage_t": picked(_per_level(cm, "storage_t"), np.nan),
        "volume_m3": picked(_per_level(cm, "volume_m3"), np.nan),
        "capex_cny": picked(_per_level(cm, "capex_cny"), np.nan),
        "fixed_cost_cny": picked(c.lvl_fixed),
        "throughput_t": thr,
        "utilisation": np.divide(thr, cap, out=np.zeros(c.SZ), where=cap > 0),
        "handling_cny": handling,
    })


def _site_table(cm: ColdChainMILP, zones: pd.DataFrame) -> pd.DataFrame:
    c = cm.c
    z = zones.assign(site_index=c.sz_site)
    on = z[z["open"]]
    by = on.groupby("site_index")
    is_open = np.zeros(c.S, dtype=bool)
    is_open[by.size().index.to_numpy()] = True

    def total(column: str, fill: float = 0.0) -> np.ndarray:
        sums = by[column].sum(min_count=1).reindex(range(c.S))
        return sums.fillna(fill).to_numpy(dtype=np.float64)

    # the level shown per site is that of its largest open zone
    largest = on.sort_values("capacity_t").drop_duplicates("site_index", keep="last").set_index("site_index")["level"]
    cap = total("capacity_t")
    thr = total("throughput_t")
    return pd.DataFrame({
        "tier": c.site_tier_name,
        "site": [s.name for s in c.sites],
        "open": is_open,
        "zones": by["zone"].agg("+".join).reindex(range(c.S)).fillna("").to_numpy(),
        "level": largest.reindex(range(c.S)).fillna(-1).astype(int).to_numpy(),
        "capacity_t": cap,
        "storage_t": total("storage_t", np.nan),
        "volume_m3": total("volume_m3", np.nan),
        "capex_cny": total("capex_cny", np.nan),
        "fixed_cost_cny": total("fixed_cost_cny") + np.where(is_open, c.site_fixed, 0.0),
        "throughput_t": thr,
        "utilisation": np.divide(thr, cap, out=np.zeros(c.S), where=cap > 0),
        "handling_cny": total("handling_cny"),
        "must_open": c.site_must,
        "forbidden": c.site_forbidden,
    })


def _flow_table(cm: ColdChainMILP, xv: np.ndarray) -> pd.DataFrame:
    c = cm.c
    used = np.flatnonzero(xv > 0)
    a = cm.f_a[used]
    names = np.asarray(c.node_name, dtype=object)
    tiers = np.asarray(c.order, dtype=object)
    ft, tt = tiers[c.node_tier[c.a_from[a]]], tiers[c.node_tier[c.a_to[a]]]
    t_ = xv[used]
    flows = pd.DataFrame({
        "product": np.asarray([p.name for p in c.products], dtype=object)[cm.f_p[used]],
        "from": names[c.a_from[a]],
        "from_tier": ft,
        "to": names[c.a_to[a]],
        "to_tier": tt,
        "tier_pair": [f"{x_}->{y_}" for x_, y_ in zip(ft, tt, strict=True)],
        "leg_class": np.asarray(LEG_CLASSES, dtype=object)[c.a_class[a]],
        "mode": np.asarray(c.modes, dtype=object)[c.a_mode[a]] if a.size else np.zeros(0, dtype=object),
        "alternative": c.a_alt[a],
        "refrigerated": c.a_ref[a],
        "tonnes": t_,
        "distance_km": c.a_dist[a],
        "time_h": c.a_time[a],
        "dwell_h": c.node_dwell[c.a_to[a]],
        "transport_cny": t_ * cm.cost_transport[used],
        "handling_cny": t_ * cm.cost_handling[used],
        "spoilage_t": t_ * cm.loss_fraction[used],
        "spoilage_cny": t_ * cm.cost_spoilage[used],
        "co2_kg": t_ * cm.co2_kg_per_t[used],
        "co2_cny": t_ * cm.cost_co2[used],
    })
    flows["cost_cny"] = flows[["transport_cny", "handling_cny", "spoilage_cny", "co2_cny"]].sum(axis=1)
    return flows


def _service_table(cm: ColdChainMILP, xv: np.ndarray, uv: np.ndarray) -> pd.DataFrame:
    c, prob = cm.c, cm.problem
    unmet = np.zeros((c.D, c.P))
    unmet[cm.u_d, cm.u_p] = uv
    delivered = np.zeros((c.D, c.P))
    dem_in = c.node_tier[cm.f_to] == c.T - 1
    np.add.at(delivered, (cm.f_to[dem_in] - c.demand_node0, cm.f_p[dem_in]), xv[dem_in])
    tmax = np.full((c.D, c.P), np.nan)
    tmin = np.full((c.D, c.P), np.nan)
    for p in range(c.P):
        sel = np.zeros(c.a_from.size, dtype=bool)
        sel[cm.f_a[(cm.f_p == p) & (xv > 0)]] = True
        if not sel.any():
            continue
        hi = c.forward(p, sel, longest=True)[c.demand_node0:]
        lo = c.forward(p, sel, longest=False)[c.demand_node0:]
        ok = delivered[:, p] > 0
        tmax[ok, p] = hi[ok]
        tmin[ok, p] = lo[ok]
    dd, pp = np.nonzero(c.demand > 0)
    service = pd.DataFrame({
        "demand_point": [prob.demand_points[d].name for d in dd],
        "kind": [prob.demand_points[d].kind for d in dd],
        "product": [c.products[p].name for p in pp],
        "demand_t": c.demand[dd, pp],
        "delivered_t": delivered[dd, pp],
        "unmet_t": unmet[dd, pp],
        "min_path_time_h": tmin[dd, pp],
        "max_path_time_h": tmax[dd, pp],
        "time_limit_h": c.limit[dd, pp],
    })
    service["within_limit"] = ~(service["max_path_time_h"] > service["time_limit_h"] + 1e-6)
    return service
