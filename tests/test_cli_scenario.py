"""``planner run | validate | compare | scenarios list`` used as a user would: a subprocess per command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import REPO
from cli_runner import run_planner as planner

DATA = REPO / "tests" / "data" / "scenarios"
RESERVES = REPO / "scenarios" / "gansu_emergency_reserves.yaml"  # the fastest shipped scenario


def _run_dirs(root: Path) -> list[Path]:
    return [d for d in root.glob("*/*") if d.is_dir()]


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Two runs: the shipped reserves scenario (``--json``) and a child with p = 3 (``--quiet``)."""
    root = tmp_path_factory.mktemp("cli_runs")
    out = root / "outputs"
    child = root / "three_reserves.yaml"
    child.write_text(f"extends: {RESERVES}\nname: three_reserves\np: 3\n", encoding="utf-8")
    first = planner("run", RESERVES, "--out", out, "--json")
    second = planner("--quiet", "run", child, "--out", out)
    return {"out": out, "json": first, "quiet": second}


def test_scenarios_list() -> None:
    done = planner("scenarios", "list")
    assert done.returncode == 0, done.stderr
    for name in ("xinjiang_fruit_cold_chain", "gansu_backbone_cold_chain", "gansu_urban_distribution",
                 "gansu_emergency_reserves", "rural_drug_coverage", "xinjiang_fruit_khorgas_closed"):
        assert f"{name}.yaml" in done.stdout
    rows = json.loads(planner("scenarios", "list", "--json").stdout)
    assert {row["model"] for row in rows} >= {"cold_chain", "p_median", "p_center", "max_covering"}
    assert all(row["cites"] for row in rows)


def test_validate_ok() -> None:
    done = planner("validate", *sorted((REPO / "scenarios").glob("*.yaml")))
    assert done.returncode == 0, done.stderr
    assert done.stdout.count(": ok") == len(list((REPO / "scenarios").glob("*.yaml")))


def test_run_writes_the_run_directory(two_runs: dict) -> None:
    done = two_runs["json"]
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    run_dir = Path(data["run_dir"])
    assert run_dir.parent.parent == two_runs["out"]
    for name in ("summary.json", "sites.csv", "results.gpkg", "manifest.json", "solver.log", "assignments.csv"):
        assert (run_dir / name).is_file(), name
    try:
        from planner.maps import result_map  # noqa: F401
    except ImportError:
        pass
    else:
        assert (run_dir / "map.html").is_file()
    assert data["scenario"] == "gansu_emergency_reserves" and data["sites_opened_total"] == 5
    assert not list(two_runs["out"].rglob("*.tmp"))


def test_run_cold_chain_writes_flows(tmp_path: Path) -> None:
    done = planner("run", DATA / "user_supply.yaml", "--out", tmp_path)
    assert done.returncode == 0, done.stderr
    [run_dir] = _run_dirs(tmp_path)
    assert (run_dir / "flows.csv").is_file() and (run_dir / "solver.log").stat().st_size > 0
    assert "run directory:" in done.stdout and "sites opened" in done.stdout


def test_run_quiet_prints_little(two_runs: dict) -> None:
    done = two_runs["quiet"]
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) <= 4
    assert "run directory:" in done.stdout
    assert done.stderr.strip() == ""


def test_compare(two_runs: dict) -> None:
    out = two_runs["out"]
    run_a = next(out.glob("gansu_emergency_reserves/*"))
    run_b = next(out.glob("three_reserves/*"))
    done = planner("compare", run_a, run_b)
    assert done.returncode == 0, done.stderr
    assert "max_time_h" in done.stdout and "sites closed in B:" in done.stdout
    data = json.loads(planner("compare", run_a, run_b, "--json").stdout)
    assert data["kpis"]["open_sites"] == {"a": 5, "b": 3, "delta": -2, "delta_pct": pytest.approx(-0.4)}
    assert data["kpis"]["max_time_h"]["delta"] >= 0  # fewer centres cannot reach the worst seat faster
    assert len(data["sites"]["closed"]) - len(data["sites"]["opened"]) == 2
    assert (data["name_a"], data["name_b"]) == ("gansu_emergency_reserves", "three_reserves")


def test_compare_rejects_a_non_run_directory(tmp_path: Path) -> None:
    done = planner("compare", tmp_path, tmp_path)
    assert done.returncode == 2
    assert "not a run directory" in done.stderr and "Traceback" not in done.stderr


BROKEN = [
    ("unknown_place.yaml", r"unknown_place.yaml:7: candidates.names[0]: unknown place '兰洲'; did you mean 皋兰, 兰州?"),
    ("wrong_type.yaml", "wrong_type.yaml:8: p: Input should be a valid integer"),
    ("missing_field.yaml", "missing_field.yaml:1: title: Field required"),
    ("bad_yaml.yaml", "bad_yaml.yaml:5: invalid YAML"),
    ("unknown_field.yaml", "unknown_field.yaml:11: demand.weigths: unknown field; did you mean 'weights'?"),
]


CASES = [(name, expected, "validate") for name, expected in BROKEN] + [(name, expected, "run") for name, expected in BROKEN[::2]]


@pytest.mark.parametrize(("name", "expected", "command"), CASES, ids=[f"{c[2]}-{c[0]}" for c in CASES])
def test_broken_scenario_files(name: str, expected: str, command: str, tmp_path: Path) -> None:
    args = [command, DATA / name] + (["--out", tmp_path / "out"] if command == "run" else [])
    done = planner(*args)
    assert done.returncode == 2
    assert expected in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_unreadable_table_is_a_clear_error(tmp_path: Path) -> None:
    for name, reader in (("unreadable_csv.yaml", "CSV error"), ("unreadable_xlsx.yaml", "BadZipFile")):
        done = planner("run", DATA / name, "--out", tmp_path / "out")
        assert done.returncode == 2
        [line] = done.stderr.strip().splitlines()[-1:]
        assert line.startswith("error: ") and "cannot read the table" in line and reader in line
        assert "Traceback" not in done.stderr
        assert not (tmp_path / "out").exists()


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    done = planner("--debug", "run", DATA / "wrong_type.yaml", "--out", tmp_path)
    assert done.returncode != 0 and "Traceback" in done.stderr


def test_validate_reports_every_problem_at_once() -> None:
    done = planner("validate", DATA / "several_problems.yaml")
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if "several_problems.yaml:" in line]
    assert len(lines) == 4
    assert any(":1: name:" in line for line in lines)
    assert any(":4: region[1]:" in line for line in lines)
    assert any(":7: candidates.names[0]: unknown place" in line for line in lines)
    assert any(":8: p: Input should be greater than or equal to 1" in line for line in lines)
    report = json.loads(planner("validate", "--json", DATA / "several_problems.yaml").stdout)
    assert len(next(iter(report.values()))) == 4


def test_failed_run_leaves_no_run_directory(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    done = planner("run", DATA / "infeasible.yaml", "--out", out)
    assert done.returncode == 2
    assert "infeasible_scenario" in done.stderr and "policy.budget_cny" in done.stderr
    assert "Traceback" not in done.stderr
    assert list(out.rglob("*")) == []  # no run folder, no scenario folder, no temporary folder


def test_run_a_shipped_scenario_by_name(tmp_path: Path) -> None:
    done = planner("--quiet", "run", "gansu_emergency_reserves", "--out", tmp_path / "outputs", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["scenario"] == "gansu_emergency_reserves"
    unknown = planner("run", "gansu_emergency_reserve", "--out", tmp_path / "outputs", cwd=tmp_path)
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr
    assert "no such scenario file or shipped scenario" in unknown.stderr and "gansu_emergency_reserves" in unknown.stderr


def test_run_stopped_by_the_time_limit_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    # In-process CLI: the small cold chain's real solution is reported as cut off by the time limit of the
    # door-to-door rounds (simulated; a real time limit hits or misses with the machine's speed). The run
    # must say so on the terminal, in summary.json and on the map.
    import planner.scenario.run as run
    from planner.cli import main

    real_solve = run.solve_cold_chain

    def cut_off(problem, options):
        solution = real_solve(problem, options)
        solution.report.update(status="time_limit", best_bound=0.9 * solution.objective, gap=0.1,
                               message="repaired incumbent")
        return solution

    monkeypatch.setattr(run, "solve_cold_chain", cut_off)
    assert main(["run", str(DATA / "user_supply.yaml"), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "time_limit, gap 10.00%" in out and out.count("note: solver:") == 2
    [run_dir] = _run_dirs(tmp_path)
    data = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    assert data["solver"]["message"] == "repaired incumbent"
    first, second = data["notes"][:2]
    assert first.startswith("solver: the time limit (30 s) stopped the solve at a proven gap of 10.00%")
    assert "(asked for 0.10%)" in first and "raise solver.time_limit_s" in first
    assert "time-window heuristic" in second and "within_limit" in second
    html = (run_dir / "map.html").read_text(encoding="utf-8")
    assert "stopped at the time limit, not proven optimal (gap 10.00%)" in html


def test_solver_notes() -> None:
    from planner.scenario.run import solver_notes
    from planner.scenario.schema import SolverSpec

    spec = SolverSpec(time_limit_s=60, mip_gap=0.005)
    assert solver_notes({"status": "optimal", "gap": 0.0}, spec) == []
    assert solver_notes({"status": "gap_limit", "gap": 0.004}, spec) == []
    [note] = solver_notes({"status": "time_limit", "gap": 0.0475, "best_bound": 6.7488e9, "message": ""}, spec)
    assert note.startswith("solver: the time limit (60 s) stopped the solve at a proven gap of 4.75%, best bound "
                           "6,748,800,000 (asked for 0.50%)")
    [note] = solver_notes({"status": "time_limit", "gap": 0.08, "best_bound": 11.5, "message": "Time limit reached"}, spec)
    assert ", best bound 11.5 (asked for 0.50%)" in note  # a p-center radius in hours keeps its decimals
    [note] = solver_notes({"status": "time_limit", "gap": None}, SolverSpec(time_limit_s=None))
    assert "before any bound was proven" in note and "(" not in note.split("stopped")[0]
