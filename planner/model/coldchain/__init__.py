"""Multi-echelon, multi-product cold-chain network design (MILP on :class:`~planner.model.matrix.MatrixModel`).

Network (X:L30-31, A:L207-217, G:L2210-2214): production areas -> origin pre-cooling / consolidation
centres -> backbone cold-chain bases -> regional distribution centres -> demand points (cities, consumption
markets, border ports). Tiers, their temperature zones and the allowed tier-to-tier arcs are data
(:class:`ColdChainProblem`), so tiers can be skipped and the same engine sites ambient distribution centres.

The package, upstream to downstream:

* :mod:`~planner.model.coldchain.problem` - the input data and its validation;
* :mod:`~planner.model.coldchain.parameters` - products and arcs from the parameter table
  (:func:`planner.domain.cold_chain_parameters` reads it);
* :mod:`~planner.model.coldchain.compiled` - the problem as arrays, per-product route analysis;
* :mod:`~planner.model.coldchain.milp` - what the modules below read of a built model (a protocol);
* :mod:`~planner.model.coldchain.formulation` - the MILP, one function per group of rows;
* :mod:`~planner.model.coldchain.route_limits` - optional door-to-door limits (unbroken-chain products);
* :mod:`~planner.model.coldchain.heuristics` - MIP starts;
* :mod:`~planner.model.coldchain.diagnostics` - why a problem is infeasible;
* :mod:`~planner.model.coldchain.model` - flow variables, pruning, the solve;
* :mod:`~planner.model.coldchain.solution` - the solution as tables.
"""

from planner.model.coldchain.diagnostics import diagnose_cold_chain, fmt_tonnes
from planner.model.coldchain.model import REPAIRED_INCUMBENT, ColdChainModel, solve_cold_chain
from planner.model.coldchain.parameters import (
    arc_matrix_from_distance,
    loss_rate_per_h,
    parameter_value,
    product_from_parameters,
)
from planner.model.coldchain.problem import (
    DEMAND,
    LEG_CLASSES,
    PRODUCTION,
    ZONES,
    ArcMatrix,
    ColdChainProblem,
    DemandPoint,
    Product,
    Site,
    SiteTier,
    Zone,
)
from planner.model.coldchain.solution import ColdChainSolution

__all__ = [
    "DEMAND",
    "LEG_CLASSES",
    "PRODUCTION",
    "REPAIRED_INCUMBENT",
    "ZONES",
    "ArcMatrix",
    "ColdChainModel",
    "ColdChainProblem",
    "ColdChainSolution",
    "DemandPoint",
    "Product",
    "Site",
    "SiteTier",
    "Zone",
    "arc_matrix_from_distance",
    "diagnose_cold_chain",
    "fmt_tonnes",
    "loss_rate_per_h",
    "parameter_value",
    "product_from_parameters",
    "solve_cold_chain",
]
