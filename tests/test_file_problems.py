"""Scenario and sweep files share one schema base, one reader and one error: their problems read alike."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import REPO
from cli_runner import run_planner as planner

from planner.filespec import FileProblemsError, Problem
from planner.scenario import schema
from planner.scenario.load import ScenarioError, check_scenario, load_scenario
from planner.sweep.spec import Sweep, SweepError, check_sweep, load_sweep

# a key given twice, a tab (invalid YAML), a list instead of a mapping: each one problem, found while reading
BAD_YAML = {
    "twice": ("name: a\nname: b\n", ":2: name: the key is given twice (first on line 1); keep one"),
    "tab": ("name: a\n\tp: 2\n", ":2: invalid YAML: found character '\\t' that cannot start any token"),
    "list": ("- a\n- b\n", ":1: {what} must be a mapping of fields"),
}


@pytest.mark.parametrize("case", sorted(BAD_YAML))
def test_a_broken_yaml_file_reads_the_same_as_a_scenario_and_as_a_sweep(case: str, tmp_path: Path) -> None:
    text, expected = BAD_YAML[case]
    scenario_file, sweep_file = tmp_path / "scenario.yaml", tmp_path / "sweep.yaml"
    scenario_file.write_text(text, encoding="utf-8")
    sweep_file.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as scenario_error:
        load_scenario(scenario_file)
    with pytest.raises(SweepError) as sweep_error:
        load_sweep(sweep_file)
    assert str(scenario_error.value) == f"{scenario_file}{expected.format(what='a scenario file')}"
    assert str(sweep_error.value) == f"{sweep_file}{expected.format(what='a sweep file')}"
    # and the command line prints that line for either file
    validated = planner("validate", scenario_file)
    swept = planner("sweep", sweep_file, "--dry-run")
    assert validated.returncode == swept.returncode == 2
    assert f"{scenario_file.name}{expected.format(what='a scenario file')}" in validated.stderr
    assert f"{sweep_file.name}{expected.format(what='a sweep file')}" in swept.stderr.replace("\n", "")
    assert "Traceback" not in validated.stderr + swept.stderr


def test_both_errors_are_one_kind_and_differ_only_in_the_hint() -> None:
    problems = [Problem("a.yaml", 3, "p", "must be at least 1"), Problem("a.yaml", 9, "", "second")]
    scenario, sweep = ScenarioError(problems), SweepError(problems)
    assert isinstance(scenario, FileProblemsError) and isinstance(sweep, FileProblemsError)
    assert scenario.problems == sweep.problems == problems
    assert str(sweep) == "a.yaml:3: p: must be at least 1 (and 1 more)"
    assert str(scenario) == "a.yaml:3: p: must be at least 1 (and 1 more: run `planner validate`)"
    assert str(ScenarioError(problems[1:])) == str(SweepError(problems[1:])) == "a.yaml:9: second"


def test_unknown_fields_are_refused_alike(tmp_path: Path) -> None:
    sweep_file = tmp_path / "sweep.yaml"
    sweep_file.write_text("name: s\nbase: x.yaml\ngird: {p: [1, 2]}\n", encoding="utf-8")
    _, problems = check_sweep(sweep_file)
    assert [str(p) for p in problems] == [f"{sweep_file}:3: gird: unknown field; did you mean 'grid'?"]
    scenario_file = tmp_path / "scenario.yaml"
    scenario_file.write_text((REPO / "scenarios" / "gansu_emergency_reserves.yaml").read_text(encoding="utf-8")
                             + "solvr: {}\n", encoding="utf-8")
    _, problems = check_scenario(scenario_file)
    assert [p.message for p in problems] == ["unknown field; did you mean 'solver'?"]


def test_sweep_files_are_as_strict_as_scenario_files(tmp_path: Path) -> None:
    # one base: a count given as text or as a yes/no is an error in both, never read as 10 or 1 draws
    assert Sweep.model_config["extra"] == schema.Scenario.model_config["extra"] == "forbid"
    assert schema.Scenario.model_config["strict"] is True and Sweep.model_config["strict"] is True
    for value in ('"3"', "true"):
        sweep_file = tmp_path / "s.yaml"
        sweep_file.write_text(f"name: s\nbase: {REPO / 'scenarios' / 'gansu_backbone_cold_chain.yaml'}\nmonte_carlo:\n"
                              f"  draws: {value}\n  demand_scale: {{distribution: lognormal, sigma: 0.1}}\n", encoding="utf-8")
        _, problems = check_sweep(sweep_file)
        assert [(p.line, p.field) for p in problems] == [(4, "monte_carlo.draws")], (value, problems)


def test_the_schema_imports_no_model() -> None:
    """The registry hands the schema its models: the schema imports nothing of planner.scenario."""
    tree = ast.parse((REPO / "planner" / "scenario" / "schema.py").read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert not {name for name in imported if name and name.startswith("planner.scenario")}, imported
    # importing the schema alone (a fresh interpreter) still gives the registered models and their checks
    code = ("from planner.scenario.schema import MODELS, Scenario\n"
            "from planner.scenario.models import MODEL_NAMES\n"
            "assert MODELS == MODEL_NAMES and 'p_median' in MODELS, MODELS\n"
            "try:\n"
            "    Scenario.model_validate({'name': 'x', 'title': 'x', 'model': 'p_median', 'region': ['gansu'],\n"
            "                             'demand': {'points': {'roles': ['hub']}}})\n"
            "except ValueError as exc:\n"
            "    assert 'a p_median scenario needs candidates' in str(exc), exc\n"
            "else:\n"
            "    raise AssertionError('accepted')\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_an_unknown_field_is_matched_in_its_own_schema_class(tmp_path: Path) -> None:
    """One converter of schema errors for both files: a typo inside a tagged union member (a uniform
    distribution, here per product) is named at its line with the member's own field, and the member's tag
    is not part of the field path."""
    sweep_file = tmp_path / "s.yaml"
    sweep_file.write_text(f"name: s\nbase: {REPO / 'scenarios' / 'gansu_backbone_cold_chain.yaml'}\nmonte_carlo:\n"
                          "  draws: 3\n  products:\n    potato: {distribution: uniform, low: 0.8, hgih: 1.2}\n", encoding="utf-8")
    _, problems = check_sweep(sweep_file)
    assert [(p.line, p.field, p.message) for p in problems if "hgih" in p.field] == [
        (6, "monte_carlo.products.potato.hgih", "unknown field; did you mean 'high'?")]
    scenario_file = tmp_path / "scenario.yaml"
    text = (REPO / "scenarios" / "gansu_backbone_cold_chain.yaml").read_text(encoding="utf-8")
    scenario_file.write_text(text.replace("solver:\n", "solver:\n  time_limt_s: 5\n", 1), encoding="utf-8")
    _, problems = check_scenario(scenario_file)
    assert [(p.field, p.message) for p in problems] == [("solver.time_limt_s", "unknown field; did you mean 'time_limit_s'?")]
