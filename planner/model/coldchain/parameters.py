"""Helpers that turn the cold-chain parameter table (``geodata/cold_chain_parameters.csv``, read by
:func:`planner.domain.cold_chain_parameters`) into model data: products with their loss rates, arc
matrices from distances. The table is passed in; nothing here reads a file."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from planner.errors import ModelError
from planner.model.coldchain.problem import ArcMatrix, Product

__all__ = [
    "arc_matrix_from_distance",
    "loss_rate_per_h",
    "parameter_value",
    "product_from_parameters",
]


def parameter_value(params: pd.DataFrame, parameter: str, key: str) -> float:
    """The value of ``(parameter, key)`` in the parameter table (:func:`planner.domain.cold_chain_parameters`)."""
    hit = params[(params["parameter"] == parameter) & (params["key"] == key)]
    if hit.empty:
        raise ModelError(f"cold-chain parameters: no value for {parameter}/{key}")
    return float(hit["value"].iloc[0])


def loss_rate_per_h(chain_loss_fraction: float, duration_h: float) -> float:
    """k such that ``1 - exp(-k * duration_h) = chain_loss_fraction`` (per hour)."""
    if not 0 <= chain_loss_fraction < 1 or duration_h <= 0:
        raise ModelError(f"loss fraction must be in [0, 1) and duration positive, got {chain_loss_fraction}, "
                         f"{duration_h}")
    return -math.log1p(-chain_loss_fraction) / duration_h


def product_from_parameters(
    name: str,
    category: str,
    *,
    params: pd.DataFrame,
    perishable: bool | None = None,
    **overrides: Any,
) -> Product:
    """A :class:`Product` of ``category`` (fruit_vegetable, meat, aquatic, dairy, non_perishable) with the
    default value, loss rates and time limit of the parameter table ``params``
    (:func:`planner.domain.cold_chain_parameters`); ``overrides`` replace any field."""
    dur = parameter_value(params, "reference_chain_duration", "all")
    fields: dict[str, Any] = {
        "name": name,
        "perishable": (category != "non_perishable") if perishable is None else perishable,
        "value_cny_per_t": parameter_value(params, "value", category),
        "loss_rate_ambient_per_h": loss_rate_per_h(
            parameter_value(params, "chain_loss_fraction_ambient", category), dur),
        "loss_rate_refrigerated_per_h": loss_rate_per_h(
            parameter_value(params, "chain_loss_fraction_refrigerated", category), dur),
    }
    if category != "non_perishable":
        fields["max_time_h"] = parameter_value(params, "max_door_to_door_time", category)
    fields.update(overrides)
    return Product(**fields)


def arc_matrix_from_distance(
    from_tier: str,
    to_tier: str,
    mode: str,
    distance_km: np.ndarray,
    *,
    speed_kmh: float,
    ambient_cny_per_tkm: float,
    refrigerated_cny_per_tkm: float,
    terminal_cny_per_t: float = 0.0,
    max_distance_km: float | None = None,
    leg_class: str = "any",
) -> ArcMatrix:
    """Build an :class:`ArcMatrix` from a distance matrix with a constant speed and per tonne-km rates.

    Time = distance / speed (h); cost = rate x distance + ``terminal_cny_per_t`` (CNY/t). Arcs longer than
    ``max_distance_km`` are removed (time = inf). ``leg_class``: the arcs' leg class.
    """
    d = np.asarray(distance_km, dtype=np.float64)
    if speed_kmh <= 0:
        raise ModelError(f"arcs {from_tier}->{to_tier} ({mode}): speed must be positive")
    t = d / speed_kmh
    if max_distance_km is not None:
        t = np.where(d > max_distance_km, np.inf, t)
    return ArcMatrix(
        from_tier, to_tier, mode, d, t,
        ambient_cny_per_tkm * d + terminal_cny_per_t,
        refrigerated_cny_per_tkm * d + terminal_cny_per_t,
        leg_class=leg_class,
    )
