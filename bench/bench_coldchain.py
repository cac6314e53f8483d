"""Benchmark of the cold-chain network design model on a synthetic, realistic-size instance.

About 190 demand points (~ the county seats of Xinjiang + Gansu, a few of them outbound gateways and border
ports), 5 products, 40 production areas, 30 / 15 / 30 candidates for pre-cooling / backbone / regional
tiers, random but seeded coordinates in a 2000 km box, road distance = straight line x 1.3 (rail x 1.2).
Loss rates, values and CO2 come from geodata/cold_chain_parameters.csv; road and rail speeds and rates
from geodata/network/mode_parameters.csv (expressway and conventional rail rows).

Run: ``python bench/bench_coldchain.py [--seed 7] [--gap 0.005] [--time-limit 120] [--solver highs]
[--results bench/RESULTS.md]`` (``--results`` appends a section to that file).

``--real``: the realistic instance instead, ``bench/bench_coldchain_real.yaml`` (both provinces, every county
seat as demand, the consumption markets, products with ambient ones, pre-cooling / backbone / regional tiers
with temperature zones), loaded and built like any scenario (``load_scenario`` + ``build_scenario``) and
solved as a run does (``ColdChainModel(problem).solve(options)``). In the same process it solves the same
problem with a *baseline* formulation and prints the ratios: ``--baseline choice`` (default) is
``levels="choice"`` (one binary per zone level instead of the cumulative level columns); ``--baseline
original`` is ``levels="choice", shortcut=False, level_bounds=False``. Run:
``python bench/bench_coldchain.py --real [--no-time-limits] [--gap 0.001] [--time-limit 60] [--threads 1]``.
``--no-time-limits`` drops the door-to-door limits of the unbroken-chain products (the per-leg standards
stay). Seconds to a gap are read from the HiGHS log of the last round (wall seconds from the start of model
building).
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from planner import domain
from planner.model.coldchain import (
    REPAIRED_INCUMBENT,
    ColdChainModel,
    ColdChainProblem,
    DemandPoint,
    Site,
    SiteTier,
    arc_matrix_from_distance,
    parameter_value,
    product_from_parameters,
)
from planner.model.matrix import SolverOptions
from planner.network.data import load_mode_parameters
from planner.scenario.build import build_scenario, select_places
from planner.scenario.load import load_scenario
from planner.scenario.schema import CandidateSpec

REAL_SCENARIO = Path(__file__).with_name("bench_coldchain_real.yaml")
GAPS = (0.05, 0.02, 0.01, 0.005, 0.001)
#: documented node roles every realistic instance should offer as candidates, per tier
ROLE_TIERS = {
    "backbone": ("cold_chain_base_candidate", "national_hub"),
    "regional": ("regional_logistics_centre", "logistics_node", "support_node", "cold_chain_project"),
}

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
    par = domain.cold_chain_parameters()
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
    # transport speeds and rates: the network's mode table (geodata/network/mode_parameters.csv)
    modes = load_mode_parameters()
    road_v = modes.speed_kmh[("road", "expressway")]
    rail_v = modes.speed_kmh[("rail", "conventional")]
    r_amb, r_ref = modes.cost_ambient_cny_per_tkm[("road", "expressway")], modes.cost_reefer_cny_per_tkm[("road", "expressway")]
    t_amb, t_ref = modes.cost_ambient_cny_per_tkm[("rail", "conventional")], modes.cost_reefer_cny_per_tkm[("rail", "conventional")]
    term = modes.fixed_cost_cny_per_t["road_rail"]

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


# ============================================================================ the realistic instance
_LOG_ROW = re.compile(r"^\s*[A-Za-z]?\s+\d+\s+\d+\s+\d+\s+[\d.]+%\s+(\S+)\s+(\S+)\s+\S+.*?\s([\d.]+)s\s*$")


def gap_progress(log_path: Path) -> list[tuple[float, float]]:
    """(HiGHS clock in s, relative gap) of every row of the branch-and-bound table in a HiGHS log."""
    out = []
    for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
        m = _LOG_ROW.match(line)
        if not m:
            continue
        try:
            bound, best, clock = float(m.group(1)), float(m.group(2)), float(m.group(3))
        except ValueError:
            continue
        if np.isfinite(bound) and np.isfinite(best) and best != 0:
            out.append((clock, abs(best - bound) / abs(best)))
    return out


def first_time_to(progress: list[tuple[float, float]], gap: float, offset: float) -> float | None:
    """Wall seconds (``offset`` + HiGHS clock) at which the gap first fell to ``gap`` or below."""
    for clock, g in progress:
        if g <= gap + 1e-12:
            return round(offset + clock, 2)
    return None


def coverage(built) -> dict:
    """What the instance holds: candidates per tier against prefecture seats and node roles, demand points."""
    sc = built.scenario
    prob = built.problem
    places = built.places
    seats = set(select_places(CandidateSpec(prefecture_seats_of=list(sc.region)), sc, places))
    tiers = {t.name: {s.name.split(":", 1)[1] for s in t.sites} for t in prob.tiers}
    out = {"prefecture_seats": len(seats), "candidates": {k: len(v) for k, v in tiers.items()}}
    out["regional_holds_all_prefecture_seats"] = seats <= tiers.get("regional", set())
    ports = set(select_places(CandidateSpec(roles=["border_port"]), sc, places))  # demand points, not sites
    for tier, roles in ROLE_TIERS.items():
        nodes = set(select_places(CandidateSpec(roles=list(roles)), sc, places))
        missing = sorted((nodes - ports) - tiers.get(tier, set()))
        out[f"{tier}_missing_role_nodes"] = missing
    kinds: dict[str, int] = {}
    for d in prob.demand_points:
        kinds[d.kind] = kinds.get(d.kind, 0) + 1
    seats_all = set(select_places(CandidateSpec(county_seats_of=list(sc.region)), sc, places))
    out["demand_points"] = len(prob.demand_points)
    out["demand_kinds"] = kinds
    out["county_seats_in_region"] = len(seats_all)
    out["all_county_seats_are_demand"] = seats_all <= {d.name for d in prob.demand_points}
    out["products"] = [p.name for p in prob.products]
    out["site_tiers"] = [t.name for t in prob.tiers]
    out["production_areas"] = len(prob.production_areas)
    return out


def solve_real(problem, label: str, gap: float, time_limit: float, log_dir: Path, heuristic_share: float = 0.5,
               threads: int | None = None, **formulation) -> dict:
    """Build ``ColdChainModel(problem, **formulation)`` and solve it (``heuristic_share`` of
    :meth:`ColdChainModel.solve`); seconds, gaps and the solution."""
    log = log_dir / f"{label}.log"
    t0 = time.perf_counter()
    model = ColdChainModel(problem, **formulation)
    t1 = time.perf_counter()
    sol = model.solve(SolverOptions(mip_gap=gap, time_limit_s=time_limit, log_path=str(log), threads=threads),
                      heuristic_share=heuristic_share)
    t2 = time.perf_counter()
    rep = sol.report
    # the last round's HiGHS clock starts after everything before its solver run; a repaired incumbent (time
    # limit hit with routes over their door-to-door limit) is not the logged one, so no seconds-to-gap then
    single = model.rounds == 1 and rep.get("message") != REPAIRED_INCUMBENT
    offset = (t2 - t0) - float(sol.result.solve_seconds) if single else None
    prog = gap_progress(log) if log.is_file() else []
    k = sol.kpis()
    return {
        "label": label,
        "formulation": formulation,
        "size": model.size(),
        "shortcut_variants_removed": int(model.shortcut_variants),
        "model_build_seconds": round(t1 - t0, 2),
        "solver_input_and_start_seconds": round(float(sol.result.build_seconds), 2),
        "solve_seconds": round(float(sol.result.solve_seconds), 2),
        "total_seconds": round(t2 - t0, 2),
        "rounds": int(model.rounds),
        "status": sol.status,
        "message": rep.get("message", ""),
        "objective_cny": round(sol.objective, 1),
        "best_bound_cny": None if rep["best_bound"] is None else round(rep["best_bound"], 1),
        "gap": rep["gap"],
        "seconds_to_gap": {f"{g:g}": (first_time_to(prog, g, offset) if offset is not None else None) for g in GAPS},
        "service_level": round(k["service_level"], 4),
        "max_path_time_h": round(k["max_path_time_h"], 1),
        "open_sites": {t: int(v) for t, v in sol.sites[sol.sites["open"]].groupby("tier").size().items()},
        "_progress": prog,
        "_offset": offset,
    }


#: baseline formulations of ``--real`` (keyword arguments of :class:`ColdChainModel`)
BASELINES = {
    "choice": {"levels": "choice"},
    "original": {"levels": "choice", "shortcut": False, "level_bounds": False},
}


def run_real(path: Path, gap: float, time_limit: float, time_limits: bool = True, baseline: bool = True,
             linking: str = "pair", baseline_kind: str = "choice", heuristic_share: float = 0.5,
             threads: int | None = None) -> dict:
    """Load, build and solve the realistic instance with the current formulation (``linking`` rows, see
    :class:`ColdChainModel`) and (``baseline``) the previous one in this process; returns sizes, seconds
    (wall) and ratios."""
    t0 = time.perf_counter()
    scenario = load_scenario(path)
    built = build_scenario(scenario, path.parent)
    build_s = time.perf_counter() - t0
    problem = built.problem
    if not time_limits:
        problem = replace(problem, products=[replace(p, max_time_h=None) for p in problem.products])
    out: dict = {"scenario": str(path), "build_scenario_seconds": round(build_s, 2), "instance": coverage(built),
                 "door_to_door_limits": time_limits, "gap_target": gap, "time_limit_s": time_limit,
                 "heuristic_share": heuristic_share, "threads": threads,
                 "baseline": BASELINES[baseline_kind] if baseline else None}
    with tempfile.TemporaryDirectory() as tmp:
        current = {} if linking == "pair" else {"linking": linking}
        runs = [solve_real(problem, "current", gap, time_limit, Path(tmp), heuristic_share, threads, **current)]
        if baseline:
            runs.append(solve_real(problem, "baseline", gap, time_limit, Path(tmp), heuristic_share, threads,
                                   **BASELINES[baseline_kind]))
    out["runs"] = runs
    if baseline:
        cur, base = runs
        ratios: dict = {}
        if cur["gap"] and base["gap"]:
            ratios["final_gap_baseline_over_current"] = round(base["gap"] / cur["gap"], 3)
        # seconds to the gap the baseline ended with (both reach it by construction if current is better)
        target = base["gap"]
        if target is not None and cur["_offset"] is not None and base["_offset"] is not None:
            t_cur = first_time_to(cur["_progress"], target, cur["_offset"])
            t_base = first_time_to(base["_progress"], target, base["_offset"])
            ratios["seconds_to_baseline_final_gap"] = {"gap": round(target, 5), "current": t_cur, "baseline": t_base}
            if t_cur and t_base:
                ratios["speed_up_to_baseline_final_gap"] = round(t_base / t_cur, 2)
        for g in GAPS:
            a, b = cur["seconds_to_gap"][f"{g:g}"], base["seconds_to_gap"][f"{g:g}"]
            if a and b:
                ratios[f"speed_up_to_gap_{g:g}"] = round(b / a, 2)
        out["ratios"] = ratios
    for r in runs:
        r.pop("_progress")
        r.pop("_offset")
    return out


def real_section(out: dict, cmd: str) -> list[str]:
    """Markdown lines for RESULTS.md."""
    inst = out["instance"]
    lines = ["", f"Command: `{cmd}` ({platform.python_implementation()} {platform.python_version()}, "
             f"{platform.machine()}, 2 cores)", "",
             f"Instance: {inst['demand_points']} demand points {inst['demand_kinds']} (all "
             f"{inst['county_seats_in_region']} county seats: {inst['all_county_seats_are_demand']}), products "
             f"{', '.join(inst['products'])}, {inst['production_areas']} production areas, candidates "
             + " / ".join(f"{k} {v}" for k, v in inst["candidates"].items())
             + f"; door-to-door limits: {out['door_to_door_limits']}; scenario build {out['build_scenario_seconds']} s.",
             "", "| run | size (vars / binaries / rows) | model build s | start + input s | solve s | status "
             "| gap | s to 5% / 2% / 1% / 0.5% / 0.1% |", "|---|---|---|---|---|---|---|---|"]
    for r in out["runs"]:
        s = r["size"]
        stg = " / ".join(str(r["seconds_to_gap"][f"{g:g}"]) for g in GAPS)
        gap = "n/a" if r["gap"] is None else f"{r['gap']:.2%}"
        lines.append(f"| {r['label']} | {s['variables']} / {s['binaries']} / {s['rows']} | {r['model_build_seconds']} "
                     f"| {r['solver_input_and_start_seconds']} | {r['solve_seconds']} | {r['status']} | {gap} | {stg} |")
    lines += ["", f"Ratios: {json.dumps(out.get('ratios', {}))}", ""]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--gap", type=float, default=0.005)
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--solver", default="highs")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--no-time-limits", action="store_true", help="drop the door-to-door limits")
    ap.add_argument("--results", default=None, help="append a section to this markdown file")
    ap.add_argument("--real", action="store_true", help="the realistic instance (bench_coldchain_real.yaml)")
    ap.add_argument("--scenario", default=str(REAL_SCENARIO), help="scenario file of --real")
    ap.add_argument("--no-baseline", action="store_true", help="--real: skip the baseline formulation")
    ap.add_argument("--linking", default="pair", choices=("site", "ends", "pair", "flow"),
                    help="--real: linking rows of the current formulation")
    ap.add_argument("--heuristic-share", type=float, default=0.5,
                    help="--real: share of the time limit kept for the door-to-door heuristic (both runs)")
    ap.add_argument("--baseline", default="choice", choices=tuple(BASELINES),
                    help="--real: baseline formulation (see the module docstring)")
    a = ap.parse_args()
    if a.real:
        real = run_real(Path(a.scenario), a.gap, a.time_limit, time_limits=not a.no_time_limits,
                        baseline=not a.no_baseline, linking=a.linking, baseline_kind=a.baseline,
                        heuristic_share=a.heuristic_share, threads=a.threads)
        print(json.dumps(real, indent=2, ensure_ascii=False, default=str))
        if a.results:
            cmd = (f"python bench/bench_coldchain.py --real --gap {a.gap} --time-limit {a.time_limit}"
                   + (" --no-time-limits" if a.no_time_limits else "") + (" --no-baseline" if a.no_baseline else "")
                   + (f" --linking {a.linking}" if a.linking != "pair" else "")
                   + (f" --baseline {a.baseline}" if a.baseline != "choice" and not a.no_baseline else "")
                   + (f" --heuristic-share {a.heuristic_share:g}" if a.heuristic_share != 0.5 else "")
                   + (f" --threads {a.threads}" if a.threads else ""))
            with Path(a.results).open("a", encoding="utf-8") as fh:
                fh.write("\n".join(real_section(real, cmd)))
            print(f"appended to {a.results}")
        return
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
