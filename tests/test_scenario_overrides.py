"""Changing one field of a base scenario by its path (``tiers[1].min_open: 2``), as a user writes it in a
scenario file: under ``set:`` or as a top-level key, checked by ``planner validate`` with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_runner import REPO, run_planner

import planner as pl
from planner.scenario.load import ScenarioError

BACKBONE = REPO / "scenarios" / "gansu_backbone_cold_chain.yaml"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_one_tier_changed_without_restating_the_tiers(tmp_path: Path) -> None:
    child = _write(tmp_path / "two_bases.yaml", f"""extends: {BACKBONE}
name: two_bases
set:
  "tiers[1].min_open": 2
tiers[1].max_open: 2
policy.unmet_penalty_cny_per_t: 90000
""")
    base, scenario = pl.load_scenario(BACKBONE), pl.load_scenario(child)
    assert [t.name for t in scenario.tiers] == [t.name for t in base.tiers]
    assert (scenario.tiers[1].min_open, scenario.tiers[1].max_open) == (2, 2)
    assert scenario.tiers[0] == base.tiers[0] and scenario.tiers[2] == base.tiers[2]
    assert scenario.tiers[1].capacity_levels_t_cny == base.tiers[1].capacity_levels_t_cny
    assert scenario.policy.unmet_penalty_cny_per_t == 90000
    # the same change the API makes
    assert scenario.tiers == pl.modify_scenario(base, {"tiers[1].min_open": 2, "tiers[1].max_open": 2}).tiers
    done = run_planner("validate", child)
    assert done.returncode == 0 and ": ok" in done.stdout


def test_an_override_in_the_base_file_and_a_plain_field_in_the_child(tmp_path: Path) -> None:
    base = _write(tmp_path / "base.yaml", f"extends: {BACKBONE}\nname: base_two\ntiers[1].min_open: 2\n")
    child = _write(tmp_path / "child.yaml", "extends: base.yaml\nname: child\nsolver:\n  time_limit_s: 20\n")
    scenario = pl.load_scenario(child)
    assert scenario.tiers[1].min_open == 2 and scenario.solver.time_limit_s == 20
    assert pl.load_scenario(base).tiers[1].min_open == 2


def test_every_bad_override_is_reported_with_file_and_line(tmp_path: Path) -> None:
    bad = _write(tmp_path / "bad.yaml", f"""extends: {BACKBONE}
name: bad_paths
set:
  tiers[7].min_open: 2
  tiers[1].min_opn: 2
policy.unmet_penalty_cny_per_t: -5
tiers[1].min_open: two
tiers.min_open: 1
""")
    done = run_planner("validate", bad)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if "bad.yaml:" in line]
    assert f"{bad}:4: tiers[7].min_open: index 7 is out of range: the base scenario's tiers has 3 item(s)" in lines
    assert any(line.startswith(f"{bad}:5: tiers[1].min_opn: unknown field 'min_opn'") and "did you mean 'min_open'" in line for line in lines)
    assert any(line.startswith(f"{bad}:6: policy.unmet_penalty_cny_per_t: Input should be greater than or equal to 0") for line in lines)
    assert any(line.startswith(f"{bad}:7: tiers[1].min_open: Input should be a valid integer") for line in lines)
    assert any(line.startswith(f"{bad}:8: tiers.min_open: tiers is a list: give an index") for line in lines)
    assert len(lines) == 5
    run = run_planner("run", bad, "--out", tmp_path / "out")
    assert run.returncode == 2 and f"{bad}:4:" in run.stderr and not (tmp_path / "out").exists()
    with pytest.raises(ScenarioError, match=r"bad\.yaml:4: tiers\[7\]\.min_open"):
        pl.load_scenario(bad)
