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


def _stretch(text: str) -> dict[str, str]:
    parts = [p.strip() for p in text.replace("：", ":").split(":")]
    if len(parts) != 3 or not all(parts):
        raise PlannerError(f"--close-link {text!r}: write ROUTE:FROM:TO, e.g. G30:武威:张掖")
    return {"route": parts[0], "from": parts[1], "to": parts[2]}


@network_app.command("routes")
def routes_cmd(
    mode: str = typer.Option(None, "--mode", "-m", help="Only this mode: road, rail, air or crossing."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List the routes: id, Chinese and English name, mode, class and endpoints (ids work in closures)."""
    from planner.network.catalog import route_table
    from planner.network.data import MODES

    if mode is not None and mode not in MODES:
        raise PlannerError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
    table = route_table(mode)
    if as_json:
        print_json(table.to_dict(orient="records"))
        return
    for row in table.itertuples(index=False):
        freight = "" if row.freight else "  (passenger only: no freight)"
        console.print(
            f"{row.id:14s} {row.name_zh} / {row.name_en}  [{row.mode}, {row[4]}]  "
            f"{row.from_zh or row.from_en} - {row.to_zh or row.to_en}{freight}",
            markup=False, highlight=False, soft_wrap=True,
        )
    console.print(f"{len(table)} routes", markup=False)


@network_app.command("corridors")
def corridors_cmd(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the corridors and channels of corridors.yaml: id, names and the places they run through."""
    from planner import layout

    table = layout.load_corridors()
    rows = [
        {"id": r.id, "name_zh": r.name_zh, "name_en": r.name_en, "kind": r.kind, "from": r.node_ids[0],
         "to": r.node_ids[-1], "places_zh": r.names_zh}
        for r in table.itertuples(index=False)
    ]  # fmt: skip
    if as_json:
        print_json(rows)
        return
    for row in rows:
        console.print(
            f"{row['id']:36s} {row['name_zh']} / {row['name_en']}  [{row['kind']}]  {row['places_zh']}",
            markup=False, highlight=False, soft_wrap=True,
        )
    console.print(f"{len(rows)} corridors", markup=False)


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
    close_corridor: list[str] = typer.Option(None, "--close-corridor", help="Close a corridor id or name."),
    close_link: list[str] = typer.Option(
        None, "--close-link", help="Close a stretch of a route: ROUTE:FROM:TO, e.g. G30:武威:张掖."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Route between two places: km, hours, cost per tonne (ambient/refrigerated), routes passed."""
    from planner.network import build_network, disrupt, route

    graph = build_network()
    closures = {"nodes": _split(close_node), "routes": _split(close_route),
                "border_ports": _split(close_port), "corridors": _split(close_corridor),
                "links": [_stretch(text) for text in close_link or []]}  # fmt: skip
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
