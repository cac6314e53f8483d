"""Optimisation models: the array-based MILP core, the cold chain, classic location models.

A model receives arrays and parameters and reads no file (the OR-Library benchmark reader is
:mod:`planner.orlib`, the parameter tables come from :mod:`planner.domain`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from planner._lazy import lazy_names

#: Public name -> defining module; imported on first use, so ``import planner.model`` loads no solver
#: library (scipy, PuLP) until a model is asked for.
_LAZY = {
    **dict.fromkeys(("ColdChainModel", "ColdChainProblem", "ColdChainSolution", "solve_cold_chain"), "planner.model.coldchain"),
    **dict.fromkeys(("LocationSolution", "capacitated_facility_location", "location_set_covering", "maximal_covering",
                     "p_center", "p_median", "uncapacitated_facility_location"), "planner.model.location"),
    **dict.fromkeys(("MatrixModel", "SolveResult", "SolverOptions", "VarBlock"), "planner.model.matrix"),
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


__getattr__, __dir__ = lazy_names(__name__, _LAZY)

__all__ = [
    "ColdChainModel",
    "ColdChainProblem",
    "ColdChainSolution",
    "LocationSolution",
    "MatrixModel",
    "SolveResult",
    "SolverOptions",
    "VarBlock",
    "capacitated_facility_location",
    "location_set_covering",
    "maximal_covering",
    "p_center",
    "p_median",
    "solve_cold_chain",
    "uncapacitated_facility_location",
]
