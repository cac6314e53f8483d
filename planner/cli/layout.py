"""``planner layout``: list, show and export the documented layouts."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from planner import layout as layout_api
from planner.cli._common import console, info, print_json
from planner.export import EXPORT_FORMATS, export_nodes


def _table(*headers: str, **kwargs) -> Table:
    """A table whose cells fold long CJK text instead of cutting it."""
    table = Table(**kwargs)
    for header in headers:
        table.add_column(header, overflow="fold")
    return table


layout_app = typer.Typer(
    help="The documented layouts: Xinjiang 1+8+N+1 and Gansu core/two domains/multi-point.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add the ``layout`` command group to the root app."""
    app.add_typer(layout_app, name="layout")


def _names(node_ids: tuple[str, ...] | list[str], nodes) -> str:
    return "、".join(f"{nodes.loc[n, 'name_zh']}" for n in node_ids)


def _cite(source: dict[str, str]) -> str:
    if not source:
        return ""
    return f"{source['document'][:3]}:L{source['lines']} {source.get('clause', '')}".strip()


@layout_app.command("list")
def list_layouts(
    nodes: bool = typer.Option(False, "--nodes", help="List every node with its roles instead."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """List the layouts and their components (or, with --nodes, every node)."""
    if nodes:
        frame = layout_api.load_nodes()
        if as_json:
            print_json(
                [
                    {
                        "id": r.id,
                        "name_zh": r.name_zh,
                        "name_en": r.name_en,
                        "province": r.province,
                        "lon": r.lon,
                        "lat": r.lat,
                        "roles": list(r.roles),
                    }
                    for r in frame.itertuples()
                ]
            )
            return
        table = _table("id", "名称", "name", "province", "roles", title=f"{len(frame)} nodes")
        for r in frame.itertuples():
            table.add_row(r.id, r.name_zh, r.name_en, r.province or r.country, ", ".join(r.roles))
        console.print(table)
        return
    layouts = [layout_api.get_layout(name) for name in layout_api.layout_names()]
    if as_json:
        print_json(
            [
                {
                    "id": lay.id,
                    "name_zh": lay.name_zh,
                    "name_en": lay.name_en,
                    "province": lay.province,
                    "components": {c.id: len(c.members) for c in lay.components.values()},
                }
                for lay in layouts
            ]
        )
        return
    table = _table("layout", "名称 / name", "components (nodes)")
    for lay in layouts:
        parts = ", ".join(f"{c.id} ({len(c.members)})" for c in lay.components.values())
        table.add_row(lay.id, f"{lay.name_zh}\n{lay.name_en}", parts)
    console.print(table)


@layout_app.command("show")
def show_layout(
    name: str = typer.Argument(..., help="Layout id: xinjiang or gansu."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """Print a layout's structure: components, groups and member cities in document order."""
    lay = layout_api.get_layout(name)
    nodes = layout_api.load_nodes().set_index("id")
    if as_json:
        print_json(
            {
                "id": lay.id,
                "name_zh": lay.name_zh,
                "name_en": lay.name_en,
                "source": lay.source,
                "components": [
                    {
                        "id": c.id,
                        "name_zh": c.name_zh,
                        "name_en": c.name_en,
                        "source": c.source,
                        "members": list(c.members),
                        "parts": {k: list(v) for k, v in c.parts.items()},
                        "attributes": c.attributes,
                        "groups": [
                            {
                                "id": g.id,
                                "name_zh": g.name_zh,
                                "name_en": g.name_en,
                                "members": list(g.members),
                                "parts": {k: list(v) for k, v in g.parts.items()},
                                **g.attributes,
                            }
                            for g in c.groups
                        ],
                    }
                    for c in lay.components.values()
                ],
            }
        )
        return
    table = _table(
        "component", "group", "members", "source", title=f"{lay.name_zh}\n{lay.name_en}", show_lines=True
    )
    for component in lay.components.values():
        label = f"{component.id}\n{component.name_zh}"
        if not component.groups:
            if component.parts:
                members = "\n".join(f"{part}: {_names(ids, nodes)}" for part, ids in component.parts.items())
            elif component.members:
                members = _names(component.members, nodes)
            else:
                members = f"(all county seats of {component.attributes.get('county_seats', lay.province)})"
            table.add_row(label, "", members, _cite(component.source))
            continue
        for index, group in enumerate(component.groups):
            if group.parts:
                members = "\n".join(f"{part}: {_names(ids, nodes)}" for part, ids in group.parts.items())
            else:
                members = _names(group.members, nodes)
            if group.attributes.get("outside_text"):
                members += "\n(outside the text)"
            title = f"{group.id}\n{group.name_zh}"
            if group.attributes.get("group"):
                title += f" [{group.attributes['group']}]"
            table.add_row(
                label if index == 0 else "",
                title,
                members,
                _cite(group.source or component.source) if index == 0 or group.source else "",
            )
    console.print(table)


@layout_app.command("node")
def show_node(
    name: str = typer.Argument(..., help="Node id, Chinese or English name."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """Print a node's roles with their provenance (document, clause, lines, words cited)."""
    roles = layout_api.provenance(name)
    node_id = layout_api.resolve_node(name)
    node = layout_api.load_nodes().set_index("id").loc[node_id]
    if as_json:
        print_json(
            {
                "id": node_id,
                "name_zh": node.name_zh,
                "name_en": node.name_en,
                "lon": node.lon,
                "lat": node.lat,
                "coord_source": node.coord_source,
                "coord_note": node.coord_note,
                "roles": roles.to_dict(orient="records"),
            }
        )
        return
    console.print(
        f"{node.name_zh} {node.name_en} ({node_id}) {node.lon:.5f}, {node.lat:.5f} [{node.coord_source}]"
    )
    if node.coord_note:
        console.print(f"  coordinate: {node.coord_note}")
    table = _table("role", "detail", "source", "cited as", "note")
    for r in roles.itertuples():
        source = "outside the text" if r.outside_text == "yes" else f"{r.document[:3]}:L{r.lines} {r.clause}"
        table.add_row(r.role, r.detail, source, r.cited_as, r.note)
    console.print(table)


@layout_app.command("export")
def export(
    out: Path = typer.Option(..., "--out", "-o", help="Output file."),
    fmt: str = typer.Option(
        None, "--format", "-f", help=f"One of {', '.join(EXPORT_FORMATS)} (default: from the suffix)."
    ),
    layout: str = typer.Option(
        None, "--layout", help="Only the nodes of this layout, with their component/group."
    ),
) -> None:
    """Write the nodes with every attribute (and corridors, for gpkg) to GeoJSON, GeoPackage or CSV."""
    path = export_nodes(out, fmt, layout)
    info(f"wrote {path}")
