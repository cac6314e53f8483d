"""``planner layout``: list, show and export the documented layouts."""

from __future__ import annotations

from pathlib import Path

import typer

from planner.cli._common import console, info, print_json
from planner.cli._i18n import h, say
from planner.cli._tables import table as _new_table

EXPORT_FORMATS = ("geojson", "gpkg", "csv")


def _table(*headers: str, rows: list[tuple[object, ...]], **kwargs: object) -> object:
    """A table that never breaks an id or an English word (see :mod:`planner.cli._tables`)."""
    return _new_table(headers, rows, **kwargs)


layout_app = typer.Typer(
    short_help=h("The documented layouts of Xinjiang and Gansu.", "新疆和甘肃文件所载的布局。"),
    help=h("The documented layouts: Xinjiang 1+8+N+1 and Gansu core/two domains/multi-point.",
           "文件所载的布局：新疆“1+8+N+1”和甘肃“核心驱动、双域协同、多点延展”。"),
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add the ``layout`` command group to the root app."""
    app.add_typer(layout_app, name="layout")


def _names(node_ids: tuple[str, ...] | list[str], nodes) -> str:
    return "、".join(f"{nodes.loc[n, 'name_zh']}" for n in node_ids)


def _cite(source: dict[str, str]) -> str:
    from planner.documents import short_cite

    if not source:
        return ""
    return f"{short_cite(source)} {source.get('clause', '')}".strip()


@layout_app.command("list", help=h("List the layouts and their components (or, with --nodes, every node).",
                                   "列出各布局及其组成部分（加 --nodes 则列出全部节点）。"))
def list_layouts(
    nodes: bool = typer.Option(False, "--nodes", help=h("List every node with its roles instead.", "改为列出每个节点及其角色。")),
    as_json: bool = typer.Option(False, "--json", help=h("Print JSON for scripts.", "输出供脚本使用的 JSON。")),
) -> None:
    from planner import layout as layout_api

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
        rows = [(r.id, r.name_zh, r.name_en, r.province or r.country, ", ".join(r.roles)) for r in frame.itertuples()]
        console.print(_table("id", say("name (Chinese)", "名称"), say("name", "英文名称"), say("province", "省份"), say("roles", "角色"),
                             rows=rows, title=say(f"{len(frame)} nodes", f"{len(frame)} 个节点")))
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
    rows = [(lay.id, f"{lay.name_zh}\n{lay.name_en}", ", ".join(f"{c.id} ({len(c.members)})" for c in lay.components.values()))
            for lay in layouts]
    console.print(_table(say("layout", "布局"), say("name", "名称"), say("components (nodes)", "组成部分（节点数）"), rows=rows))


@layout_app.command("show", help=h("Print a layout's structure: components, groups and member cities in document order.",
                                   "按文件顺序显示布局结构：组成部分、分组和成员城市。"))
def show_layout(
    name: str = typer.Argument(..., help=h("Layout id: xinjiang or gansu.", "布局编号：xinjiang 或 gansu。")),
    as_json: bool = typer.Option(False, "--json", help=h("Print JSON for scripts.", "输出供脚本使用的 JSON。")),
) -> None:
    from planner import layout as layout_api

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
    rows: list[tuple[object, ...]] = []
    for component in lay.components.values():
        label = f"{component.id}\n{component.name_zh}"
        if not component.groups:
            if component.parts:
                members = "\n".join(f"{part}: {_names(ids, nodes)}" for part, ids in component.parts.items())
            elif component.members:
                members = _names(component.members, nodes)
            else:
                members = say(f"(all county seats of {component.attributes.get('county_seats', lay.province)})",
                              f"（{component.attributes.get('county_seats', lay.province)} 的全部县城）")
            rows.append((label, "", members, _cite(component.source)))
            continue
        for index, group in enumerate(component.groups):
            if group.parts:
                members = "\n".join(f"{part}: {_names(ids, nodes)}" for part, ids in group.parts.items())
            else:
                members = _names(group.members, nodes)
            if group.attributes.get("outside_text"):
                members += say("\n(outside the text)", "\n（文外补充）")
            title = f"{group.id}\n{group.name_zh}"
            if group.attributes.get("group"):
                title += f" [{group.attributes['group']}]"
            rows.append((
                label if index == 0 else "",
                title,
                members,
                _cite(group.source or component.source) if index == 0 or group.source else "",
            ))
    console.print(_table(say("component", "组成部分"), say("group", "分组"), say("members", "成员"), say("source", "出处"),
                         rows=rows, title=f"{lay.name_zh}\n{lay.name_en}", show_lines=True))


@layout_app.command("node", help=h("Print a node's roles with their provenance (document, clause, lines, words cited).",
                                   "显示节点的角色及其出处（文件、条款、行号、原文）。"))
def show_node(
    name: str = typer.Argument(..., help=h("Node id, Chinese or English name.", "节点编号、中文名或英文名。")),
    as_json: bool = typer.Option(False, "--json", help=h("Print JSON for scripts.", "输出供脚本使用的 JSON。")),
) -> None:
    from planner import layout as layout_api
    from planner.documents import short_cite

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
        f"{node.name_zh} {node.name_en} ({node_id}) {node.lon:.5f}, {node.lat:.5f} [{node.coord_source}]", markup=False, highlight=False
    )
    if node.coord_note:
        console.print(f"  {say('coordinate', '坐标')}: {node.coord_note}", markup=False, highlight=False)
    rows = []
    for r in roles.itertuples():
        source = say("outside the text", "文外补充") if r.outside_text == "yes" else f"{short_cite({'document': r.document, 'lines': r.lines})} {r.clause}"
        rows.append((r.role, r.detail, source, r.cited_as, r.note))
    console.print(_table(say("role", "角色"), say("detail", "细分"), say("source", "出处"), say("cited as", "原文"), say("note", "备注"), rows=rows))


@layout_app.command("export", help=h("Write the nodes with every attribute (and corridors, for gpkg) to GeoJSON, GeoPackage or CSV.",
                                     "将节点及其全部属性（gpkg 另含通道）写出为 GeoJSON、GeoPackage 或 CSV。"))
def export(
    out: Path = typer.Option(..., "--out", "-o", help=h("Output file.", "输出文件。")),
    fmt: str = typer.Option(
        None, "--format", "-f", help=h(f"One of {', '.join(EXPORT_FORMATS)} (default: from the suffix).",
                                      f"{'、'.join(EXPORT_FORMATS)} 之一（默认按文件后缀）。")
    ),
    layout: str = typer.Option(
        None, "--layout", help=h("Only the nodes of this layout, with their component/group.", "只导出该布局的节点，并附其组成部分/分组。")
    ),
) -> None:
    from planner.export import export_nodes

    path = export_nodes(out, fmt, layout)
    info(f"{say('wrote', '已写出')} {path}")
