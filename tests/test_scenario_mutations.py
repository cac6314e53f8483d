"""Property: whatever a scenario file says, ``planner run`` ends in exit 0 with a complete, readable run or
exit 2 with one located line and nothing written — never exit 1, never a traceback.

Hypothesis mutates a tiny p-median scenario (four candidates, six points): fields get values of the wrong
type, out of range, names with markup and spreadsheet-formula characters, unknown places. Each example is
one ``planner run`` through :func:`planner.cli.main` in this process (the subprocess start-up would make
the example count too small to be useful); ``tests/test_hostile_inputs.py`` drives the same cases as
subprocesses. ``MUTATIONS=300 python -m pytest tests/test_scenario_mutations.py`` explores more examples
than the suite's 40.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from cli_runner import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.cli import main
from planner.outputs import read_run

BASE = yaml.safe_load((REPO / "tests" / "data" / "hostile" / "base_location.yaml").read_text(encoding="utf-8"))
BASE["solver"] = {"time_limit_s": 10}

PLACES = ["兰州", "天水", "平凉", "张掖", "白银", "定西", "乌鲁木齐", "兰洲", "[/x]Atlantis", "=1+1", "@SUM(A1)", "-2", "", "lanzhou"]
ODD_TEXT = st.text(alphabet=st.sampled_from(list("[]/=+-@:;'\" ab兰\t\n")), max_size=12)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=12),
    st.sampled_from([0.0, 0.5, 1e308, -1.0, float("nan"), float("inf"), 1e-9]),
    st.sampled_from(PLACES),
    ODD_TEXT,
)
VALUES = st.one_of(SCALARS, st.lists(st.sampled_from(PLACES), max_size=4), st.dictionaries(st.sampled_from(["a", "names"]), SCALARS, max_size=2))

PATHS = [
    ("name",), ("title",), ("description",), ("model",), ("region",), ("metric",), ("modes",), ("refrigerated",),
    ("p",), ("service_time_h",), ("fixed_cost_cny",), ("capacity_t",), ("candidates", "names"),
    ("candidates", "exclude"), ("candidates", "roles"), ("demand", "points", "names"), ("demand", "weights"),
    ("demand", "scale"), ("policy", "must_open"), ("policy", "forbidden"), ("policy", "budget_cny"),
    ("disruptions", "nodes"), ("solver", "mip_gap"), ("solver", "threads"), ("solver", "name"), ("unknown_field",),
]
GOOD_PLACES = st.lists(st.sampled_from(PLACES[:7] + ["lanzhou"]), min_size=1, max_size=5, unique=True)
SENSIBLE = {  # values that keep the scenario valid often enough for the run branch to be exercised
    ("name",): st.from_regex(r"[a-z0-9][a-z0-9_\-]{0,20}", fullmatch=True),
    ("title",): ODD_TEXT.filter(lambda t: "\t" not in t),
    ("description",): ODD_TEXT,
    ("model",): st.sampled_from(["p_median", "p_center", "facility_location"]),
    ("metric",): st.sampled_from(["time_h", "distance_km", "cost"]),
    ("modes",): st.sampled_from([["road"], ["road", "rail"], ["air"]]),
    ("refrigerated",): st.booleans(),
    ("p",): st.integers(min_value=1, max_value=5),
    ("service_time_h",): st.sampled_from([2.0, 5.0, 0.5]),
    ("fixed_cost_cny",): st.sampled_from([0.0, 10.0, 1e6]),
    ("capacity_t",): st.sampled_from([1.0, 3.0, 100.0]),
    ("candidates", "names"): GOOD_PLACES,
    ("demand", "points", "names"): GOOD_PLACES,
    ("demand", "scale"): st.sampled_from([0.0, 2.0, 1e12]),
    ("policy", "budget_cny"): st.sampled_from([5.0, 100.0, 1e7]),
    ("policy", "must_open"): st.lists(st.sampled_from(PLACES[:7]), max_size=2),
    ("policy", "forbidden"): st.lists(st.sampled_from(PLACES[:7]), max_size=2),
    ("disruptions", "nodes"): st.lists(st.sampled_from(PLACES[:7]), max_size=1),
    ("solver", "mip_gap"): st.sampled_from([0.0, 0.5, 0.01]),
    ("solver", "threads"): st.sampled_from([1, 2, 64]),
    ("solver", "name"): st.sampled_from(["highs", "cbc"]),
}


@st.composite
def mutations(draw: st.DrawFn) -> list[tuple[tuple[str, ...], Any]]:
    chosen = draw(st.lists(st.sampled_from(PATHS), min_size=1, max_size=3, unique=True))
    # two draws in three keep a field sensible, so that many examples reach the solver and the writers
    return [(path, draw(SENSIBLE[path] if path in SENSIBLE and draw(st.integers(0, 2)) else VALUES)) for path in chosen]


def _apply(scenario: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = scenario
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[path[-1]] = value


LOCATED = re.compile(r"^error: (\S.*?\.(yaml|csv)(:\d+)?: |scenario [a-z0-9_\-]+: )")


@settings(max_examples=int(__import__("os").environ.get("MUTATIONS", "40")), deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=mutations())
def test_any_mutation_runs_or_is_refused_with_a_located_line(changes: list[tuple[tuple[str, ...], Any]], tmp_path_factory: pytest.TempPathFactory,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path_factory.mktemp("mutation")
    scenario = copy.deepcopy(BASE)
    for path, value in changes:
        _apply(scenario, path, value)
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario, allow_unicode=True), encoding="utf-8")
    out = folder / "out"
    capsys.readouterr()
    code = main(["--quiet", "run", str(path), "--out", str(out), "--json"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert code in (0, 2), (changes, captured.err)
    if code == 2:
        lines = captured.err.strip().splitlines()
        assert len(lines) == 1 and LOCATED.match(lines[0]), (changes, captured.err)
        assert not out.exists() or not any(out.rglob("*")), "a refused run left files"
        return
    data = json.loads(captured.out, parse_constant=lambda name: pytest.fail(f"bare {name} in --json output"))
    run_dir = Path(data["run_dir"])
    assert [d for d in out.glob("*/*")] == [run_dir] and not list(out.rglob(".*.tmp"))
    run = read_run(run_dir)
    assert run["summary"]["scenario"] == scenario["name"]
    assert len(run["sites"]) == data["sites_opened_total"] >= 1
    assert not run["sites"][["place_id", "name_zh", "lon", "lat"]].isna().any().any()
    for name in ("results.gpkg", "map.html", "manifest.json", "solver.log"):
        assert (run_dir / name).is_file(), name
