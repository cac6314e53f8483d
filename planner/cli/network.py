"""``planner network``: statistics, routes, export and OpenStreetMap import for the freight network."""

from __future__ import annotations

from pathlib import Path

import typer

from planner.cli._common import console, info, print_json
from planner.errors import PlannerError

network_app = typer.Typer(help="The multimodal freight network (road, rail, air, border crossings).",
                          no_args_is_help=True)  # fmt: skip

EXPORT_FORMATS = ("gpkg", "geojson", "graphml")


def register(app: typer.Typer) -> None:
    """Add the ``network`` command group to the root app."""
    app.add_typer(network_app, name="network")


def _split(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for value in values or []:
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return out


@network_app.command("stats")
def stats(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Nodes, links and km by mode and by province."""
    from planner.network.stats import network_stats

    result = network_stats()
    if as_json:
        print_json(result)
        return
    console.print(f"network: {result['nodes']} nodes, {result['links']} directed links")
    for mode, e in result["by_mode"].items():
        console.print(f"  {mode:9s} nodes {e['nodes']:5d}  links {e['links']:5d}  km {e['km']:10.1f}")
    console.print("km by province (link midpoints):")
    for name, modes in sorted(result["km_by_province"].items()):
        parts = ", ".join(f"{m} {km:.0f}" for m, km in modes.items() if km)
        console.print(f"  {name}: {parts}")


@network_app.command("route")
def route_cmd(
    origin: str = typer.Argument(..., help="Origin: id, Chinese or English name."),
    destination: str = typer.Argument(..., help="Destination: id, Chinese or English name."),
    mode: list[str] = typer.Option(
        ["road"], "--mode", "-m", help="Allowed modes (road, rail, air); repeat or comma-separate."
    ),
    weight: str = typer.Option("cost", "--weight", help="cost (generalized), time or distance."),
    close_node: list[str] = typer.Option(None, "--close-node", help="Close a place (disruption)."),
    close_route: list[str] = typer.Option(None, "--close-route", help="Close a route id, e.g. G30."),
    close_port: list[str] = typer.Option(None, "--close-port", help="Close a border port's crossings."),
    close_corridor: list[str] = typer.Option(None, "--close-corridor", help="Close a corridor id."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Route between two places: km, hours, cost per tonne (ambient/refrigerated), routes passed."""
    from planner.network import build_network, disrupt, route

    graph = build_network()
    closures = {"nodes": _split(close_node), "routes": _split(close_route),
                "border_ports": _split(close_port), "corridors": _split(close_corridor)}  # fmt: skip
    if any(closures.values()):
        graph = disrupt(graph, **closures)
    r = route(graph, origin, destination, modes=tuple(_split(mode)), weight=weight)
    if as_json:
        print_json(r.as_dict())
        return
    names = " -> ".join(
        f"{rid} {zh}" if zh and rid != zh else rid
        for rid, zh in zip(r.routes, r.route_names_zh, strict=False)
    )
    console.print(f"{r.origin} -> {r.destination} by {'+'.join(r.modes_used)}")
    console.print(f"  distance {r.distance_km:.1f} km, time {r.time_h:.1f} h")
    console.print(
        f"  cost {r.cost_ambient_cny_per_t:.1f} CNY/t ambient, {r.cost_reefer_cny_per_t:.1f} CNY/t refrigerated"
    )
    console.print(f"  routes: {names}")


@network_app.command("export")
def export_cmd(
    fmt: str = typer.Option(..., "--format", "-f", help="gpkg, geojson or graphml."),
    out: Path = typer.Option(..., "--out", "-o", help="Output file (written atomically)."),
) -> None:
    """Export the network (nodes and links) to GeoPackage, GeoJSON or GraphML."""
    from planner.network import build_network
    from planner.network.export import export_network

    if fmt not in EXPORT_FORMATS:
        raise PlannerError(f"unknown format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    path = export_network(build_network(), out, fmt)
    info(f"wrote {path}")


@network_app.command("import-osm")
def import_osm_cmd(
    file: Path = typer.Argument(..., help="OpenStreetMap XML extract (.osm)."),
    city: str = typer.Option(..., "--city", help="The city (place id or name) the streets belong to."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Import a city's streets from an OSM XML file and show where they join the trunk network."""
    from planner.network import build_network, connect_city, import_osm

    streets = import_osm(file, city)
    joined = connect_city(build_network(), streets, city)
    conn = joined.graph["city_connection"]
    km = sum(d["length_km"] for _, _, d in streets.edges(data=True))
    result = {
        "file": str(file), "city": streets.graph["city"], "osm_nodes": streets.number_of_nodes(),
        "osm_links": streets.number_of_edges(), "street_km": round(km, 3),
        "trunk_node": conn["trunk_node"], "osm_node": conn["osm_node"],
        "connector_km": round(conn["length_km"], 3),
    }  # fmt: skip
    if as_json:
        print_json(result)
        return
    console.print(
        f"imported {result['osm_nodes']} OSM nodes and {result['osm_links']} street links "
        f"({result['street_km']:.2f} km) for {result['city']}"
    )
    console.print(
        f"connected at trunk node {result['trunk_node']} <-> {result['osm_node']} ({result['connector_km']:.2f} km)"
    )
