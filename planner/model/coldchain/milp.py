"""What the helper modules of the cold-chain MILP read of it: :class:`ColdChainMILP`.

:class:`~planner.model.coldchain.model.ColdChainModel` builds the flow variables and runs the solve; the
formulation, the door-to-door limits, the MIP starts, the diagnostics, the justifications and the solution
tables are functions of the model it has built. They annotate with this protocol instead of importing
``ColdChainModel``, so ``model.py`` imports them and none of them imports ``model.py`` back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np

    from planner.model.coldchain.compiled import CompiledProblem
    from planner.model.coldchain.problem import ColdChainProblem
    from planner.model.matrix import MatrixModel, SolveResult

__all__ = ["ColdChainMILP"]


@runtime_checkable
class ColdChainMILP(Protocol):
    """A built cold-chain MILP: the compiled problem, one entry per flow variable in each ``f_*`` and
    ``cost_*`` array (product, arc variant, ends, site zones, bound, CNY/t), the unmet-demand variables
    (``u_*``), the formulation options and the current model with its column blocks."""

    problem: ColdChainProblem
    c: CompiledProblem
    #: per product, the route analysis of :meth:`CompiledProblem.analyse`
    analyses: list[dict[str, np.ndarray]]
    #: infeasibility reasons found before the solve
    reasons: list[str]
    linking: str
    levels: str
    level_bounds: bool
    f_p: np.ndarray
    f_a: np.ndarray
    f_crit: np.ndarray
    f_from: np.ndarray
    f_to: np.ndarray
    f_sz_to: np.ndarray
    f_sz_from: np.ndarray
    f_bound: np.ndarray
    cost_transport: np.ndarray
    cost_handling: np.ndarray
    cost_spoilage: np.ndarray
    co2_kg_per_t: np.ndarray
    cost_co2: np.ndarray
    loss_fraction: np.ndarray
    u_d: np.ndarray
    u_p: np.ndarray
    u_cost: np.ndarray
    #: the solver sees costs multiplied by this factor
    cost_scale: float
    #: flow variables whose door-to-door rows are in the model
    active: np.ndarray
    frames: dict[tuple[int, str], tuple[np.ndarray, np.ndarray, np.ndarray] | None]
    model: MatrixModel
    blocks: dict[str, Any]
    build_seconds: float

    @property
    def unit_cost(self) -> np.ndarray: ...

    def build(self, *, elastic: str | None = None, active: np.ndarray | None = None, relax: bool = False,
              fix_open: np.ndarray | None = None, ban: np.ndarray | None = None) -> tuple[MatrixModel, dict[str, Any]]: ...

    def level_values(self, res: SolveResult, blocks: dict[str, Any] | None = None) -> np.ndarray: ...

    def to_main(self, res: SolveResult, blocks: dict[str, Any]) -> SolveResult: ...

    def used_tolerance(self) -> float: ...

    def size(self) -> dict[str, int]: ...
