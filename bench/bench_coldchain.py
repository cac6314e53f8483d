"""Benchmark of the cold-chain network design model on a synthetic, realistic-size instance.

About 190 demand points (~ the county seats of Xinjiang + Gansu, a few of them outbound gateways and border
ports), 5 products, 40 production areas, 30 / 15 / 30 candidates for pre-cooling / backbone / regional
tiers, random but seeded coordinates in a 2000 km box, road distance = straight line x 1.3 (rail x 1.2).
Default parameters (speeds, rates, loss rates, CO2) come from geodata/cold_chain_parameters.csv.

Run: ``python bench/bench_coldchain.py [--seed 7] [--gap 0.005] [--time-limit 120] [--solver highs]
[--results bench/RESULTS.md]`` (``--results`` appends a section to that file).
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from planner.model.coldchain import (
    ColdChainModel,
    ColdChainProblem,
    DemandPoint,
    Site,
    SiteTier,
    arc_matrix_from_distance,
    load_cold_chain_parameters,
    parameter_value,
    product_from_parameters,
)
from planner.model.matrix import SolverOptions

BOX_KM = 2000.0
ROAD_DETOUR = 1.3
RAIL_DETOUR = 1.2


def _dist(a: np.ndarray, b: np.ndarray, factor: float) -> np.ndarray:
    return factor * np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2))


def build_instance(seed: int = 7, n_demand: int = 190, n_areas: int = 40, n_precool: int = 30,
                   n_backbone: int = 15, n_regional: int = 30, time_limits: bool = True) -> ColdChainProblem:
    """The synthetic instance (deterministic for a given seed); ``time_limits=False`` drops the products'
    door-to-door limits."""
    rng = np.random.default_rng(seed)
    par = load_cold_chain_parameters()
    products = [
        product_from_parameters("香梨", "fruit_vegetable", params=par, value_cny_per_t=6000.0, max_time_h=96.0),
        product_from_parameters("小白杏", "fruit_vegetable", params=par, value_cny_per_t=12000.0, max_time_h=72.0),
        product_from_parameters("新梅", "fruit_vegetable", params=par, value_cny_per_t=10000.0, max_time_h=72.0,
                                ambient_allowed=True),
        product_from_parameters("牛羊肉", "meat", params=par),
        product_from_parameters("红枣", "non_perishable", params=par, value_cny_per_t=15000.0),
    ]
    if not time_limits:
        products = [replace(p, max_time_h=None) for p in products]
    n_p = len(products)
    # production areas cluster in the west / south-west (oases), demand spread, cities denser in the east
    areas = np.column_stack([rng.uniform(0, 0.6 * BOX_KM, n_areas), rng.uniform(0, BOX_KM, n_areas)])
    precool = areas[rng.choice(n_areas, n_precool, replace=n_precool > n_areas)] + rng.normal(0, 40, (n_precool, 2))
    backbone = rng.uniform(0.1 * BOX_KM, 0.9 * BOX_KM, (n_backbone, 2))
    regional = rng.uniform(0, BOX_KM, (n_regional, 2))
    demand = rng.uniform(0, BOX_KM, (n_demand, 2))
    kinds = ["city"] * n_demand
    for i in range(4):  # outbound gateways on the eastern edge (to markets in eastern China)
        demand[i] = (BOX_KM, BOX_KM * (0.2 + 0.2 * i))
        kinds[i] = "gateway"
    for i in range(4, 9):  # border ports on the western edge
        demand[i] = (0.0, BOX_KM * (0.1 + 0.2 * (i - 4)))
        kinds[i] = "port"
    # supply: each area grows 2-3 products; demand: cities small, gateways large
    supply = np.zeros((n_areas, n_p))
    for a in range(n_areas):
        grown = rng.choice(n_p, rng.integers(2, 4), replace=False)
        supply[a, grown] = rng.uniform(5e3, 4e4, grown.size)
    weight = np.where(np.array(kinds) == "gateway", 40.0, np.where(np.array(kinds) == "port", 10.0, 1.0))
    share = rng.uniform(0.5, 1.5, (n_demand, n_p)) * weight[:, None]
    dem = share / share.sum(axis=0) * supply.sum(axis=0) * 0.85
    # candidates and capacity levels (tonnes / season, CNY / season)
    tiers = [
        SiteTier("precool", tuple(
            Site(f"PC{i:02d}", ((3e4, 4e6), (1e5, 9e6)), handling_cny_per_t=15.0, dwell_h=4.0)
            for i in range(n_precool))),
        SiteTier("backbone", tuple(
            Site(f"BB{i:02d}", ((2e5, 3e7), (5e5, 6e7), (1e6, 1e8)), handling_cny_per_t=25.0, dwell_h=8.0)
            for i in range(n_backbone)), min_open=1, max_open=6),
        SiteTier("regional", tuple(
            Site(f"RG{i:02d}", ((5e4, 6e6), (1.5e5, 1.2e7)), handling_cny_per_t=20.0, dwell_h=4.0)
            for i in range(n_regional))),
    ]
    road_v = parameter_value(par, "road_speed", "truck")
    rail_v = parameter_value(par, "rail_speed", "train")
    r_amb, r_ref = (parameter_value(par, "road_rate_ambient", "truck"),
                    parameter_value(par, "road_rate_refrigerated", "truck"))
    t_amb, t_ref = (parameter_value(par, "rail_rate_ambient", "train"),
                    parameter_value(par, "rail_rate_refrigerated", "train"))
    term = parameter_value(par, "terminal_cost", "rail")

    def road(ft, tt, a, b, max_km=None):
        return arc_matrix_from_distance(ft, tt, "road", _dist(a, b, ROAD_DETOUR), speed_kmh=road_v,
                                        ambient_cny_per_tkm=r_amb, refrigerated_cny_per_tkm=r_ref,
                                        max_distance_km=max_km)

    def rail(ft, tt, a, b, min_km=400.0):
        d = _dist(a, b, RAIL_DETOUR)
        d = np.where(d < min_km, np.inf, d)  # rail only on long legs
        return arc_matrix_from_distance(ft, tt, "rail", d, speed_kmh=rail_v, ambient_cny_per_tkm=t_amb,
                                        refrigerated_cny_per_tkm=t_ref, terminal_cny_per_t=term)

    arcs = [
        road("production", "precool", areas, precool, max_km=400.0),
        road("precool", "backbone", precool, backbone),
        rail("precool", "backbone", precool, backbone),
        road("backbone", "regional", backbone, regional),
        rail("backbone", "regional", backbone, regional),
        road("regional", "demand", regional, demand, max_km=700.0),
        road("backbone", "demand", backbone, demand, max_km=400.0),
    ]
    return ColdChainProblem(
        products=products,
        production_areas=[f"AREA{i:02d}" for i in range(n_areas)],
        supply_t=supply,
        demand_points=[DemandPoint(f"D{i:03d}", kind=k) for i, k in enumerate(kinds)],
        demand_t=dem,
        tiers=tiers,
        arcs=arcs,
        unmet_penalty_cny_per_t=30000.0,
        co2_kg_per_tkm={"road": parameter_value(par, "co2_intensity", "road"),
                        "rail": parameter_value(par, "co2_intensity", "rail")},
        co2_reefer_factor=parameter_value(par, "co2_reefer_factor", "all"),
        co2_price_cny_per_t=parameter_value(par, "co2_price", "all"),
        name="bench_coldchain",
    )


def run(seed: int, gap: float, time_limit: float, solver: str, threads: int | None, time_limits: bool = True) -> dict:
    """Build and solve; return the numbers."""
    t0 = time.perf_counter()
    prob = build_instance(seed, time_limits=time_limits)
    t1 = time.perf_counter()
    model = ColdChainModel(prob)
    t2 = time.perf_counter()
    sol = model.solve(SolverOptions(solver=solver, mip_gap=gap, time_limit_s=time_limit, threads=threads))
    t3 = time.perf_counter()
    k = sol.kpis()
    return {
        "seed": seed,
        "solver": solver,
        "instance_seconds": round(t1 - t0, 3),
        "model_build_seconds": round(t2 - t1, 3),
        "solver_build_seconds": round(sol.result.build_seconds, 3),
        "solve_seconds": round(sol.result.solve_seconds, 3),
        "total_seconds": round(t3 - t0, 3),
        "status": sol.status,
        "objective_cny": round(sol.objective, 1),
        "best_bound_cny": None if sol.report["best_bound"] is None else round(sol.report["best_bound"], 1),
        "gap": sol.report["gap"],
        "size": model.size(),
        "open_sites": {t: int(v) for t, v in sol.sites[sol.sites["open"]].groupby("tier").size().items()},
        "service_level": round(k["service_level"], 4),
        "max_path_time_h": round(k["max_path_time_h"], 1),
        "routes_within_limit": bool(sol.service["within_limit"].all()),
        "refrigerated_tkm_share": round(k["refrigerated_tkm_share"], 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--gap", type=float, default=0.005)
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--solver", default="highs")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--no-time-limits", action="store_true", help="drop the door-to-door limits")
    ap.add_argument("--results", default=None, help="append a section to this markdown file")
    a = ap.parse_args()
    out = run(a.seed, a.gap, a.time_limit, a.solver, a.threads, time_limits=not a.no_time_limits)
    print(json.dumps(out, indent=2, ensure_ascii=False))
    if a.results:
        cmd = (f"python bench/bench_coldchain.py --seed {a.seed} --gap {a.gap} --time-limit {a.time_limit} "
               f"--solver {a.solver}" + (f" --threads {a.threads}" if a.threads else "")
               + (" --no-time-limits" if a.no_time_limits else ""))
        s = out["size"]
        lines = [
            "",
            f"## Cold-chain network design (`planner.model.coldchain`), seed {a.seed}"
            + (", without door-to-door limits" if a.no_time_limits else ", with door-to-door limits"),
            "",
            f"Command: `{cmd}` ({platform.python_implementation()} {platform.python_version()}, "
            f"{platform.machine()})",
            "",
            "Instance: 190 demand points (4 gateways, 5 ports), 5 products, 40 production areas, "
            "30 / 15 / 30 candidates (pre-cooling / backbone / regional), 2000 km box, road = 1.3 x straight line.",
            "",
            "| measure | value |",
            "|---|---|",
            f"| model size | {s['variables']} variables ({s['binaries']} binary), {s['rows']} rows, "
            f"{s['nonzeros']} nonzeros |",
            f"| flow variables after pruning | {s['flow_variables']} of {s['arc_variants_before_pruning']} "
            f"arc variants x products ({s['time_critical_variants']} time-critical) |",
            f"| build (instance / model / solver input) | {out['instance_seconds']} s / "
            f"{out['model_build_seconds']} s / {out['solver_build_seconds']} s |",
            f"| solve ({a.solver}, gap {a.gap:g}) | {out['solve_seconds']} s, status {out['status']}, "
            f"gap {out['gap']:.4%} |" if out["gap"] is not None else
            f"| solve ({a.solver}, gap {a.gap:g}) | {out['solve_seconds']} s, status {out['status']} |",
            f"| total wall time | {out['total_seconds']} s |",
            f"| objective / bound | {out['objective_cny']:,.0f} / {out['best_bound_cny']:,.0f} CNY |"
            if out["best_bound_cny"] is not None else f"| objective | {out['objective_cny']:,.0f} CNY |",
            f"| open sites | {out['open_sites']} |",
            f"| service level / max route time | {out['service_level']} / {out['max_path_time_h']} h "
            f"(all routes within limits: {out['routes_within_limit']}) |",
            "",
        ]
        path = Path(a.results)
        with path.open("a", encoding="utf-8") as fh:
            fh.write("\n".join(lines))
        print(f"appended to {path}")


if __name__ == "__main__":
    main()
