"""Optimisation models: the array-based MILP core, classic location models and OR-Library readers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from planner._lazy import lazy_names

#: Public name -> defining module; imported on first use, so reading the cold-chain parameters
#: (``planner.model.coldchain_data``, used by ``planner validate``) does not load scipy and PuLP.
_LAZY = {
    **dict.fromkeys(("ColdChainModel", "ColdChainProblem", "ColdChainSolution", "solve_cold_chain"), "planner.model.coldchain"),
    **dict.fromkeys(("LocationSolution", "capacitated_facility_location", "location_set_covering", "maximal_covering",
                     "p_center", "p_median", "uncapacitated_facility_location"), "planner.model.location"),
    **dict.fromkeys(("MatrixModel", "SolveResult", "SolverOptions", "VarBlock"), "planner.model.matrix"),
    **dict.fromkeys(("CapInstance", "PMedInstance", "read_bounds", "read_cap", "read_orlib", "read_pmed"), "planner.model.orlib"),
}

if TYPE_CHECKING:
    from planner.model.coldchain import ColdChainModel, ColdChainProblem, ColdChainSolution, solve_cold_chain
    from planner.model.location import (
        LocationSolution,
        capacitated_facility_location,
        location_set_covering,
        maximal_covering,
        p_center,
        p_median,
        uncapacitated_facility_location,
    )
    from planner.model.matrix import MatrixModel, SolveResult, SolverOptions, VarBlock
    from planner.model.orlib import CapInstance, PMedInstance, read_bounds, read_cap, read_orlib, read_pmed


__getattr__, __dir__ = lazy_names(__name__, _LAZY)

__all__ = [
    "CapInstance",
    "ColdChainModel",
    "ColdChainProblem",
    "ColdChainSolution",
    "LocationSolution",
    "MatrixModel",
    "PMedInstance",
    "SolveResult",
    "SolverOptions",
    "VarBlock",
    "capacitated_facility_location",
    "location_set_covering",
    "maximal_covering",
    "p_center",
    "p_median",
    "read_bounds",
    "read_cap",
    "read_orlib",
    "read_pmed",
    "solve_cold_chain",
    "uncapacitated_facility_location",
]
