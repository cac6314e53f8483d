"""From a scenario to its built model: the shared inputs (:mod:`planner.scenario.inputs`) and the model's
own problem, built by its adapter (:mod:`planner.scenario.models`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from planner.network.places import place_table
from planner.scenario.inputs import BuiltScenario, scenario_graph, select_places, supply_table
from planner.scenario.models import adapter

if TYPE_CHECKING:
    from planner.scenario.schema import Scenario

#: the inputs most callers want beside build_scenario (the others are in planner.scenario.inputs)
__all__ = ["BuiltScenario", "build_scenario", "scenario_graph", "select_places", "supply_table"]


def build_scenario(scenario: Scenario, base_dir: str | Path = ".") -> BuiltScenario:
    """Build the model inputs of ``scenario`` (``base_dir``: where relative table paths are read)."""
    return adapter(scenario.model).build(scenario, Path(base_dir), place_table(), scenario_graph(scenario))
