"""What a model adapter declares: the one place that ties a model of :mod:`planner.model` to scenarios.

An adapter names the model (the scenario's ``model:``), the scenario fields it needs, how to build its
problem from the scenario's places and network, how to solve it and how to turn the solution into the run
tables (:class:`~planner.scenario.result.RunResult`), and whether its objective is a cost in CNY. The
schema's model choices, the run dispatch, the sweep's result columns and the README's model table are
read from the adapters (:mod:`planner.scenario.models`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

    from planner.model.matrix import SolverOptions
    from planner.scenario.inputs import BuiltScenario
    from planner.scenario.result import RunResult
    from planner.scenario.schema import Scenario

__all__ = ["FIELD_TEXT", "ModelAdapter"]

#: how a missing scenario field is named in the message "a <model> scenario needs <field>"
FIELD_TEXT = {"p": "p (the number of sites to open)"}


#: the solution type of a model family (LocationSolution, HubSolution, the solved cold chain)
SolutionT = TypeVar("SolutionT")


@dataclass(frozen=True)
class ModelAdapter(Generic[SolutionT]):
    """One model as scenarios use it.

    ``name``: the scenario's ``model:``; ``title``: a few words (README, reports); ``question``: the planning
    question it answers; ``objective``: what it optimises, in words. ``needs``: the scenario fields that
    must be set, checked in this order; ``check``: further checks of a scenario (raise ``ValueError``).
    ``is_cost``: the objective is a cost in CNY (tables and sweeps label it so). ``build(scenario, base_dir,
    places, graph)`` returns the built scenario; ``solve(built, options)`` the model's solution;
    ``tables(built, solution)`` the run result; ``SolutionT`` is the family's solution type.
    """

    name: str
    title: str
    question: str
    objective: str
    is_cost: bool
    needs: tuple[str, ...]
    build: Callable[[Scenario, Path, pd.DataFrame, nx.MultiDiGraph], BuiltScenario]
    solve: Callable[[BuiltScenario, SolverOptions], SolutionT]
    tables: Callable[[BuiltScenario, SolutionT], RunResult]
    check: Callable[[Scenario], None] | None = None

    def check_fields(self, scenario: Scenario) -> None:
        """Raise ``ValueError`` naming the first field the model needs that the scenario leaves unset."""
        for name in self.needs:
            value = getattr(scenario, name)
            if value is None or (isinstance(value, list) and not value):
                raise ValueError(f"a {self.name} scenario needs {FIELD_TEXT.get(name, name)}")
        if self.check is not None:
            self.check(scenario)
