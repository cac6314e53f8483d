"""Hostile and odd input, as a user would feed it: ``planner validate`` / ``run`` in a subprocess on files in
tests/data/hostile. Each case ends in exit 0 with a complete run, or exit 2 with one located line and no
run folder at all; never a traceback, never a wrong answer given in silence.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from cli_runner import REPO
from cli_runner import run_planner as planner

HOSTILE = REPO / "tests" / "data" / "hostile"
RUN_FILES = ("summary.json", "sites.csv", "candidates.csv", "assignments.csv", "service.csv", "results.gpkg",
             "map.html", "solver.log", "manifest.json")


def _nothing_left(out: Path) -> bool:
    """No run folder, no temporary folder, no scenario folder: the output folder is empty or absent."""
    return not out.exists() or not any(out.rglob("*"))


def _one_run(out: Path) -> Path:
    [run_dir] = [d for d in out.glob("*/*") if d.is_dir()]
    assert not list(out.rglob(".*.tmp")), "a temporary folder is left"
    for name in RUN_FILES:
        assert (run_dir / name).is_file(), name
    return run_dir


def _error_line(done: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines and lines[-1].startswith("error: "), done.stderr
    return lines[-1]


# (file, the located message: 'file:line: field: message' as validate prints it and run names it)
REJECTED = [
    ("budget_too_small.yaml", ":7: policy.budget_cny: infeasible: the budget of 10 CNY pays for no site at fixed_cost_cny 1,000,000 CNY"),
    ("must_open_not_candidate.yaml", ":4: policy.must_open[0]: 乌鲁木齐 (urumqi) is not a candidate site"),
    ("p_too_large.yaml", ":3: p: p = 7 but only 4 candidate site(s) may open"),
    ("must_open_more_than_p.yaml", ":4: policy.must_open: 3 sites must open but p = 2 (p counts them)"),
    ("must_open_and_forbidden.yaml", ":5: policy.forbidden[1]: 兰州 (lanzhou) is also in policy.must_open"),
    ("closed_demand_point.yaml", ":4: disruptions.nodes[0]: 白银 (baiyin) is a demand point; a closed place cannot be served"),
    ("p_true.yaml", ":3: p: Input should be a valid integer"),
    ("p_string.yaml", ":3: p: Input should be a valid integer"),
    ("duplicate_key.yaml", ":4: p: the key is given twice (first on line 3)"),
    ("long_name.yaml", ":2: name: name must be lowercase letters, digits, _ or -, at most 64 characters"),
    ("deep.yaml", ":3: description[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]: values nest more than 20 levels deep"),
    ("control_title.yaml", ":3: title: the text holds the control character '\\x1b'"),
    ("markup_must_open.yaml", ":4: policy.must_open[0]: unknown place '[bold red]FAKE[/]'"),
    ("tier_colon.yaml", ":4: tiers[0].name: tier names are letters, digits, _, - and spaces"),
    ("tier_markup.yaml", ":4: tiers[0].name: tier names are letters, digits, _, - and spaces, starting with a letter or digit, at most 40 characters; got 'dc[/]'"),
    ("tier_formula.yaml", ":4: tiers[0].name: tier names are letters, digits, _, - and spaces, starting with a letter or digit, at most 40 characters; got '=cmd'"),
    ("tier_named_demand.yaml", ":4: tiers[0].name: 'demand' names an end of the chain"),
    ("min_open_too_large.yaml", ":7: tiers[0].min_open: min_open = 4 but only 3 candidate site(s) of tier dc may open"),
    ("must_open_more_than_max_open.yaml", ":4: policy.must_open: 3 must-open places are candidates of tier dc (平凉、庆阳、兰州) but its max_open is 2"),
    ("arcs_upstream.yaml", ":3: tier_arcs[2]: demand -> dc runs upstream"),
    ("duplicate_product.yaml", ":5: products[1].id: product 'apple' is listed twice"),
    ("gateway_shares.yaml", ":8: demand.gateways[1].share_of_supply.apple: the gateways' shares of apple add up to 160%"),
    # problems inside the user's demand tables: file:line: column
    ("table_markup_place.yaml", "markup_place.csv:3: name: unknown place '[/x]Atlantis'"),
    ("table_zero.yaml", "zero.csv: weight: every value is 0"),
    ("table_header_only.yaml", "header_only.csv: the table has a header but no rows"),
    ("table_huge_weight.yaml", "huge_weight.csv:3: weight: '1e308' is not a number from 0 to 1e+12"),
    ("table_too_many_fields.yaml", "too_many_fields.csv:3: the row has 3 fields but the header (line 1) has 2"),
]


def test_validate_catches_every_case_at_once() -> None:
    files = [HOSTILE / name for name, _ in REJECTED]
    done = planner("validate", *files)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    for name, expected in REJECTED:
        where = name if expected.startswith(":") else ""
        assert f"{where}{expected}" in done.stderr, (name, done.stderr)
    assert done.stderr.strip().splitlines()[-1] == f"error: {len(REJECTED)} problems in {len(REJECTED)} scenario files"
    report = json.loads(planner("validate", "--json", *files).stdout)
    assert all(len(problems) == 1 for problems in report.values())


@pytest.mark.parametrize(("name", "expected"), REJECTED, ids=[name for name, _ in REJECTED])
def test_run_rejects_what_validate_rejects(name: str, expected: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = planner("run", HOSTILE / name, "--out", out)
    assert done.returncode == 2
    line = _error_line(done)
    where = name if expected.startswith(":") else ""
    assert f"{where}{expected}" in line
    assert "building" not in done.stderr  # refused before anything was built
    assert _nothing_left(out)


def test_budget_is_honoured_by_facility_location(tmp_path: Path) -> None:
    free = json.loads(planner("-q", "run", HOSTILE / "budget_free.yaml", "--out", tmp_path, "--json").stdout)
    done = planner("-q", "run", HOSTILE / "budget_binds.yaml", "--out", tmp_path, "--json")
    assert done.returncode == 0, done.stderr
    bound = json.loads(done.stdout)
    assert free["sites_opened_total"] >= 2  # without the budget the cheap sites pay off
    assert bound["sites_opened_total"] == 1  # 60 CNY pays for one site of 50
    assert bound["cost_breakdown_cny"]["fixed"] <= 60
    assert bound["cost_breakdown_cny"]["assignment"] >= free["cost_breakdown_cny"]["assignment"]


def test_an_infeasible_budget_is_explained(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = planner("run", REPO / "tests" / "data" / "scenarios" / "infeasible.yaml", "--out", out)
    assert done.returncode == 2
    line = _error_line(done)
    assert "infeasible" in line and "policy.budget_cny 1,500,000 CNY pays for at most 1 site(s)" in line
    assert _nothing_left(out)


def test_closed_candidate_is_dropped_with_a_note(tmp_path: Path) -> None:
    done = planner("-q", "run", HOSTILE / "closed_candidate.yaml", "--out", tmp_path, "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert "天水" not in data["sites_opened"]["site"]["sites"]
    assert "disruptions: 天水 (tianshui) is closed, so it is not a candidate site" in data["notes"]
    candidates = pd.read_csv(_one_run(tmp_path) / "candidates.csv")
    assert "tianshui" not in set(candidates["place_id"])


def test_repeated_table_rows_are_added_up_with_a_note(tmp_path: Path) -> None:
    done = planner("-q", "run", HOSTILE / "table_duplicates.yaml", "--out", tmp_path, "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert any(n.startswith("duplicates.csv: 2 row(s) repeat a place of an earlier row (first: line 4)") for n in data["notes"])
    assignments = pd.read_csv(_one_run(tmp_path) / "assignments.csv", dtype={"place_id": str})
    assert assignments.set_index("place_id").loc["lanzhou", "weight"] == 16  # 10 + 5 + 1


def test_threads_are_capped_with_a_note(tmp_path: Path) -> None:
    validated = planner("validate", HOSTILE / "threads.yaml")
    assert validated.returncode == 0
    cores = os.cpu_count() or 1
    note = f"solver.threads 1000 is more than the {cores} core(s) of this machine; the solver uses {cores}"
    assert note in validated.stderr
    done = planner("-q", "run", HOSTILE / "threads.yaml", "--out", tmp_path, "--json")
    assert done.returncode == 0 and note in json.loads(done.stdout)["notes"]


def test_markup_in_user_text_is_printed_as_written(tmp_path: Path) -> None:
    done = planner("run", HOSTILE / "markup_title.yaml", "--out", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "[/] closing [bold red]x[/] :smile: (markup_title, p_median): optimal" in done.stdout
    summary = json.loads((_one_run(tmp_path) / "summary.json").read_text(encoding="utf-8"))
    assert summary["title"] == "[/] closing [bold red]x[/] :smile:"


def test_a_scenario_file_named_like_markup(tmp_path: Path) -> None:
    odd = tmp_path / "[bold]odd[red] :smile:.yaml"
    shutil.copy(HOSTILE / "base_location.yaml", odd)
    validated = planner("validate", odd)
    assert validated.returncode == 0 and f"{odd}: ok" in validated.stdout
    (tmp_path / "[").mkdir()
    broken = tmp_path / "[" / "x].yaml"  # the path ends in [/x].yaml
    broken.write_text("name: x\n", encoding="utf-8")
    done = planner("run", broken, "--out", tmp_path / "out")
    assert done.returncode == 2 and f"{broken}:1: title: Field required" in _error_line(done)
    assert _nothing_left(tmp_path / "out")


def test_a_tier_name_round_trips_through_every_output(tmp_path: Path) -> None:
    # "NA" is what spreadsheets and pandas read as a missing value: it must come back as the text NA
    done = planner("-q", "run", HOSTILE / "tier_na.yaml", "--out", tmp_path, "--json")
    assert done.returncode == 0, done.stderr
    run_dir = _one_run(tmp_path)
    from planner.outputs import read_run

    run = read_run(run_dir)
    assert set(run["sites"]["tier"]) == {"NA"} and set(run["candidates"]["tier"]) == {"NA"}
    assert set(run["flows"]["from_tier"]) == {"production", "NA"}
    assert not run["sites"][["place_id", "name_zh", "lon", "lat"]].isna().any().any()
    assert set(run["sites"]["place_id"]) <= {"pingliang", "qingyang", "lanzhou"}
    assert "Sites opened: NA" in (run_dir / "map.html").read_text(encoding="utf-8")
    import geopandas as gpd

    layer = gpd.read_file(run_dir / "results.gpkg", layer="sites")
    assert set(layer["tier"]) == {"NA"} and layer.geometry.is_valid.all()
    assert run["summary"]["sites_opened"]["NA"]["count"] == len(run["sites"])


def test_csv_text_cannot_start_a_formula(tmp_path: Path) -> None:
    from planner.tables import TEXT_COLUMNS, read_csv, write_csv

    assert "tier" in TEXT_COLUMNS
    names = ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "'quoted", "''", "plain", "NA", "1e3", "a=b"]
    frame = pd.DataFrame({"tier": names, "tonnes": [-1.5] * len(names)})
    path = tmp_path / "sites.csv"
    write_csv(frame, path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")  # the byte-order mark for Excel
    assert not raw["tier"].str.match(r"^[=+\-@\t\r]").any()  # nothing a spreadsheet would evaluate
    assert raw["tonnes"].tolist() == ["-1.5"] * len(names)  # numbers stay numbers
    back = read_csv(path)
    assert back["tier"].tolist() == names and back["tonnes"].tolist() == [-1.5] * len(names)
    # the workbook keeps the text as written, in text cells that a spreadsheet never evaluates
    from openpyxl import load_workbook

    from planner.tables import write_workbook

    book = load_workbook(write_workbook(tmp_path / "results.xlsx", {"title": "=1+1"}, {"选址 Sites": frame}))
    cells = [row[0] for row in book["选址 Sites"].iter_rows(min_row=3)]
    assert [c.value for c in cells] == names and {c.data_type for c in cells} == {"s"}
    title = next(row[1] for row in book["摘要 Summary"].iter_rows() if row[1].value == "=1+1")
    assert title.data_type == "s"


@pytest.mark.parametrize("where", ["file", "folder_below_a_file"])
def test_out_that_cannot_be_written_fails_before_solving(where: str, tmp_path: Path) -> None:
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("", encoding="utf-8")
    out = blocker if where == "file" else blocker / "outputs"
    started = time.perf_counter()
    done = planner("run", HOSTILE / "base_location.yaml", "--out", out)
    assert done.returncode == 2
    line = _error_line(done)
    assert str(blocker) in line and "cannot write a run folder there" in line and "give --out a writable folder" in line
    assert "building" not in done.stderr and time.perf_counter() - started < 60
    assert blocker.read_text(encoding="utf-8") == ""


def test_scratch_files_stay_inside_the_run_folder(tmp_path: Path) -> None:
    system_tmp = tmp_path / "system_tmp"
    system_tmp.mkdir()
    scenario = tmp_path / "cbc.yaml"
    scenario.write_text(f"extends: {HOSTILE / 'base_location.yaml'}\nname: scratch_cbc\nsolver: {{name: cbc}}\n", encoding="utf-8")
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "TMPDIR": str(system_tmp)}
    done = subprocess.run([sys.executable, "-m", "planner", "-q", "run", str(scenario), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=180)
    assert done.returncode == 0, done.stderr
    run_dir = _one_run(tmp_path / "out")
    assert not (run_dir / ".scratch").exists() and not (run_dir / ".owner.json").exists()
    assert list(system_tmp.iterdir()) == []


def _start_run(scenario: Path, out: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.Popen([sys.executable, "-m", "planner", "run", str(scenario), "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)


def _wait_for_temporary(process: subprocess.Popen[str], out: Path) -> Path:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = list(out.glob("*/.*.tmp"))
        if found:
            return found[0]
        assert process.poll() is None, "the run ended before its temporary folder was seen"
        time.sleep(0.05)
    raise AssertionError("no temporary run folder appeared")


SLOW = REPO / "scenarios" / "gansu_emergency_reserves.yaml"


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_a_signal_leaves_nothing_half_written(signum: int, code: int, tmp_path: Path) -> None:
    out = tmp_path / "out"
    process = _start_run(SLOW, out)
    _wait_for_temporary(process, out)
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == code, stderr
    assert stderr.strip().splitlines()[-1] == "interrupted" and "Traceback" not in stderr
    assert _nothing_left(out)


def test_a_killed_run_is_cleaned_up_by_the_next(tmp_path: Path) -> None:
    out = tmp_path / "out"
    process = _start_run(SLOW, out)
    left = _wait_for_temporary(process, out)
    process.kill()  # SIGKILL: no clean-up can run
    process.communicate(timeout=60)
    assert left.is_dir() and (left / ".owner.json").is_file()
    done = planner("run", SLOW, "--out", out)
    assert done.returncode == 0, done.stderr
    assert f"removed {left}, the temporary folder of a run that was stopped" in done.stderr
    assert not left.exists()
    _one_run(out)


def test_orlib_headers_past_the_limits(tmp_path: Path) -> None:
    for name, size in (("cap_huge.txt", "1e+308 x 1e+308 customers x sites"), ("pmed_huge.txt", "60,000 x 60,000 nodes x nodes")):
        done = planner("orlib", REPO / "tests" / "data" / "orlib_limits" / name)
        assert done.returncode == 2
        line = _error_line(done)
        assert f"{name}, line 1: the header declares {size}, more than the 25,000,000 entries" in line


@pytest.mark.parametrize("lat", ["95.5", "1e308", "NaN"])
def test_osm_coordinates_outside_wgs84(lat: str, tmp_path: Path) -> None:
    source = (REPO / "tests" / "data" / "city_block.osm").read_text(encoding="utf-8")
    bad = tmp_path / "bad.osm"
    bad.write_text(source.replace('lat="43.7990" lon="87.5980"', f'lat="{lat}" lon="87.5980"'), encoding="utf-8")
    done = planner("network", "import-osm", bad, "--city", "乌鲁木齐", "--json")
    assert done.returncode == 2 and done.stdout == ""
    line = _error_line(done)
    assert line.startswith("error: bad.osm: ")


def test_json_output_never_holds_nan(tmp_path: Path) -> None:
    from planner.cli._common import plain_json

    assert json.dumps(plain_json({"a": math.nan, "b": [math.inf, 1.0], "c": {"d": -math.inf}}), allow_nan=False) == \
        '{"a": null, "b": [null, 1.0], "c": {"d": null}}'
    done = planner("-q", "run", HOSTILE / "closed_candidate.yaml", "--out", tmp_path, "--json")
    json.loads(done.stdout, parse_constant=lambda name: pytest.fail(f"bare {name} in --json output"))


def test_a_sweep_of_a_million_members_is_refused() -> None:
    done = planner("sweep", HOSTILE / "sweep_million.yaml", "--dry-run")
    assert done.returncode == 2
    assert "sweep_million.yaml:4: grid: the sweep has 1,000,000 members" in _error_line(done)


def test_usage_errors_exit_2() -> None:
    done = planner("run", HOSTILE / "base_location.yaml", "--no-such-option")
    assert done.returncode == 2 and "No such option" in done.stderr and "Traceback" not in done.stderr
