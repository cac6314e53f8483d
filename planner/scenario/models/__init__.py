"""The model registry: every model a scenario can name, each one adapter (:class:`ModelAdapter`).

The schema's ``model:`` choices and their required fields, the run dispatch, the cost label of sweeps and
tables, and the README's model table all come from :data:`ADAPTERS`. A new model is one adapter module
here plus its tests.
"""

from __future__ import annotations

from planner.errors import PlannerError
from planner.scenario import schema
from planner.scenario.models.base import ModelAdapter
from planner.scenario.models.cold_chain import COLD_CHAIN
from planner.scenario.models.hub import P_HUB_MEDIAN
from planner.scenario.models.location import LOCATION_ADAPTERS

__all__ = ["ADAPTERS", "COST_MODELS", "MODEL_NAMES", "ModelAdapter", "adapter", "readme_table"]

#: model name -> adapter, in the order the README and error messages list them
ADAPTERS: dict[str, ModelAdapter] = {a.name: a for a in (COLD_CHAIN, *LOCATION_ADAPTERS, P_HUB_MEDIAN)}
MODEL_NAMES: tuple[str, ...] = tuple(ADAPTERS)
#: models whose objective is a cost in CNY
COST_MODELS: frozenset[str] = frozenset(name for name, a in ADAPTERS.items() if a.is_cost)
schema.use_models(ADAPTERS)


def adapter(name: str) -> ModelAdapter:
    """The adapter of model ``name``; :class:`PlannerError` naming the known models otherwise."""
    if name not in ADAPTERS:
        raise PlannerError(f"unknown model {name!r}; the models are {', '.join(MODEL_NAMES)}")
    return ADAPTERS[name]


def readme_table() -> str:
    """The README's model table (Markdown), one row per adapter."""
    rows = ["| model | `model:` | what it answers | objective | needs |", "|---|---|---|---|---|"]
    for a in ADAPTERS.values():
        needs = ", ".join(f"`{n}`" for n in a.needs)
        rows.append(f"| {a.title} | `{a.name}` | {a.question} | {a.objective} | {needs} |")
    return "\n".join(rows)
