"""Maps without a browser: folium maps, offline HTML, escaping, CSP, GCJ-02, basemaps, CLI, shipped maps."""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import re
from pathlib import Path

import folium
import numpy as np
import pytest

from planner import layout as layout_api
from planner.cli import main
from planner.errors import PlannerError
from planner.maps import LegendItem, new_map, offline, planner_state, render_html, save_map
from planner.maps.basemaps import get_basemap
from planner.maps.coords import ChinaMask, in_china_bbox, wgs84_to_gcj02
from planner.maps.html import Html, esc, join
from planner.maps.layouts import LAYOUT_MAPS, layout_map

REPO = Path(__file__).resolve().parents[1]
#: Hostile names: HTML injection, template-literal injection, breaking out of a literal, closing the script.
XSS = "<img src=x onerror=alert(1)>"
XSS_TEMPLATE = "${alert(1)}"
XSS_BACKTICK = "`);alert(1);(`"
XSS_SCRIPT = "</script><script>alert(1)</script>"
HOSTILE = [XSS, XSS_TEMPLATE, XSS_BACKTICK, XSS_SCRIPT]


def own_code(html: str) -> str:
    """The page without the vendored libraries and the viewer script (what the map itself generated)."""
    for asset in (
        offline.leaflet_js(), offline.leaflet_css(), offline.jquery_js(),
        offline.static_asset("planner.js"), offline.static_asset("planner.css"),
    ):  # fmt: skip
        html = html.replace(asset, "")
    return html


def features(m: folium.Map, layer_id: str) -> list[dict]:
    return planner_state(m).layers[layer_id].features()


@pytest.fixture(scope="module")
def built() -> dict[str, folium.Map]:
    layout_api.clear_caches()
    return {name: layout_map(name) for name in LAYOUT_MAPS}


@pytest.fixture(scope="module")
def rendered(built: dict[str, folium.Map]) -> dict[str, str]:
    return {name: render_html(m) for name, m in built.items()}


# ------------------------------------------------------------------------------------------- folium


def test_layout_maps_are_folium_maps(built: dict[str, folium.Map]) -> None:
    for name, m in built.items():
        assert isinstance(m, folium.Map), name
        children = list(m._children.values())
        groups = [c for c in children if isinstance(c, folium.FeatureGroup)]
        assert groups and all(
            any(isinstance(g, folium.GeoJson) for g in group._children.values()) for group in groups
        )
        control = [c for c in children if isinstance(c, folium.LayerControl)]
        assert len(control) == 1 and children.index(control[0]) > max(children.index(g) for g in groups)
        assert m.control_scale
    # Rendering is reproducible: the same data gives the same bytes.
    assert render_html(layout_map("emergency")) == render_html(layout_map("emergency"))


def test_plain_folium_map_takes_result_layers(tmp_path: Path) -> None:
    import pandas as pd

    from planner.maps.results import add_facilities

    m = folium.Map(location=[40, 90], zoom_start=5, tiles=None)
    facilities = pd.DataFrame(
        {"id": ["f1"], "name_zh": [XSS], "name_en": ["x"], "lon": [87.6], "lat": [43.8], "status": ["open"]}
    )
    add_facilities(m, facilities)
    path = save_map(m, tmp_path / "plain.html")
    html = path.read_text(encoding="utf-8")
    assert offline.external_references(html) == [] and "cdn" not in own_code(html).lower()
    assert "<img" not in html and planner_state(m).counts() == {"facilities": 1}


# ------------------------------------------------------------------------------------- offline


def test_layout_maps_load_nothing_from_outside(rendered: dict[str, str]) -> None:
    for name, html in rendered.items():
        assert offline.external_references(html) == [], name
        rest = own_code(html)
        urls = set(re.findall(r"https?://[^\s\"'<>)]+", rest))
        assert urls == set(), (name, urls)
        assert "sourceMappingURL" not in html
        assert "cdn" not in rest.lower() and "<link" not in html
        assert offline.jquery_js()[:200] not in html  # no folium Popup: no jQuery


def test_save_map_refuses_cdn_assets(tmp_path: Path) -> None:
    from folium.plugins import Fullscreen

    m = new_map("t")
    Fullscreen().add_to(m)
    target = tmp_path / "m.html"
    with pytest.raises(PlannerError, match="outside the page"):
        save_map(m, target)
    assert list(tmp_path.iterdir()) == []


def test_folium_popup_gets_vendored_jquery_and_stays_inert() -> None:
    m = new_map("t")
    layer = planner_state(m).add_layer("x", "x")
    marker = folium.CircleMarker([43.8, 87.6], radius=5)
    folium.Popup(join(["名称 ", *HOSTILE]), parse_html=False).add_to(
        marker
    )  # escaped Html in a `...` literal
    marker.add_to(layer)
    html = render_html(m)
    assert offline.jquery_js()[:200] in html
    rest = own_code(html)
    assert "${" not in rest and "`);" not in rest and "<img" not in rest
    assert "&#36;{alert(1)}" in rest and "&#96;);alert(1);(&#96;" in rest


def test_external_reference_checker_finds_cdn_links() -> None:
    page = (
        '<link rel="stylesheet" href="https://cdn.example.org/x.css">'
        "<script src='https://cdn.example.org/x.js'></script>"
        '<img src="//example.org/a.png"><style>@import "https://f.example/y.css";'
        ".a{background:url(https://example.org/i.png)} .b{background:url(data:image/png;base64,AA)}</style>"
        '<a href="https://leafletjs.com">a link loads nothing</a>'
    )
    found = offline.external_references(page)
    assert found == [
        "https://cdn.example.org/x.css",
        "https://cdn.example.org/x.js",
        "//example.org/a.png",
        "https://example.org/i.png",
        "https://f.example/y.css",
    ]


def test_leaflet_is_inlined_with_its_images(rendered: dict[str, str]) -> None:
    html = rendered["xinjiang"]
    assert offline.leaflet_js().strip()[:200] in html
    assert "url(data:image/png;base64," in html
    assert "images/layers.png" not in html
    assert "BSD 2-Clause" in (offline.VENDOR_DIR / "leaflet" / "LICENSE").read_text()
    assert (
        "MIT" in (offline.VENDOR_DIR / "jquery" / "LICENSE.txt").read_text()
        or "Permission is hereby granted" in (offline.VENDOR_DIR / "jquery" / "LICENSE.txt").read_text()
    )


def test_page_has_a_strict_content_security_policy(rendered: dict[str, str]) -> None:
    html = rendered["gansu"]
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert html.index("Content-Security-Policy") < html.index("<script")
    policy = policy.replace("&#x27;", "'")
    assert "default-src 'none'" in policy and "img-src data:;" in policy
    script_src = policy.split("script-src")[1].split(";")[0]
    assert "unsafe-inline" not in script_src
    scripts = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    assert len(scripts) == html.count("<script") >= 3
    for code in scripts:
        digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in script_src


def test_json_for_script_cannot_close_the_element_or_open_a_template() -> None:
    value = {"name": "</script><script>alert(1)</script><!-- \u2028 & é 乌鲁木齐 ${x} `y`"}
    text = offline.json_for_script(value)
    for char in "<>&\u2028`$":
        assert char not in text
    assert json.loads(text) == value


def test_inline_js_refuses_a_closing_tag() -> None:
    with pytest.raises(ValueError):
        offline.inline_js("var a = '</script>';")


# ------------------------------------------------------------------------------------ escaping


def test_esc_and_join() -> None:
    assert esc(XSS) == "&lt;img src=x onerror=alert(1)&gt;"
    assert esc(XSS_TEMPLATE) == "&#36;{alert(1)}"
    assert esc(XSS_BACKTICK) == "&#96;);alert(1);(&#96;"
    assert esc(Html("<b>x</b>")) == "<b>x</b>"
    assert join(["<a>", Html("<br>")], "&") == "&lt;a&gt;&amp;<br>"


def _poison_nodes(geodata: Path, names: dict[str, tuple[str, str]]) -> None:
    path = geodata / "nodes.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
        fields = list(rows[0].keys())
    for row in rows:
        if row["id"] in names:
            row["name_zh"], row["name_en"] = names[row["id"]]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    layout_api.clear_caches()


def test_hostile_node_names_are_escaped_everywhere(geodata_copy: Path) -> None:
    _poison_nodes(geodata_copy, {"urumqi": (XSS, XSS_SCRIPT), "kashgar": (XSS_TEMPLATE, XSS_BACKTICK)})
    for name in ("xinjiang", "corridors"):
        m = layout_map(name)
        html = render_html(m)
        rest = own_code(html)
        assert "<img" not in html and "alert(1)</script>" not in html
        assert html.count("</script>") == html.count("<script>")  # nothing closes a script early
        # No template-literal syntax anywhere in the generated code, even with these names.
        assert "`" not in rest and "${" not in rest
        shown = [
            f["properties"].get(key, "")
            for layer in planner_state(m).layers.values()
            for f in layer.features()
            for key in ("pop", "tip", "lbl")
        ]
        assert any("&lt;img src=x onerror=alert(1)&gt;" in text for text in shown)
        assert any("&lt;/script&gt;" in text for text in shown)
        assert any("&#36;{alert(1)}" in text for text in shown)
        assert any("&#96;);alert(1);(&#96;" in text for text in shown)
        assert not any("<img" in text or "`" in text or "${" in text for text in shown)
        # The search index is plain text (the viewer shows it with textContent).
        entry = next(e for e in planner_state(m).search.entries if e["id"] == "urumqi")
        assert entry["zh"] == XSS and entry["en"] == XSS_SCRIPT
    layout_api.clear_caches()


def test_hostile_layer_and_legend_text_is_escaped() -> None:
    m = new_map(XSS, XSS_BACKTICK, subtitle_zh=XSS_TEMPLATE)
    state = planner_state(m)
    layer = state.add_layer("x", XSS, XSS_SCRIPT)
    layer.add_point(
        87.6, 43.8, style={"color": "#000"}, label=XSS, popup=XSS, search=(XSS, XSS_TEMPLATE, "x1")
    )
    state.add_legend(XSS, XSS_SCRIPT, [LegendItem("pt", {"color": "#000"}, XSS_TEMPLATE, XSS_BACKTICK)])
    state.add_note(XSS)
    html = render_html(m)
    rest = own_code(html)
    assert "<img" not in html and "`" not in rest and "${" not in rest
    assert "<title>&lt;img src=x onerror=alert(1)&gt; &#96;);alert(1);(&#96;</title>" in html
    assert layer.layer_name.startswith("&lt;img")
    assert state.legend.sections[0]["items"][0]["label_html"].startswith("&#36;{alert(1)}")
    assert state.legend.notes[0].startswith("&lt;img")


# ---------------------------------------------------------------------------------------- GCJ-02


def test_gcj02_matches_the_published_pair() -> None:
    # The pair used by the coordtransform libraries' tests (Beijing, Tiananmen).
    lon, lat = wgs84_to_gcj02(116.404, 39.915)
    assert lon == pytest.approx(116.41024449916938, abs=1e-9)
    assert lat == pytest.approx(39.91640428150164, abs=1e-9)
    # The offset is a few hundred metres, as it should be.
    lon, lat = wgs84_to_gcj02(87.60046, 43.80096)
    assert 0.0005 < abs(lon - 87.60046) + abs(lat - 43.80096) < 0.02


def test_gcj02_leaves_points_outside_china() -> None:
    assert wgs84_to_gcj02(19.04045, 47.49835) == (19.04045, 47.49835)  # Budapest
    assert not in_china_bbox(8.68, 50.1)
    # Almaty and Islamabad are inside the coarse box: the province outlines keep them unshifted.
    mask = ChinaMask(list(__import__("planner.regions", fromlist=["x"]).load_regions("province").geometry))
    lon = np.array([76.91150, 73.04329, 87.60046, 103.83987])
    lat = np.array([43.25249, 33.72148, 43.80096, 36.05701])
    assert in_china_bbox(76.91150, 43.25249)
    assert list(mask.contains(lon, lat)) == [False, False, True, True]
    out_lon, out_lat = mask.to_gcj02(lon, lat)
    assert out_lon[0] == lon[0] and out_lat[1] == lat[1]
    assert out_lon[2] != lon[2]


def test_gaode_basemap_shifts_chinese_places_only() -> None:
    plain = layout_map("corridors")
    shifted = layout_map("corridors", "gaode")
    assert 'L.tileLayer(\n                "https://webrd0' in render_html(
        shifted
    ) or "https://webrd0" in render_html(shifted)

    def point(m: folium.Map, node_id: str) -> list[float]:
        state = planner_state(m)
        entry = next(e for e in state.search.entries if e["id"] == node_id)
        return features(m, entry["layer"])[entry["i"]]["geometry"]["coordinates"]

    expected = wgs84_to_gcj02(87.60046, 43.80096)
    assert point(shifted, "urumqi") == pytest.approx(list(expected), abs=1e-5)
    assert point(plain, "urumqi") == pytest.approx([87.60046, 43.80096], abs=1e-5)
    assert point(shifted, "almaty") == point(plain, "almaty")
    assert point(shifted, "islamabad") == point(plain, "islamabad")


# -------------------------------------------------------------------------------------- basemaps


def test_basemaps(monkeypatch: pytest.MonkeyPatch) -> None:
    assert get_basemap("none") is None
    assert get_basemap("OSM").tiles[0]["url"].startswith("https://tile.openstreetmap.org/")
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    with pytest.raises(PlannerError, match="TIANDITU_KEY") as info:
        get_basemap("tianditu")
    assert "\n" not in str(info.value)
    monkeypatch.setenv("TIANDITU_KEY", "k&y")
    tianditu = get_basemap("tianditu")
    assert all(t["url"].endswith("tk=k%26y") for t in tianditu.tiles)
    with pytest.raises(PlannerError, match="unknown basemap"):
        get_basemap("bing")


def test_tiled_basemap_is_the_only_external_source(tmp_path: Path) -> None:
    m = layout_map("emergency", "osm")
    html = save_map(m, tmp_path / "osm.html").read_text(encoding="utf-8")
    assert offline.external_references(html) == []
    assert '"https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in html
    assert "img-src data: https://tile.openstreetmap.org/;" in html
    urls = set(re.findall(r"https?://[^\s\"'<>);\\]+", own_code(html)))
    assert urls == {"https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org/"}
    assert (
        json.dumps("无底图")[1:-1] in html
    )  # the 'no basemap' choice in the layer control (folium's tojson)


# ----------------------------------------------------------------------------------------- content


def test_layout_maps_hold_the_documented_layers(built: dict[str, folium.Map]) -> None:
    def layers(name: str) -> dict[str, list[dict]]:
        m = built[name]
        return {layer_id: features(m, layer_id) for layer_id in planner_state(m).layers}

    xinjiang = layers("xinjiang")
    plan = layout_api.get_layout("xinjiang")
    belt = {g.id: g for g in plan["port_belt"].groups}
    assert len(xinjiang["ports_named"]) == len(belt["named"].members) == 8
    assert len(xinjiang["ports_unnamed"]) == len(belt["unnamed"].members)
    areas = xinjiang["areas"]
    assert sum(f["geometry"]["type"] == "Polygon" for f in areas) == 8
    assert sum(f["geometry"]["type"] == "Point" for f in areas) == sum(
        len(g.members) for g in plan["areas"].groups
    )
    hubs = layout_api.hubs()
    assert len(xinjiang["hubs"]) == int((hubs["province"] == "Xinjiang").sum())
    assert len(xinjiang["core"]) == 1

    gansu = layers("gansu")
    assert {
        "core",
        "domain_hexi",
        "domain_longdongnan",
        "extension",
        "hubs",
        "land_ports",
        "airports",
    } <= set(gansu)
    assert len(gansu["land_ports"]) == 3 and len(gansu["airports"]) == 3

    corridors = layers("corridors")
    frame = layout_api.load_corridors()
    for kind in ("channel", "corridor", "international_corridor", "flow"):
        assert len(corridors[f"corridors_{kind}"]) >= int((frame["kind"] == kind).sum())

    emergency = layers("emergency")
    groups = {g.id: g for g in layout_api.get_layout("gansu")["emergency"].groups}
    for group_id, group in groups.items():
        assert len(emergency[f"emergency_{group_id}"]) == len(group.members)


def test_layer_names_are_bilingual(built: dict[str, folium.Map]) -> None:
    names = [layer.layer_name for layer in planner_state(built["gansu"]).layers.values()]
    assert names[0] == '行政区界 <span class="en">Boundaries</span>'


def test_popups_cite_document_clause_and_lines(built: dict[str, folium.Map]) -> None:
    popup = features(built["xinjiang"], "core")[0]["properties"]["pop"]
    assert "乌鲁木齐" in popup and "Urumqi" in popup
    assert "004_e234a45108d6376c.txt" in popup and "二（一）" in popup and "L11" in popup
    assert "文外补充" in features(built["xinjiang"], "ports_unnamed")[0]["properties"]["pop"]


def test_search_index_covers_names_and_ids(built: dict[str, folium.Map]) -> None:
    entries = planner_state(built["gansu"]).search.entries
    assert {"lanzhou", "jiuquan", "tianshui", "dunhuang"} <= {entry["id"] for entry in entries}
    entry = next(e for e in entries if e["id"] == "lanzhou")
    assert entry["zh"] == "兰州" and entry["en"] == "Lanzhou"


# ------------------------------------------------------------------------------------------ writing


def test_save_map_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import planner.maps.base as base

    target = tmp_path / "m.html"
    target.write_text("old", encoding="utf-8")
    m = new_map("t")

    def broken(self: Path, *args: object, **kwargs: object) -> None:
        Path.write_bytes(self, b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(base.Path, "write_text", broken)
    with pytest.raises(OSError):
        save_map(m, target)
    monkeypatch.undo()
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["m.html"]
    save_map(m, target)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["m.html"]


# ----------------------------------------------------------------------------------------------- CLI


def test_cli_unknown_layout_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["map", "layout", "tibet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "unknown layout map 'tibet'" in err and "xinjiang" in err


def test_cli_bad_basemap_and_missing_key(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert main(["map", "layout", "gansu", "--basemap", "bing", "--out", str(tmp_path / "g.html")]) == 2
    assert "unknown basemap" in capsys.readouterr().err
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    assert main(["map", "layouts", "--basemap", "tianditu", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "TIANDITU_KEY" in err and err.count("\n") == 0
    assert list(tmp_path.iterdir()) == []


def test_cli_writes_maps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--quiet", "map", "layout", "Emergency", "--out", str(tmp_path / "e.html")]) == 0
    assert (tmp_path / "e.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert main(["--quiet", "map", "layouts", "--out", str(tmp_path / "all")]) == 0
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == [
        "corridors.html", "emergency.html", "gansu.html", "xinjiang.html",
    ]  # fmt: skip
    out = capsys.readouterr().out
    assert "xinjiang.html" in out


def test_render_layout_maps_for_the_demo(tmp_path: Path) -> None:
    from planner.maps import render_layout_maps

    paths = render_layout_maps(tmp_path)
    assert sorted(p.name for p in paths) == [
        "corridors.html",
        "emergency.html",
        "gansu.html",
        "xinjiang.html",
    ]


# ------------------------------------------------------------------------------------ shipped maps


@pytest.mark.parametrize("name", list(LAYOUT_MAPS))
def test_shipped_maps_are_up_to_date(name: str, rendered: dict[str, str]) -> None:
    """maps/*.html must be regenerated whenever the data or the map code changes."""
    path = REPO / "maps" / f"{name}.html"
    assert path.is_file(), f"{path} is missing: run `planner map layouts`"
    shipped = path.read_text(encoding="utf-8")
    assert shipped == rendered[name], f"{path} is out of date: run `planner map layouts` and commit maps/"
    assert path.stat().st_size < 2_000_000


# ---------------------------------------------------------------------------------- network geometry


def test_corridors_switch_to_network_geometry(monkeypatch: pytest.MonkeyPatch) -> None:
    """When planner.network exists, corridors are drawn on its edges: rail solid, road dashed."""
    import sys
    import types

    import networkx as nx
    from shapely.geometry import LineString

    graph = nx.MultiDiGraph()
    rail = LineString([(101.0, 41.9), (99.5, 40.8), (98.5, 39.74)])
    road = LineString([(98.5, 39.74), (98.3, 39.8)])
    for u, v, geometry, mode in (("ceke", "jiuquan", rail, "rail"), ("jiuquan", "jiayuguan", road, "road")):
        graph.add_edge(u, v, geometry=geometry, mode=mode, route="test", corridors=["ceke_jiujia"])
        graph.add_edge(v, u, geometry=geometry.reverse(), mode=mode, route="test", corridors=["ceke_jiujia"])
    import importlib.machinery

    fake = types.ModuleType("planner.network")
    fake.__spec__ = importlib.machinery.ModuleSpec("planner.network", None)
    fake.build_network = lambda: graph  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "planner.network", fake)

    from planner.maps.layouts import network_corridor_lines

    lines = network_corridor_lines()
    assert lines is not None and sorted(mode for mode, _ in lines["ceke_jiujia"]) == ["rail", "road"]
    m = layout_map("corridors")
    channels = features(m, "corridors_channel")
    styles = [f["properties"]["style"] for f in channels]
    assert (
        sum(1 for s in styles if s.get("dashArray") == "8 5") == 1
    )  # the road piece, once for both directions
    assert len(channels) == int((layout_api.load_corridors()["kind"] == "channel").sum()) + 1
    labels = [item["label_html"] for section in planner_state(m).legend.sections for item in section["items"]]
    assert any(label.startswith("铁路") for label in labels) and any(
        label.startswith("公路") for label in labels
    )
    subtitle = next(c for c in m._children.values() if type(c).__name__ == "MapTitle").spec()["subtitle_html"]
    assert "1 of " in subtitle and "routed on the transport network" in subtitle


# ------------------------------------------------------------------------------------ result pieces


def _result_frames() -> tuple:
    import pandas as pd

    flows = pd.DataFrame(
        {
            "origin": ["urumqi", "urumqi", "lanzhou"],
            "destination": ["lanzhou", "kashgar", XSS],
            "origin_lon": [87.6, 87.6, 103.8],
            "origin_lat": [43.8, 43.8, 36.06],
            "dest_lon": [103.8, 75.99, 104.1],
            "dest_lat": [36.06, 39.47, 35.8],
            "value": [400.0, 100.0, 0.0],
            "product": ["粮食 grain", XSS, "粮食 grain"],
        }
    )
    facilities = pd.DataFrame(
        {
            "id": ["f1", "f2"],
            "name_zh": ["兰州", XSS],
            "name_en": ["Lanzhou", "x"],
            "lon": [103.8, 87.6],
            "lat": [36.06, 43.8],
            "status": ["open", "closed"],
        }
    )
    return flows, facilities


def test_flow_width_scales_with_the_square_root() -> None:
    from planner.maps.results import flow_width

    assert flow_width(0, 100) == 1.0 and flow_width(100, 100) == 9.0
    assert flow_width(25, 100) == pytest.approx(1 + 8 * 0.5)
    assert flow_width(200, 100) == 9.0 and flow_width(5, 0) == 1.0


def test_result_layers_group_and_escape() -> None:
    from planner.maps.results import add_facilities, add_flows

    flows, facilities = _result_frames()
    m = new_map("结果", "Result")
    layers = add_flows(m, flows)
    add_facilities(m, facilities)
    assert [len(layer) for layer in layers] == [1, 2]  # grouped by product, sorted
    assert all(isinstance(layer, folium.FeatureGroup) for layer in layers)
    html = render_html(m)
    assert "<img" not in html
    weights = [
        f["properties"]["style"]["weight"]
        for layer_id in planner_state(m).layers
        if layer_id.startswith("flows")
        for f in features(m, layer_id)
    ]
    assert sorted(weights) == [1.0, 5.0, 9.0]
    assert planner_state(m).counts()["facilities"] == 2
    with pytest.raises(ValueError, match="value"):
        add_flows(new_map("x"), flows.drop(columns="value"))


def test_a_flow_popup_names_the_roads_it_takes_escaped() -> None:
    from planner.maps.results import add_flows

    flows, _ = _result_frames()
    flows = flows.assign(via=["G30 G312", "<b>G75</b>", ""][: len(flows)] + [""] * max(0, len(flows) - 3))
    m = new_map("结果", "Result")
    layers = add_flows(m, flows)
    popups = [f["properties"]["pop"] for layer in layers for f in features(m, layer.id)]
    assert any("G30 G312" in p and "途经" in p for p in popups)
    assert not any("<b>G75</b>" in p for p in popups) and any("&lt;b&gt;G75" in p for p in popups)
