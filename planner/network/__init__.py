"""The multimodal freight network of Xinjiang and Gansu (road, rail, air, border crossings).

Build it with :func:`build_network`; compute cost matrices with :func:`cost_matrix` (scipy
``csgraph`` Dijkstra from the origins only), single routes with :func:`route`, disrupted copies with
:func:`disrupt` (places, route stretches, routes and corridors by id or name; :func:`resolve_route`,
:func:`route_table`), and city street networks from OpenStreetMap with :func:`import_osm` /
:func:`connect_city`, and its size by mode and province with :func:`network_stats`. Units: lengths in km (``length`` in metres, the osmnx convention), times in
hours, costs in CNY per tonne.
"""

from __future__ import annotations

from planner.network.build import build_network, clear_cache, place_node
from planner.network.catalog import resolve_route, route_table
from planner.network.disruption import disrupt
from planner.network.matrix import CostMatrix, cost_matrix
from planner.network.osm import connect_city, import_osm
from planner.network.places import place_table, resolve_place
from planner.network.routing import Route, route
from planner.network.stats import network_stats

__all__ = [
    "CostMatrix",
    "Route",
    "build_network",
    "clear_cache",
    "connect_city",
    "cost_matrix",
    "disrupt",
    "import_osm",
    "network_stats",
    "place_node",
    "place_table",
    "resolve_place",
    "resolve_route",
    "route",
    "route_table",
]
