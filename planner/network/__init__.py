"""The multimodal freight network of Xinjiang and Gansu (road, rail, air, border crossings).

Build it with :func:`build_network`; compute cost matrices with :func:`cost_matrix` (scipy
``csgraph`` Dijkstra from the origins only), single routes with :func:`route` (many with :func:`routes_between`, a known path with
:func:`route_along`), disrupted copies with
:func:`disrupt` (places, route stretches, routes and corridors by id or name; :func:`resolve_route`,
:func:`route_table`), and city street networks from OpenStreetMap with :func:`import_osm` /
:func:`connect_city`, and its size by mode and province with :func:`network_stats`. Units: lengths in km (``length`` in metres, the osmnx convention), times in
hours, costs in CNY per tonne.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from planner._lazy import lazy_names

#: Public name -> defining module; imported on first use, so ``planner.network.places`` (name lookups of
#: ``planner validate``) does not load networkx and scipy.
_LAZY = {
    "build_network": "planner.network.build",
    "clear_cache": "planner.network.build",
    "place_node": "planner.network.build",
    "resolve_route": "planner.network.catalog",
    "route_table": "planner.network.catalog",
    "disrupt": "planner.network.disruption",
    "CostMatrix": "planner.network.matrix",
    "cost_matrix": "planner.network.matrix",
    "connect_city": "planner.network.osm",
    "import_osm": "planner.network.osm",
    "place_table": "planner.network.places",
    "resolve_place": "planner.network.places",
    "Route": "planner.network.routing",
    "route": "planner.network.routing",
    "route_along": "planner.network.routing",
    "routes_between": "planner.network.routing",
    "network_stats": "planner.network.stats",
}

if TYPE_CHECKING:
    from planner.network.build import build_network, clear_cache, place_node
    from planner.network.catalog import resolve_route, route_table
    from planner.network.disruption import disrupt
    from planner.network.matrix import CostMatrix, cost_matrix
    from planner.network.osm import connect_city, import_osm
    from planner.network.places import place_table, resolve_place
    from planner.network.routing import Route, route, route_along, routes_between
    from planner.network.stats import network_stats


__getattr__, __dir__ = lazy_names(__name__, _LAZY)

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
    "route_along",
    "route_table",
    "routes_between",
]
