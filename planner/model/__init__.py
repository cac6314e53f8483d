"""Optimisation models: the array-based MILP core, classic location models and OR-Library readers."""

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
