"""OR-Library readers, published optima with HiGHS and CBC, and the ``planner orlib`` command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from planner.cli import main
from planner.errors import DataError
from planner.model.location import capacitated_facility_location, p_median
from planner.model.matrix import SolverOptions
from planner.orlib import bounds_key, read_bounds, read_cap, read_orlib, read_pmed, write_pmed

ORLIB = Path(__file__).parents[1].parent / "shared" / "orlib"
needs_orlib = pytest.mark.skipif(not ORLIB.is_dir(), reason=f"OR-Library data not found at {ORLIB}")


@pytest.fixture(scope="module")
def bounds() -> dict[str, tuple[float, float]]:
    return read_bounds(ORLIB / "bounds.txt")


@needs_orlib
@pytest.mark.parametrize("name", ["cap41", "cap61", "cap71", "cap131"])
@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_cap_published_optimum(name: str, solver: str, bounds: dict) -> None:
    inst = read_cap(ORLIB / f"{name}.txt")
    sol = capacitated_facility_location(
        inst.cost, inst.fixed_cost, inst.demand, inst.capacity, options=SolverOptions(solver=solver)
    )
    lo, hi = bounds[name]
    assert lo == hi
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(hi, rel=1e-6)
    assert sol.cost_breakdown["fixed"] + sol.cost_breakdown["assignment"] == pytest.approx(sol.objective)
    flows = sol.assignment
    assert ((flows * inst.demand[:, None]).sum(axis=0) <= inst.capacity * (1 + 1e-6)).all()


@needs_orlib
@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_pmed1_published_optimum(solver: str, bounds: dict) -> None:
    inst = read_pmed(ORLIB / "pmed1.txt")
    assert inst.p == 5 and inst.distance.shape == (100, 100)
    sol = p_median(inst.distance, inst.p, options=SolverOptions(solver=solver))
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(bounds["pmed1"][1], rel=1e-6)
    assert sol.best_bound == pytest.approx(bounds["pmed1"][1], rel=1e-6)
    assert inst.distance[np.arange(100), sol.assignment].sum() == pytest.approx(sol.objective)


@needs_orlib
@pytest.mark.slow
@pytest.mark.parametrize("name", ["pmed35", "pmed36"])
def test_small_p_published_optimum(name: str, bounds: dict) -> None:
    # few sites among many candidates (800 nodes, p = 5 and 10): proven optimal, not just found
    inst = read_pmed(ORLIB / f"{name}.txt")
    sol = p_median(inst.distance, inst.p)
    lo, hi = bounds[name]
    assert lo == hi
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(hi, rel=1e-9)
    assert sol.best_bound == pytest.approx(hi, rel=1e-9)
    assert inst.distance[np.arange(800), sol.assignment].sum() == pytest.approx(hi)
    # most candidates are ruled out by reduced costs before any branching
    assert sol.phases["sites_fixed_closed"] > 400
    assert sol.phases["root_bound"] <= hi


# ------------------------------------------------------------------ readers
def test_read_cap_token_stream_and_capacity_word(tmp_path: Path) -> None:
    f = tmp_path / "capa.txt"
    # 2 sites, 3 customers, blocks wrapped over lines arbitrarily; capacity given as the word
    f.write_text("2 3\ncapacity 100.5\ncapacity\n200\n4 1.5\n2.5 7 10 20\n1 30 3.\n")
    with pytest.raises(DataError, match=r"capa.txt, line 2: .*--capacity"):
        read_cap(f)
    inst = read_cap(f, capacity=15)
    np.testing.assert_array_equal(inst.capacity, [15, 15])
    np.testing.assert_array_equal(inst.fixed_cost, [100.5, 200])
    np.testing.assert_array_equal(inst.demand, [4, 7, 1])
    np.testing.assert_array_equal(inst.cost, [[1.5, 2.5], [10, 20], [30, 3]])
    assert bounds_key(f, 15) == "capa_15"


def test_read_cap_malformed(tmp_path: Path) -> None:
    bad = tmp_path / "cap_bad.txt"
    bad.write_text("2 2\n10 5\n10 x\n")
    with pytest.raises(DataError, match=r"cap_bad.txt, line 3: expected fixed cost of site 2 .* 'x'"):
        read_cap(bad)
    short = tmp_path / "cap_short.txt"
    short.write_text("2 2\n10 5\n10 5\n3 1 2\n")
    with pytest.raises(DataError, match="line 4: file ends early, expected demand of customer 2"):
        read_cap(short)
    extra = tmp_path / "cap_extra.txt"
    extra.write_text("1 1\n10 5\n3 1\n99\n")
    with pytest.raises(DataError, match="line 4: unexpected extra data"):
        read_cap(extra)
    neg = tmp_path / "cap_neg.txt"
    neg.write_text("1 1\n10 5\n-3 1\n")
    with pytest.raises(DataError, match="demand of customer 1 is negative"):
        read_cap(neg)


def test_read_pmed_shortest_paths_and_last_duplicate_wins(tmp_path: Path) -> None:
    f = tmp_path / "pmedx.txt"
    # path 1-2-3-4; edge 1-2 listed twice (last = 5), edge 3 4 listed as 4 3 then 3 4 (last = 2)
    f.write_text("4 5 2\n1 2 1\n2 3 2\n4 3 9\n2 1 5\n3 4 2\n")
    inst = read_pmed(f)
    assert inst.p == 2
    expected = np.array([[0, 5, 7, 9], [5, 0, 2, 4], [7, 2, 0, 2], [9, 4, 2, 0]], dtype=float)
    np.testing.assert_array_equal(inst.distance, expected)
    sol = p_median(inst.distance, inst.p)
    # pairs: {0,1}: 6, {0,2}: 4, {0,3}: 6, {1,2}: 7, {1,3}: 7, {2,3}: 9 -> 4 with nodes 1 and 3
    assert sol.objective == pytest.approx(4.0)
    assert sol.open_sites.tolist() == [0, 2]
    assert isinstance(read_orlib(f), type(inst))


def test_write_pmed_round_trip_and_errors(tmp_path: Path) -> None:
    f = write_pmed(tmp_path / "sub" / "pmed_w.txt", 4, [(1, 2, 1), (2, 3, 2.5), (3, 4, 2), (1, 2, 5)], 2)
    assert f.read_text().splitlines()[0] == "4 4 2"
    inst = read_pmed(f)
    assert inst.p == 2 and inst.distance[0, 3] == pytest.approx(9.5)  # the last listing of 1-2 counts
    assert not list(f.parent.glob(".*tmp*"))  # written atomically, nothing left behind
    with pytest.raises(DataError, match=r"edge 2 \(2, 7, 1\) needs nodes in 1..4"):
        write_pmed(tmp_path / "bad.txt", 4, [(1, 2, 1), (2, 7, 1)], 2)
    with pytest.raises(DataError, match="finite length"):
        write_pmed(tmp_path / "bad.txt", 4, [(1, 2, -1)], 2)
    with pytest.raises(DataError, match="1 <= p <= n"):
        write_pmed(tmp_path / "bad.txt", 4, [(1, 2, 1)], 5)
    assert not (tmp_path / "bad.txt").exists()


def test_read_pmed_malformed(tmp_path: Path) -> None:
    f = tmp_path / "pmed_bad.txt"
    f.write_text("3 2 1\n1 2 4\n1 7 3\n")
    with pytest.raises(DataError, match=r"pmed_bad.txt, line 3: edge 2 node 7 exceeds n = 3"):
        read_pmed(f)
    f.write_text("3 2 1\n1 2 4\n1 3\n")
    with pytest.raises(DataError, match="file ends early"):
        read_pmed(f)
    f.write_text("3 1 5\n1 2 4\n")
    with pytest.raises(DataError, match="p = 5 exceeds the 3 nodes"):
        read_pmed(f)


# ------------------------------------------------------------------ CLI
@needs_orlib
def test_cli_text_and_json(capsys: pytest.CaptureFixture[str], bounds: dict) -> None:
    assert main(["orlib", str(ORLIB / "cap71.txt")]) == 0
    out = capsys.readouterr().out
    assert "status        optimal" in out and "published     932615.7500" in out and "rel. diff" in out
    assert main(["orlib", str(ORLIB / "pmed1.txt"), "--solver", "cbc", "--json", "--time-limit", "60"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["problem"] == "p_median" and data["status"] == "optimal"
    assert data["objective"] == pytest.approx(bounds["pmed1"][1])
    assert data["published_optimum"] == pytest.approx(bounds["pmed1"][1])
    assert abs(data["relative_difference"]) <= 1e-6
    assert len(data["open_sites"]) == 5 and min(data["open_sites"]) >= 1
    for key in ("read_seconds", "build_seconds", "solve_seconds", "best_bound", "gap"):
        assert key in data
    # where the time went: bound, fixing and search phases with what they achieved
    phases = data["phases"]
    for key in ("heuristic_seconds", "bound_seconds", "fixing_seconds", "search_seconds", "root_bound",
                "sites_fixed_closed", "sites_fixed_open", "sites_left", "nodes"):
        assert key in phases
    assert phases["sites_fixed_closed"] + phases["sites_left"] == 100
    assert main(["orlib", str(ORLIB / "pmed1.txt")]) == 0
    out = capsys.readouterr().out
    assert "phases" in out and "bound " in out and "sites closed" in out
    assert all(len(line) <= 100 for line in out.splitlines())


def test_cli_malformed_file_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "cap_broken.txt"
    bad.write_text("2 3\n10 5\n")
    assert main(["orlib", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "cap_broken.txt, line 2" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert main(["orlib", str(tmp_path / "missing.txt")]) == 2
    assert "file not found" in capsys.readouterr().err
    good = tmp_path / "cap_tiny.txt"
    good.write_text("2 2\n10 5\n10 5\n3 1 2\n3 2 1\n")
    assert main(["orlib", str(good), "--solver", "nope"]) == 2
    assert main(["orlib", str(good), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    # one site: 5 + 1 + 2 = 8 beats both sites: 10 + 1 + 1 = 12
    assert data["objective"] == pytest.approx(8.0) and len(data["open_sites"]) == 1
