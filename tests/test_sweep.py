"""Scenario sweeps: sweep-file validation, expansion, Dask vs in-process results, failures, resume, CLI."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from cli_runner import run_planner

from planner.scenario.run import solve_scenario
from planner.scenario.schema import Scenario
from planner.sweep import check_sweep, expand_sweep, load_sweep, run_sweep
from planner.sweep.expand import draw_multipliers
from planner.sweep.spec import SweepError

REPO = Path(__file__).resolve().parents[1]

# A small two-product cold chain over Gansu (one tier of 9 backbone candidates): about 1 s a solve.
SMALL_COLD_CHAIN = """\
name: sweep_test_cold_chain
title: small Gansu cold chain for the sweep tests
model: cold_chain
region: [gansu]
modes: [road]
products:
  - {id: apple}
  - {id: potato, demand_scale: 0.4}
supply: {table: shipped}
demand:
  points: {prefecture_seats_of: [gansu]}
  weights: population
  per_capita: true
  gateways:
    - {node: xian, kind: gateway, share_of_supply: {apple: 0.3, potato: 0.25}}
tiers:
  - name: backbone
    candidates: {roles: [cold_chain_base_candidate]}
    capacity_levels_t_cny: [[700000, 82.0e6], [1400000, 150.0e6], [2800000, 280.0e6], [5600000, 540.0e6]]
    handling_cny_per_t: 50
    dwell_h: 48
    min_open: 1
    max_open: 2
tier_arcs: [[production, backbone], [backbone, demand]]
policy: {unmet_penalty_cny_per_t: 100000}
solver: {name: highs, time_limit_s: 30, mip_gap: 0.0001}
"""

# max_open 0 < min_open 1 makes two members invalid: they must fail alone.
SMALL_SWEEP = """\
name: small_cold_chain_sweep
title: small sweep
base: base.yaml
grid:
  tiers[0].max_open: [0, 1, 2]
monte_carlo:
  draws: 2
  seed: 11
  demand_scale: {distribution: lognormal, sigma: 0.3}
  product_demand_scale: {distribution: uniform, low: 0.7, high: 1.3}
"""

P_MEDIAN = """\
name: sweep_test_p_median
title: p-median over Gansu prefecture seats
model: p_median
region: [gansu]
modes: [road]
metric: time_h
candidates: {prefecture_seats_of: [gansu]}
p: 3
demand:
  points: {county_seats_of: [gansu]}
  weights: population
  per_capita: false
"""

# p = 20 exceeds the 14 candidates: those members fail, the others succeed.
P_MEDIAN_SWEEP = """\
name: p_median_sweep
base: pmed.yaml
grid:
  p: [2, 4, 20]
disruptions:
  each_corridor: [yanan_chengdu]
"""


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with the small scenarios and sweeps."""
    directory = tmp_path_factory.mktemp("sweeps")
    (directory / "base.yaml").write_text(SMALL_COLD_CHAIN, encoding="utf-8")
    (directory / "small.yaml").write_text(SMALL_SWEEP, encoding="utf-8")
    (directory / "pmed.yaml").write_text(P_MEDIAN, encoding="utf-8")
    (directory / "pmed_sweep.yaml").write_text(P_MEDIAN_SWEEP, encoding="utf-8")
    return directory


@pytest.fixture(scope="module")
def dask_client() -> Iterator[object]:
    """A LocalCluster of 2 worker processes, one thread each."""
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40)
    with cluster, Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def dask_outcome(sweep_dir: Path, dask_client: object, tmp_path_factory: pytest.TempPathFactory) -> object:
    """The small sweep run once on the 2-worker cluster."""
    out = tmp_path_factory.mktemp("out")
    return run_sweep(load_sweep(sweep_dir / "small.yaml"), out, client=dask_client)


# ------------------------------------------------------------------------------------- expansion


def test_expansion_is_deterministic_with_stable_ids(sweep_dir: Path) -> None:
    loaded = load_sweep(sweep_dir / "small.yaml")
    members = expand_sweep(loaded)
    again = expand_sweep(load_sweep(sweep_dir / "small.yaml"))
    assert [m.id for m in members] == [m.id for m in again]
    assert len({m.id for m in members}) == len(members) == 6
    assert [m.varied["tiers[0].max_open"] for m in members] == [0, 0, 1, 1, 2, 2]
    assert [m.varied["mc.draw"] for m in members] == [0, 1, 0, 1, 0, 1]
    # Draw k is the same at every grid point (common random numbers) and reproducible from the seed.
    assert members[0].varied["mc.demand.scale"] == members[2].varied["mc.demand.scale"]
    assert members[0].varied["mc.demand.scale"] != members[1].varied["mc.demand.scale"]
    mc = loaded.sweep.monte_carlo
    assert mc is not None
    multipliers = draw_multipliers(mc, 1, ["apple", "potato"])
    assert multipliers == draw_multipliers(mc, 1, ["apple", "potato"])
    assert draw_multipliers(mc.model_copy(update={"seed": 12}), 1, ["apple", "potato"]) != multipliers
    assert all(0.7 <= multipliers[f"product:{p}"] <= 1.3 for p in ("apple", "potato"))
    member = members[3]
    scenario = member.scenario
    assert scenario["solver"]["threads"] == 1
    assert scenario["tiers"][0]["max_open"] == 1
    assert math.isclose(scenario["demand"]["scale"], multipliers["demand.scale"])
    potato = next(p for p in scenario["products"] if p["id"] == "potato")
    assert math.isclose(potato["demand_scale"], 0.4 * multipliers["product:potato"])
    # The base mapping is not modified by the expansion.
    assert "threads" not in (loaded.base.get("solver") or {})


def test_disruption_sets_add_to_the_base_disruptions(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(SMALL_COLD_CHAIN + "disruptions: {corridors: [yanan_chengdu]}\n", encoding="utf-8")
    (tmp_path / "sweep.yaml").write_text(
        "name: d\nbase: base.yaml\ndisruptions:\n  each_border_port: [khorgas]\n  each_corridor: [western_land_sea_corridor]\n"
        "  sets:\n    - {name: two, corridors: [yinchuan_qingyang_xian], nodes: [dingxi]}\n"
        "    - name: rerouted\n      border_ports: [khorgas]\n      set:\n        demand.gateways[0].node: chongqing\n",
        encoding="utf-8",
    )
    members = expand_sweep(load_sweep(tmp_path / "sweep.yaml"))
    assert [m.varied["disruption"] for m in members] == ["none", "border_port:khorgas", "corridor:western_land_sea_corridor", "two", "rerouted"]
    assert members[0].scenario["disruptions"] == {"corridors": ["yanan_chengdu"]}
    assert members[1].scenario["disruptions"] == {"corridors": ["yanan_chengdu"], "border_ports": ["khorgas"]}
    assert members[2].scenario["disruptions"]["corridors"] == ["yanan_chengdu", "western_land_sea_corridor"]
    assert members[3].scenario["disruptions"] == {"corridors": ["yanan_chengdu", "yinchuan_qingyang_xian"], "nodes": ["dingxi"]}
    assert members[4].varied == {"disruption": "rerouted"}
    assert members[4].scenario["demand"]["gateways"][0]["node"] == "chongqing"
    assert all(m.scenario["demand"]["gateways"][0]["node"] == "xian" for m in members[:4])


# -------------------------------------------------------------------------------------- running


def test_dask_results_equal_in_process_results(sweep_dir: Path, dask_outcome: object) -> None:
    outcome = dask_outcome
    members = outcome.members
    assert len(outcome.executed) == 6 and not outcome.skipped
    by_id = outcome.records
    checked = 0
    for member in members:
        record = by_id[member.id]
        if member.varied["tiers[0].max_open"] == 0:
            continue
        assert record["ok"], record.get("error")
        assert record["pid"] != os.getpid()  # solved in a worker process
        local = solve_scenario(Scenario.model_validate(member.scenario))
        assert math.isclose(record["objective"], local.objective, rel_tol=1e-6)
        assert sorted(s["place_id"] for s in record["sites"]) == sorted(local.open_sites())
        assert len(record["sites"]) <= member.varied["tiers[0].max_open"]
        checked += 1
    assert checked == 4
    table = pd.read_parquet(outcome.files["results.parquet"])
    assert list(table["member_id"]) == [m.id for m in members]
    ok = table[table["status"] == "ok"]
    for row in ok.itertuples():
        assert math.isclose(row.objective, by_id[row.member_id]["objective"])
    assert set(ok["solver_status"]) == {"optimal"}
    assert (ok["service_level"] > 0.9).all()
    assert {"tiers[0].max_open", "mc.draw", "mc.demand.scale", "gap", "solve_seconds", "sites_opened_backbone"} <= set(table.columns)
    csv = pd.read_csv(outcome.files["results.csv"])
    assert len(csv) == 6


def test_failing_members_are_recorded_and_the_others_succeed(dask_outcome: object) -> None:
    outcome = dask_outcome
    table = pd.read_parquet(outcome.files["results.parquet"])
    failed = table[table["status"] == "failed"]
    assert list(failed["tiers[0].max_open"]) == [0, 0]
    assert all("max_open 0 < min_open 1" in e for e in failed["error"])
    assert (table[table["status"] == "ok"]["tiers[0].max_open"] > 0).all()
    assert sorted(outcome.failed) == sorted(failed["member_id"])


def test_site_frequency_map_and_plot(dask_outcome: object) -> None:
    outcome = dask_outcome
    frequency = pd.read_csv(outcome.files["site_frequency.csv"])
    ok_records = [r for r in outcome.records.values() if r["ok"]]
    assert len(frequency) == 9  # every backbone candidate
    assert frequency["runs_opened"].sum() == sum(len(r["sites"]) for r in ok_records)
    assert (frequency["runs_candidate"] == len(ok_records)).all()
    assert frequency["frequency"].between(0, 1).all()
    assert list(frequency["frequency"]) == sorted(frequency["frequency"], reverse=True)
    html = outcome.files["site_frequency.html"].read_text(encoding="utf-8")
    top = frequency.iloc[0]
    assert top["name_zh"] in html and "frequency_0" in html
    png = outcome.files["cost_vs_service.png"].read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    manifest = json.loads(outcome.files["sweep.json"].read_text(encoding="utf-8"))
    assert manifest["counts"] == {"members": 6, "ok": 4, "failed": 2}


def test_resume_skips_finished_members(sweep_dir: Path, dask_outcome: object, monkeypatch: pytest.MonkeyPatch) -> None:
    import planner.sweep.execute as execute

    calls: list[str] = []
    original = execute.solve_built

    def counting(built, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(built.scenario.name)
        return original(built, *args, **kwargs)

    monkeypatch.setattr(execute, "solve_built", counting)
    loaded = load_sweep(sweep_dir / "small.yaml")
    out_root = dask_outcome.out_dir.parent
    member_files = sorted((dask_outcome.out_dir / "members").glob("*.json"))
    assert len(member_files) == 6  # failed members are recorded too
    mtimes = {p: p.stat().st_mtime_ns for p in member_files}

    again = run_sweep(loaded, out_root, serial=True)
    assert calls == [] and again.executed == [] and len(again.skipped) == 6
    assert {p: p.stat().st_mtime_ns for p in member_files} == mtimes
    assert pd.read_parquet(again.files["results.parquet"])["status"].tolist() == pd.read_parquet(dask_outcome.files["results.parquet"])["status"].tolist()

    ok_member = next(m for m in again.members if again.records[m.id]["ok"])
    (dask_outcome.out_dir / "members" / f"{ok_member.id}.json").unlink()
    third = run_sweep(loaded, out_root, serial=True)
    assert len(calls) == 1 and third.executed == [ok_member.id]
    assert math.isclose(third.records[ok_member.id]["objective"], dask_outcome.records[ok_member.id]["objective"], rel_tol=1e-6)

    retried = run_sweep(loaded, out_root, serial=True, retry_failed=True)
    assert sorted(retried.executed) == sorted(dask_outcome.failed) and len(calls) == 1  # they fail before solving


def test_existing_cluster_by_scheduler_address(sweep_dir: Path, dask_client: object, tmp_path: Path) -> None:
    address = dask_client.scheduler.address
    outcome = run_sweep(load_sweep(sweep_dir / "pmed_sweep.yaml"), tmp_path, scheduler=address)
    assert outcome.scheduler == address and len(outcome.executed) == 6
    assert sorted(len(outcome.records[m.id].get("sites", [])) for m in outcome.members) == [0, 0, 2, 2, 4, 4]
    assert dask_client.scheduler_info()["workers"]  # the cluster is still up: run_sweep closed only its client


# ------------------------------------------------------------------------------------ validation


def _problems(tmp_path: Path, text: str) -> list[str]:
    (tmp_path / "base.yaml").write_text(SMALL_COLD_CHAIN, encoding="utf-8")
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    loaded, problems = check_sweep(path)
    assert loaded is None and problems
    with pytest.raises(SweepError):
        load_sweep(path)
    return [str(p) for p in problems]


def test_validation_errors_name_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    problems = _problems(tmp_path, "name: bad\nbase: base.yaml\ngrid:\n  tiers[0].max_opn: [1, 2]\n  tiers[3].max_open: [1]\n  policy.unmet_penalty_cny_per_t: [1, 2]\n")
    assert f"{bad}:4: grid.tiers[0].max_opn: unknown field 'max_opn' in tiers.0; did you mean 'max_open'?" in problems
    assert any(p.startswith(f"{bad}:5: grid.tiers[3].max_open: index 3 is out of range") for p in problems)
    assert len(problems) == 2

    problems = _problems(tmp_path, "name: bad\nbase: base.yaml\ngird:\n  p: [1]\n")
    assert problems == [f"{bad}:3: gird: unknown field; did you mean 'grid'?"]

    problems = _problems(tmp_path, "name: bad\nbase: base.yaml\nmonte_carlo:\n  draws: 3\n  demand_scale:\n    distribution: lognormal\n    sigma: -1\n")
    assert problems == [f"{bad}:7: monte_carlo.demand_scale.sigma: Input should be greater than or equal to 0"]

    problems = _problems(tmp_path, "name: bad\nbase: base.yaml\ndisruptions:\n  each_border_port: [khorgas, nowhere_port]\n  each_corridor: [silk_road]\n")
    assert any(p.startswith(f"{bad}:4: disruptions.each_border_port[1]:") and "nowhere_port" in p for p in problems)
    assert any(p.startswith(f"{bad}:5: disruptions.each_corridor[0]: unknown corridor 'silk_road'") for p in problems)

    problems = _problems(tmp_path, "name: bad\nbase: base.yaml\ndisruptions:\n  each_route: [G30x, 连霍高速]\n  each_corridor: [西部陆海新通道]\n")
    assert problems == [f"{bad}:4: disruptions.each_route[0]: unknown route 'G30x'; did you mean G30, G310, G309?"]

    problems = _problems(tmp_path, "name: bad\nbase: base.yaml\ndisruptions:\n  sets:\n    - name: x\n      set:\n        demand.gateway[0].node: a\n")
    assert problems == [f"{bad}:7: disruptions.sets[0].set.demand.gateway[0].node: unknown field 'gateway' in demand; did you mean 'gateways'?"]

    problems = _problems(tmp_path, "name: bad\nbase: missing.yaml\n")
    assert problems[0].startswith(f"{bad}:2: base: scenario file not found: missing.yaml")

    problems = _problems(tmp_path, "name: bad\nbase: base.yaml\nmonte_carlo:\n  draws: 2\n  products:\n    mango: {distribution: uniform, low: 1, high: 2}\n")
    assert problems[0].startswith(f"{bad}:6: monte_carlo.products.mango: product 'mango' is not in the base scenario's products")

    problems = _problems(tmp_path, "name: bad\nbase: base.yaml\ngrid:\n  p: []\n")
    assert problems == [f"{bad}:3: grid: p: give at least one value"]


def test_shipped_sweeps_are_valid() -> None:
    files = sorted((REPO / "sweeps").glob("*.yaml"))
    assert len(files) >= 2
    for path in files:
        loaded, problems = check_sweep(path)
        assert not problems, [str(p) for p in problems]
        assert loaded is not None
        members = expand_sweep(loaded)
        assert len({m.id for m in members}) == len(members) > 1
        for member in members[:3]:
            Scenario.model_validate(member.scenario)  # the overrides make valid scenarios


# ------------------------------------------------------------------------------------------- CLI


def test_cli_sweep_end_to_end(sweep_dir: Path, tmp_path: Path) -> None:
    command = ("sweep", sweep_dir / "pmed_sweep.yaml", "--workers", "2", "--out", tmp_path, "--json")
    done = run_planner(*command, timeout=180)
    assert done.returncode == 3, done.stderr  # finished, results written, two members failed
    report = json.loads(done.stdout)
    assert report["members"] == 6 and report["executed"] == 6 and report["ok"] == 4
    assert report["scheduler"].startswith("tcp://")
    assert len(report["failed"]) == 2
    assert all(f["varied"]["p"] == 20 and "p: p = 20 but only 14 candidate site(s) may open" in f["error"] for f in report["failed"])
    out = tmp_path / "p_median_sweep"
    for name in ("results.parquet", "results.csv", "site_frequency.csv", "site_frequency.html", "cost_vs_service.png", "sweep.json"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    table = pd.read_parquet(out / "results.parquet")
    assert sorted(table["disruption"].unique()) == ["corridor:yanan_chengdu", "none"]
    ok = table[table["status"] == "ok"]
    assert sorted(ok["sites_opened"].astype(int)) == [2, 2, 4, 4]
    frequency = pd.read_csv(out / "site_frequency.csv")
    assert frequency["runs_opened"].sum() == 12 and (frequency["tier"] == "site").all()

    second = run_planner(*command, timeout=180)
    assert second.returncode == 3, second.stderr  # the failed members are still failed
    assert json.loads(second.stdout)["skipped"] == 6


def test_cli_sweep_exit_code_is_zero_when_every_member_succeeds(sweep_dir: Path, tmp_path: Path) -> None:
    from planner.cli import main

    (sweep_dir / "pmed_ok.yaml").write_text("name: p_median_ok\nbase: pmed.yaml\ngrid:\n  p: [2, 3]\n", encoding="utf-8")
    code = main(["--quiet", "sweep", str(sweep_dir / "pmed_ok.yaml"), "--serial", "--out", str(tmp_path)])
    assert code == 0
    table = pd.read_csv(tmp_path / "p_median_ok" / "results.csv")
    assert list(table["status"]) == ["ok", "ok"]
    (sweep_dir / "pmed_some_fail.yaml").write_text("name: p_median_some_fail\nbase: pmed.yaml\ngrid:\n  p: [2, 20]\n", encoding="utf-8")
    code = main(["--quiet", "sweep", str(sweep_dir / "pmed_some_fail.yaml"), "--serial", "--out", str(tmp_path)])
    assert code == 3
    table = pd.read_csv(tmp_path / "p_median_some_fail" / "results.csv")
    assert sorted(table["status"]) == ["failed", "ok"]
