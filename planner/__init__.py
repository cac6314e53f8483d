"""Spatial logistics network planner.

Data flows one way: geodata -> layout (GeoDataFrames) -> network (graph, cost matrices) ->
model (MILP) -> solution -> outputs (tables, GeoPackage, maps).

The public API below is what the ``planner`` command calls; every name is imported on first use (module
``__getattr__``), so ``import planner`` loads no heavy library. Units: km, hours, tonnes, CNY (costs per
tonne in CNY/t), WGS84 degrees (EPSG:4326).

Data
    :func:`repo_root` (scenarios, notebooks), :func:`geodata_dir` (the shipped data)
Layouts and regions (GeoDataFrames)
    :func:`load_nodes`, :func:`get_layout`, :func:`layout_names`, :func:`load_corridors`,
    :func:`hubs`, :func:`nodes_by_role`, :func:`provenance`, :func:`load_roles`, :func:`resolve_node`,
    :func:`load_regions`, :func:`load_county_seats`, :func:`load_population`, :func:`province_of`
Network
    :func:`build_network`, :func:`cost_matrix` (:class:`CostMatrix`), :func:`route` (:class:`Route`),
    :func:`disrupt`, :func:`import_osm`, :func:`connect_city`, :func:`network_frames`,
    :func:`network_stats`
Scenarios and results
    :func:`load_scenario`, :func:`check_scenario`, :class:`Scenario`, :func:`modify_scenario`,
    :func:`solve_scenario` (:class:`RunResult`), :func:`write_run`, :func:`read_run`,
    :func:`result_frames`, :func:`run_summary`, :func:`kpi_table`, :func:`compare_runs`,
    :func:`shipped_scenarios`, :func:`scenario_path`, :func:`load_sweep`, :func:`run_sweep`
Maps (``folium.Map`` objects: they display inline in a notebook)
    :func:`layout_map`, :func:`result_map_of`, :func:`result_map`, :func:`run_map`,
    :func:`compare_map`, :func:`route_map`, :func:`save_map`
Export
    :func:`export_nodes`, :func:`export_network`
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from planner._lazy import lazy_names
from planner.errors import DataError, InfeasibleError, ModelError, PlannerError

__version__ = "0.1.0"

#: Public name -> (module, attribute in that module).
_LAZY: dict[str, tuple[str, str]] = {
    # data
    "geodata_dir": ("planner.paths", "geodata_dir"),
    "repo_root": ("planner.paths", "repo_root"),
    # layouts
    "HUB_TYPES": ("planner.layout", "HUB_TYPES"),
    "ROLES": ("planner.layout", "ROLES"),
    "get_layout": ("planner.layout", "get_layout"),
    "hubs": ("planner.layout", "hubs"),
    "layout_names": ("planner.layout", "layout_names"),
    "load_corridors": ("planner.layout", "load_corridors"),
    "load_nodes": ("planner.layout", "load_nodes"),
    "load_roles": ("planner.layout", "load_roles"),
    "nodes_by_role": ("planner.layout", "nodes_by_role"),
    "provenance": ("planner.layout", "provenance"),
    "resolve_node": ("planner.layout", "resolve_node"),
    # regions
    "load_county_seats": ("planner.regions", "load_county_seats"),
    "load_population": ("planner.regions", "load_population"),
    "load_regions": ("planner.regions", "load_regions"),
    "province_of": ("planner.regions", "province_of"),
    # network
    "CostMatrix": ("planner.network.matrix", "CostMatrix"),
    "Route": ("planner.network.routing", "Route"),
    "build_network": ("planner.network.build", "build_network"),
    "connect_city": ("planner.network.osm", "connect_city"),
    "cost_matrix": ("planner.network.matrix", "cost_matrix"),
    "disrupt": ("planner.network.disruption", "disrupt"),
    "export_network": ("planner.network.export", "export_network"),
    "import_osm": ("planner.network.osm", "import_osm"),
    "network_frames": ("planner.network.export", "network_frames"),
    "network_stats": ("planner.network.stats", "network_stats"),
    "route": ("planner.network.routing", "route"),
    # scenarios, results
    "RunResult": ("planner.scenario.run", "RunResult"),
    "Scenario": ("planner.scenario.schema", "Scenario"),
    "ScenarioError": ("planner.scenario.load", "ScenarioError"),
    "check_scenario": ("planner.scenario.load", "check_scenario"),
    "compare_runs": ("planner.compare", "compare_runs"),
    "kpi_table": ("planner.api", "kpi_table"),
    "load_scenario": ("planner.api", "load_scenario"),
    "modify_scenario": ("planner.api", "modify_scenario"),
    "read_run": ("planner.outputs", "read_run"),
    "result_frames": ("planner.outputs", "result_frames"),
    "run_summary": ("planner.outputs", "summary"),
    "scenario_path": ("planner.api", "scenario_path"),
    "shipped_scenarios": ("planner.api", "shipped_scenarios"),
    "solve_scenario": ("planner.api", "solve_scenario"),
    "write_run": ("planner.run_dir", "write_run"),
    "load_sweep": ("planner.sweep.spec", "load_sweep"),
    "run_sweep": ("planner.sweep.execute", "run_sweep"),
    # maps
    "compare_map": ("planner.maps.compare_maps", "compare_map"),
    "layout_map": ("planner.maps", "layout_map"),
    "result_map": ("planner.maps.run_maps", "result_map"),
    "result_map_of": ("planner.maps.run_maps", "result_map_of"),
    "route_map": ("planner.maps.routes", "route_map"),
    "run_map": ("planner.maps.run_maps", "run_map"),
    "save_map": ("planner.maps.base", "save_map"),
    # export
    "export_nodes": ("planner.export", "export_nodes"),
}

__all__ = [
    "CostMatrix",
    "DataError",
    "HUB_TYPES",
    "InfeasibleError",
    "ModelError",
    "PlannerError",
    "ROLES",
    "Route",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "__version__",
    "build_network",
    "check_scenario",
    "compare_map",
    "compare_runs",
    "connect_city",
    "cost_matrix",
    "disrupt",
    "export_network",
    "export_nodes",
    "geodata_dir",
    "get_layout",
    "hubs",
    "import_osm",
    "kpi_table",
    "layout_map",
    "layout_names",
    "load_corridors",
    "load_county_seats",
    "load_nodes",
    "load_population",
    "load_regions",
    "load_roles",
    "load_scenario",
    "load_sweep",
    "modify_scenario",
    "network_frames",
    "network_stats",
    "nodes_by_role",
    "provenance",
    "province_of",
    "read_run",
    "repo_root",
    "resolve_node",
    "result_frames",
    "result_map",
    "result_map_of",
    "route",
    "route_map",
    "run_map",
    "run_summary",
    "run_sweep",
    "save_map",
    "scenario_path",
    "shipped_scenarios",
    "solve_scenario",
    "write_run",
]


__getattr__, __dir__ = lazy_names(__name__, _LAZY)


if TYPE_CHECKING:  # for type checkers and IDEs; at run time the names come from __getattr__
    from planner.api import (
        kpi_table,
        load_scenario,
        modify_scenario,
        scenario_path,
        shipped_scenarios,
        solve_scenario,
    )
    from planner.compare import compare_runs
    from planner.export import export_nodes
    from planner.layout import (
        HUB_TYPES,
        ROLES,
        get_layout,
        hubs,
        layout_names,
        load_corridors,
        load_nodes,
        load_roles,
        nodes_by_role,
        provenance,
        resolve_node,
    )
    from planner.maps import layout_map
    from planner.maps.base import save_map
    from planner.maps.compare_maps import compare_map
    from planner.maps.routes import route_map
    from planner.maps.run_maps import result_map, result_map_of, run_map
    from planner.network.build import build_network
    from planner.network.disruption import disrupt
    from planner.network.export import export_network, network_frames
    from planner.network.matrix import CostMatrix, cost_matrix
    from planner.network.osm import connect_city, import_osm
    from planner.network.routing import Route, route
    from planner.network.stats import network_stats
    from planner.outputs import read_run, result_frames
    from planner.outputs import summary as run_summary
    from planner.paths import geodata_dir, repo_root
    from planner.regions import load_county_seats, load_population, load_regions, province_of
    from planner.run_dir import write_run
    from planner.scenario.load import ScenarioError, check_scenario
    from planner.scenario.run import RunResult
    from planner.scenario.schema import Scenario
    from planner.sweep.execute import run_sweep
    from planner.sweep.spec import load_sweep
