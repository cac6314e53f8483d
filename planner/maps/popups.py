"""Popup contents: a node with its names, roles and provenance; a component or corridor with its source.

Everything is built with the escaping helpers of :mod:`planner.maps.html`, so names from the data are
always shown as text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from planner.documents import document_label, short_cite
from planner.layout import HUB_TYPES, ROLES
from planner.maps.html import Html, bilingual, join, table, tag

__all__ = ["ROLE_NAMES_ZH", "cite", "document_label", "node_popup", "short_cite", "source_popup"]

#: Chinese names of the node roles (the English descriptions are :data:`planner.layout.ROLES`).
ROLE_NAMES_ZH: dict[str, str] = {
    "cluster_core": "核心",
    "national_hub": "国家物流枢纽",
    "agglomeration_area_member": "集聚区成员",
    "support_node": "支撑节点",
    "border_port": "口岸",
    "regional_logistics_centre": "区域物流中心",
    "logistics_node": "物流节点",
    "international_land_port": "国际陆港",
    "international_airport": "国际空港",
    "air_logistics_base": "航空物流基地",
    "airport": "机场",
    "rail_container_centre": "铁路集装箱中心站",
    "bulk_commodity_storage_base": "大宗商品储备基地",
    "cold_chain_base_candidate": "国家骨干冷链物流基地（争取）",
    "cold_chain_project": "冷链项目",
    "emergency_reserve_centre": "应急物资储备库或储运中心",
    "grain_oil_emergency_centre": "成品粮油应急保障中心",
    "grain_emergency_storage": "粮油应急仓储设施",
    "strategic_reserve_base": "战略物资储备基地（争取）",
    "international_distribution_centre": "国际分拨中心",
    "suburban_warehouse_base": "城郊仓储基地",
    "overseas_warehouse": "海外仓",
    "corridor_node": "通道节点",
}


def cite(source: Mapping[str, Any]) -> Html:
    """``document clause L<lines>`` for a ``source`` mapping (document, clause, lines)."""
    if not source:
        return Html("")
    parts = [document_label(str(source.get("document", "")))]
    if source.get("clause"):
        parts.append(str(source["clause"]))
    if source.get("lines"):
        parts.append(f"L{source['lines']}")
    return join(parts, " ")


def _role_label(role: str, detail: str) -> Html:
    zh = ROLE_NAMES_ZH.get(role, role)
    en = ROLES.get(role, role).split(" (")[0]
    if role == "national_hub" and detail:
        hub = HUB_TYPES.get(detail, detail)
        return join([bilingual(zh, en), tag("div", hub)])
    if detail:
        return join([bilingual(zh, en), tag("div", detail, "pl-cite")])
    return bilingual(zh, en)


def _role_source(row: Any) -> Html:
    parts: list[Html] = []
    if row.document:
        parts.append(cite({"document": row.document, "clause": row.clause, "lines": row.lines}))
    if row.cited_as:
        parts.append(tag("div", f"「{row.cited_as}」"))
    if row.outside_text == "yes":
        parts.append(tag("div", f"文外补充 outside the text: {row.note}", "pl-out"))
    elif row.note:
        parts.append(tag("div", row.note, "pl-cite"))
    return join(parts)


def node_popup(node: Mapping[str, Any], roles: pd.DataFrame, extra: Iterable[Html | str] = ()) -> Html:
    """Popup for a node: names, id, kind, coordinates and every role with its provenance.

    ``node`` is a row of :func:`planner.layout.load_nodes` (as a mapping); ``roles`` the rows of
    :func:`planner.layout.load_roles` for this node; ``extra`` lines go under the title.
    """
    title = tag("div", bilingual(node.get("name_zh", ""), node.get("name_en", "")), "pl-pop-title")
    where = [
        str(node.get("id", "")),
        str(node.get("kind", "")),
        str(node.get("province", "") or node.get("country", "")),
    ]
    lines = [title, tag("div", " · ".join(w for w in where if w), "pl-pop-sub")]
    lines += [tag("div", item) for item in extra]
    if len(roles):
        rows = [(_role_label(r.role, r.detail), _role_source(r)) for r in roles.itertuples()]
        lines.append(table([bilingual("角色", "Role"), bilingual("出处", "Source")], rows))
    coord = (
        f"{float(node.get('lon', 0)):.4f}E, {float(node.get('lat', 0)):.4f}N · {node.get('coord_source', '')}"
    )
    lines.append(tag("div", coord, "pl-cite"))
    if node.get("coord_note"):
        lines.append(tag("div", node["coord_note"], "pl-cite"))
    return tag("div", join(lines), "pl-pop")


def source_popup(
    name_zh: str,
    name_en: str,
    source: Mapping[str, Any],
    lines: Iterable[Html | str] = (),
    *,
    outside_text: bool = False,
    note: str = "",
) -> Html:
    """Popup for a component, group or corridor: its names, free lines and where the text states it."""
    parts = [tag("div", bilingual(name_zh, name_en), "pl-pop-title")]
    parts += [tag("div", line) for line in lines]
    if source:
        parts.append(tag("div", join([bilingual("出处", "Source"), ": ", cite(source)]), "pl-cite"))
    if outside_text:
        parts.append(
            tag("div", f"文外补充/估计 outside the text or estimated: {note}".rstrip(": "), "pl-out")
        )
    elif note:
        parts.append(tag("div", note, "pl-cite"))
    return tag("div", join(parts), "pl-pop")
