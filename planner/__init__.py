"""Spatial logistics network planner.

Data flows one way: geodata -> layout (GeoDataFrames) -> network (graph, cost matrices) ->
model (MILP) -> solution -> outputs (tables, GeoPackage, maps).
"""

from planner.errors import DataError, InfeasibleError, ModelError, PlannerError

__version__ = "0.1.0"

__all__ = ["DataError", "InfeasibleError", "ModelError", "PlannerError", "__version__"]
