"""Reading scenario files: YAML with ``extends:``, every problem reported with file, line and field.

``extends: base.yaml`` (a path relative to the extending file) starts from the base scenario and
overrides it: mappings merge key by key, anything else (lists, numbers, strings) replaces. Single
fields, a list item's included, are set by path (``set: {"tiers[1].min_open": 2}`` or the path as a
top-level key; :mod:`planner.scenario.overrides`) after the file's own fields are merged. Problems are
collected, not raised one at a time, so ``planner validate`` can list them all; :func:`load_scenario`
raises :class:`ScenarioError` with the first problem and the count of the others. The YAML is read as
every settings file is (:func:`planner.filespec.read_yaml_mapping`: no key twice in one mapping, limits on
size, nesting and values).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from planner.filespec import (
    FileProblemsError,
    Problem,
    field_path,
    read_yaml_mapping,
    schema_problems,
    yaml_line,
)
from planner.scenario.schema import Scenario

__all__ = [
    "Problem",
    "ScenarioError",
    "check_scenario",
    "field_path",
    "load_scenario",
    "read_scenario_dict",
    "yaml_line",
]


class ScenarioError(FileProblemsError):
    """A scenario file has problems; ``problems`` lists them all."""

    more_hint = ": run `planner validate`"


@dataclass
class _Source:
    """A YAML document with its node tree, for line lookups."""

    path: Path
    data: dict[str, Any]
    root: yaml.Node | None
    #: location of each field set by a path override in this file -> its line there
    overridden: dict[tuple[Any, ...], int | None] = field(default_factory=dict)


def _read(path: Path) -> _Source:
    data, root = read_yaml_mapping(path, "a scenario file", ScenarioError)
    return _Source(path, data, root)


def _merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    return override


def _chain(path: Path, seen: tuple[Path, ...] = ()) -> list[_Source]:
    """The file and its ``extends`` ancestors, child first."""
    path = path.resolve()
    if path in seen:
        raise ScenarioError([Problem(str(path), None, "extends", "circular extends")])
    source = _read(path)
    parent = source.data.get("extends")
    if parent is None:
        return [source]
    if not isinstance(parent, str):
        raise ScenarioError([Problem(str(path), yaml_line(source.root, ("extends",)), "extends", "must be a file path")])
    parent_path = (path.parent / parent).resolve()
    if not parent_path.is_file():
        raise ScenarioError([Problem(str(path), yaml_line(source.root, ("extends",)), "extends", f"file not found: {parent}")])
    return [source, *_chain(parent_path, (*seen, path))]


def _exists(root: yaml.Node | None, loc: tuple[Any, ...]) -> bool:
    node = root
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if getattr(k, "value", None) == str(key)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            return False
        if node is None:
            return False
    return True


def _locate(chain: list[_Source], loc: tuple[Any, ...]) -> tuple[str, int | None]:
    """The file of the chain that defines ``loc`` (child first) and the line there."""
    for source in chain:
        for target, line in source.overridden.items():  # set by a path: point at the override
            if loc[: len(target)] == target:
                return str(source.path), line
        if _exists(source.root, loc):
            return str(source.path), yaml_line(source.root, loc)
    # The field is missing everywhere: point at its parent in the child file.
    return str(chain[0].path), yaml_line(chain[0].root, loc[:-1])


def read_scenario_dict(path: str | Path) -> tuple[dict[str, Any], list[_Source]]:
    """The merged raw mapping of a scenario file and its ``extends`` chain, path overrides applied.

    Raises :class:`ScenarioError` listing every override that names no field of the scenario.
    """
    merged, chain, problems = _merged(path)
    if problems:
        raise ScenarioError(problems)
    return merged, chain


def _merged(path: str | Path) -> tuple[dict[str, Any], list[_Source], list[Problem]]:
    """The merged mapping, its chain and the refused path overrides (the others are applied)."""
    from planner.scenario.overrides import apply_overrides, file_overrides, parse_path

    chain = _chain(Path(path))
    merged: dict[str, Any] = {}
    problems = []
    for source in reversed(chain):
        plain, overrides = file_overrides(source.data)
        merged = _merge(merged, plain)
        refused = apply_overrides(merged, overrides)
        problems += [Problem(str(source.path), yaml_line(source.root, where), str(where[-1]), reason) for where, reason in refused]
        bad = {where for where, _ in refused}
        source.overridden = {parse_path(key): yaml_line(source.root, where) for key, _, where in overrides if where not in bad}
    merged.pop("extends", None)
    return merged, chain, problems


def check_scenario(path: str | Path, notes: list[str] | None = None) -> tuple[Scenario | None, list[Problem]]:
    """Validate a scenario file; return the scenario (None if invalid) and every problem found.

    Checks the YAML, the schema, the names it uses (places, roles, products) against the shipped data,
    then what the scenario means (:mod:`planner.scenario.semantics`: selections, ``p``, must-open sites,
    budgets, tier arcs, gateway shares, the user's tables) — everything ``run`` checks before building
    the network. ``notes`` (a list) receives the semantic notes of a valid scenario.
    """
    try:
        merged, chain, problems = _merged(path)
    except ScenarioError as exc:
        return None, exc.problems
    from planner.scenario.names import check_names

    scenario: Scenario | None = None
    try:
        scenario = Scenario.model_validate(merged)
    except ValidationError as exc:
        problems += [Problem(*_locate(chain, loc), field_path(loc), message) for loc, message in schema_problems(Scenario, exc)]
    problems += [Problem(*_locate(chain, loc), field_path(loc), message) for loc, message in check_names(merged)]
    if scenario is not None and not problems:
        from planner.scenario.semantics import check_semantics

        issues, found_notes = check_semantics(scenario, chain[0].path.parent)
        problems += [_issue_problem(chain, issue) for issue in issues]
        if notes is not None:
            notes += found_notes
    problems.sort(key=lambda p: (p.file != str(chain[0].path), p.file, p.line or 0))
    return (scenario if not problems else None), problems


def _issue_problem(chain: list[_Source], issue: Any) -> Problem:
    """A semantic issue as a problem: at its line of a user table, or at the field of the scenario file."""
    if issue.table is not None:
        return Problem(issue.table.file, issue.table.line, issue.table.column, issue.table.message)
    return Problem(*_locate(chain, issue.loc), field_path(issue.loc), issue.message)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; raise :class:`ScenarioError` naming the first problem."""
    scenario, problems = check_scenario(path)
    if problems:
        raise ScenarioError(problems)
    assert scenario is not None
    return scenario
