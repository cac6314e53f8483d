"""Maps of single routes over the freight network (:func:`planner.network.route` results).

:func:`route_map` draws one layer per route, with the shipped boundaries as background: compare the
road and rail routes between two places, or a route before and after a disruption. Every label is
escaped (see :mod:`planner.maps.html`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import folium

from planner.errors import PlannerError
from planner.maps.base import LegendItem, new_map, planner_state
from planner.maps.boundaries import add_boundaries

if TYPE_CHECKING:
    from planner.network.routing import Route

__all__ = ["ROUTE_COLOURS", "route_map", "route_text"]

#: Colours of the routes, in order (they repeat after six routes).
ROUTE_COLOURS = ["#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f"]


def route_text(label: str, found: Route) -> str:
    """The one-line description a route's tooltip shows: km, hours, CNY per tonne and the routes passed.

    ``"公路: 1,474 km, 22.5 h, 1,004 CNY/t refrigerated; G30 - G3012"`` (km and CNY/t rounded to whole
    numbers, hours to 0.1).
    """
    passed = " - ".join(found.routes) or "-"
    return (f"{label}: {found.distance_km:,.0f} km, {found.time_h:.1f} h, "
            f"{found.cost_reefer_cny_per_t:,.0f} CNY/t refrigerated; {passed}")  # fmt: skip


def route_map(
    routes: Mapping[str, Route] | Sequence[Route],
    *,
    title: str = "路线",
    basemap: str = "none",
) -> folium.Map:
    """Routes from :func:`planner.network.route` on an offline map, one layer (and legend row) per route.

    ``routes`` maps labels to routes, or is a list (labels are then ``origin -> destination``). Each
    route is drawn along its links, with its two ends marked; hovering shows :func:`route_text` (km,
    hours, refrigerated cost in CNY per tonne, routes passed). ``title`` heads the map; ``basemap`` is
    ``none`` (shipped boundaries only, no network needed), ``osm``, ``gaode`` or ``tianditu``. Returns a
    :class:`folium.Map` (shown inline in a notebook; :func:`planner.maps.save_map` writes it). Raises
    :class:`PlannerError` when ``routes`` is empty.
    """
    items = list(routes.items()) if isinstance(routes, Mapping) else [(f"{r.origin} -> {r.destination}", r) for r in routes]
    if not items:
        raise PlannerError("route_map: give at least one route")
    m = new_map(title, "Routes", basemap=basemap)
    state = planner_state(m)
    add_boundaries(state)
    legend = []
    for index, (label, found) in enumerate(items):
        colour = ROUTE_COLOURS[index % len(ROUTE_COLOURS)]
        layer = state.add_layer(f"route_{index}", str(label))
        text = route_text(str(label), found)
        if found.geometry is not None and not found.geometry.is_empty:
            layer.add_geometry(found.geometry, style={"color": colour, "opacity": 0.85}, weight=4, tooltip=text)
            for lon, lat in (found.geometry.coords[0], found.geometry.coords[-1]):
                layer.add_point(lon, lat, style={"color": "#ffffff", "weight": 1.5, "fillColor": colour, "fillOpacity": 1},
                                radius=6, tooltip=text)  # fmt: skip
        legend.append(LegendItem("ln", {"color": colour, "weight": 4}, str(label)))
    state.add_legend("路线", "Routes", legend)
    return m
