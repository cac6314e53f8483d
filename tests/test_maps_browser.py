"""The maps planner saves (layouts, a run's results, two runs compared) in a real browser: headless Debian
chromium driven by Playwright.

Each map opens from a file:// URL with no console error and no request outside the file; every layer
draws the features the Python side put in it; switching a layer off in the layer control removes them;
the search box finds places by Chinese name, English name and id; a hostile node name is shown as text.
Screenshots go to a pytest temporary directory.

The browser is /usr/bin/chromium (``tools/install-browser.sh``); Playwright's own browser download is
never used. Without chromium the tests skip, except under CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from browser import LOCAL_SCHEMES, Opened
from cli_runner import run_planner

from planner import layout as layout_api
from planner.maps import planner_state, save_map
from planner.maps.layouts import LAYOUT_MAPS, layout_map

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"
HOSTILE = {
    "urumqi": (XSS, "</script><script>alert(2)</script>"),
    "kashgar": ("${alert(3)}", "`);alert(4);(`"),
}


@pytest.fixture(scope="session")
def layout_files(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[Path, dict[str, int], list[str]]]:
    """Each layout map written once: (path, features per layer, layer names in Chinese)."""
    layout_api.clear_caches()
    directory = tmp_path_factory.mktemp("maps")
    files = {}
    for name in LAYOUT_MAPS:
        m = layout_map(name)
        path = save_map(m, directory / f"{name}.html")
        state = planner_state(m)
        files[name] = (path, state.counts(), [layer.name_zh for layer in state.layers.values()])
    return files


def _toggle(page: Any, name_zh: str) -> None:
    label = page.locator(".leaflet-control-layers-overlays label").filter(has_text=name_zh)
    label.locator("input").click()


@pytest.mark.parametrize("name", list(LAYOUT_MAPS))
def test_layout_map_in_browser(
    name: str, opened: Opened, layout_files: dict[str, Any], screenshots: Path
) -> None:
    path, expected, names = layout_files[name]
    opened.open(path)
    page = opened.page

    assert opened.errors == []
    outside = [url for url in opened.requests if not url.startswith(LOCAL_SCHEMES)]
    assert outside == [], f"requests outside the file: {outside}"

    # Every layer is on the map with the features the document holds, each drawn as an SVG element.
    assert opened.counts("count") == expected
    assert opened.counts("drawn") == expected
    assert all(expected.values()), expected

    # The controls are there: layer control with every layer, scale bar, legend, search box.
    assert page.evaluate("Object.keys(window).filter(k => k.startsWith('map_')).length") == 1  # folium's map
    overlay_labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert len(overlay_labels) == len(names)
    for label, name_zh in zip(overlay_labels, names, strict=True):
        assert name_zh in label
    assert page.locator(".leaflet-control-scale-line:visible").count() == 1  # metric only
    assert page.locator(".pl-legend .pl-legend-row").count() >= 3
    assert page.locator(".pl-search-input").count() == 1
    page.screenshot(path=str(screenshots / f"{name}.png"))

    # Switching each layer off in the layer control removes its features; on again restores them.
    for layer_id, name_zh in zip(expected, names, strict=True):
        _toggle(page, name_zh)
        assert page.evaluate("id => [plannerMap.count(id), plannerMap.drawn(id)]", layer_id) == [0, 0]
        _toggle(page, name_zh)
        assert page.evaluate("id => plannerMap.drawn(id)", layer_id) == expected[layer_id]
    assert opened.errors == []


def test_search_finds_places_by_chinese_english_and_id(opened: Opened, layout_files: dict[str, Any]) -> None:
    page = opened.open(layout_files["gansu"][0]).page
    search = page.locator(".pl-search-input")
    for query in ("天水", "tianshui", "Tianshui"):
        search.fill(query)
        hits = page.locator(".pl-search-hit").all_inner_texts()
        assert hits and hits[0].startswith("天水"), (query, hits)
    search.fill("no such place")
    assert page.locator(".pl-search-none").count() == 1
    search.fill("兰州")
    search.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5_000)
    text = popup.inner_text()
    assert "兰州" in text and "Lanzhou" in text and "003_e570b81db65edf74.txt" in text
    # Searching a place whose layer is switched off switches it back on.
    _toggle(page, "双域协同：陇东南")
    assert page.evaluate("plannerMap.count('domain_longdongnan')") == 0
    search.fill("pingliang")
    search.press("Enter")
    assert page.evaluate("plannerMap.count('domain_longdongnan')") > 0
    assert opened.errors == []


def test_hostile_node_names_are_shown_as_text(
    opened: Opened, geodata_copy: Path, tmp_path: Path, screenshots: Path
) -> None:
    nodes = geodata_copy / "nodes.csv"
    with nodes.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["id"] in HOSTILE:
            row["name_zh"], row["name_en"] = HOSTILE[row["id"]]
    with nodes.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    layout_api.clear_caches()
    path = save_map(layout_map("xinjiang"), tmp_path / "xss.html")
    layout_api.clear_caches()

    page = opened.open(path).page
    labels = page.locator(".pl-label").all_inner_texts()
    assert XSS in labels and "${alert(3)}" in labels
    for node_id, (name_zh, name_en) in HOSTILE.items():
        search = page.locator(".pl-search-input")
        search.fill(node_id)
        hits = page.locator(".pl-search-hit").all_inner_texts()
        assert any(name_zh in hit and name_en in hit for hit in hits), hits
        search.press("Enter")
        popup = page.locator(".leaflet-popup-content").filter(has_text=name_en)
        popup.wait_for(timeout=5_000)
        assert name_zh in popup.inner_text()
    page.wait_for_timeout(200)
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"], .leaflet-pane script').length") == 0
    assert page.evaluate("document.scripts.length") == path.read_text(encoding="utf-8").count("<script>")
    assert opened.dialogs == []
    assert opened.errors == []
    page.screenshot(path=str(screenshots / "xss.png"))


def test_tiled_basemap_requests_only_its_tiles(opened: Opened, tmp_path: Path) -> None:
    path = save_map(layout_map("emergency", "osm"), tmp_path / "osm.html")
    opened.page.route("https://**/*", lambda route: route.abort())  # no network in tests
    opened.open(path)
    opened.page.wait_for_timeout(300)
    outside = [url for url in opened.requests if not url.startswith(LOCAL_SCHEMES)]
    assert outside, "the OSM basemap should ask for tiles"
    assert all(url.startswith("https://tile.openstreetmap.org/") for url in outside), outside
    # Switching to 'no basemap' keeps the map usable offline.
    opened.page.locator(".leaflet-control-layers-base label").filter(has_text="无底图").locator(
        "input"
    ).click()
    assert opened.page.evaluate("document.querySelectorAll('.leaflet-tile').length") == 0


def test_result_map_with_many_flows(opened: Opened, tmp_path: Path) -> None:
    """The generic result pieces draw every flow and facility (a 500-flow synthetic result)."""
    import numpy as np
    import pandas as pd

    from planner.maps import new_map
    from planner.maps.results import add_facilities, add_flows

    rng = np.random.default_rng(1)
    n = 500
    flows = pd.DataFrame(
        {
            "origin": [f"o{i}" for i in range(n)],
            "destination": [f"d{i}" for i in range(n)],
            "origin_lon": rng.uniform(76, 95, n),
            "origin_lat": rng.uniform(37, 46, n),
            "dest_lon": rng.uniform(94, 107, n),
            "dest_lat": rng.uniform(33, 41, n),
            "value": rng.lognormal(3, 1, n),
            "product": rng.choice(["粮食 grain", "棉花 cotton"], n),
        }
    )
    facilities = pd.DataFrame(
        {
            "id": ["f1"],
            "name_zh": ["兰州"],
            "name_en": ["Lanzhou"],
            "lon": [103.8],
            "lat": [36.06],
            "status": ["open"],
        }
    )
    m = new_map("结果", "Result")
    add_flows(m, flows)
    add_facilities(m, facilities)
    opened.open(save_map(m, tmp_path / "result.html"))
    expected = planner_state(m).counts()
    assert opened.counts("drawn") == expected
    assert sum(expected.values()) == n + 1
    assert opened.errors == []
    assert [u for u in opened.requests if not u.startswith(LOCAL_SCHEMES)] == []


def test_folium_popup_runs_offline_with_vendored_jquery(opened: Opened, tmp_path: Path) -> None:
    """A plain folium Popup (jQuery, template literal) holding escaped hostile text: inlined jQuery, no dialog."""
    import folium

    from planner.maps import new_map
    from planner.maps.html import join

    hostile = [XSS, "${alert(5)}", "`);alert(6);(`", "</script><script>alert(7)</script>"]
    m = new_map("弹窗", "Popup")
    layer = planner_state(m).add_layer("x", "点", "Points")
    marker = folium.CircleMarker([43.8, 87.6], radius=8)
    folium.Popup(join(hostile, " | ")).add_to(marker)
    marker.add_to(layer)
    opened.open(save_map(m, tmp_path / "popup.html"))
    page = opened.page
    page.evaluate("plannerMap.map.eachLayer(l => { if (l.getPopup && l.getPopup()) { l.openPopup(); } })")
    text = page.locator(".leaflet-popup-content").inner_text()
    assert text.strip() == " | ".join(hostile)
    page.wait_for_timeout(200)
    assert opened.dialogs == [] and opened.errors == []
    assert [u for u in opened.requests if not u.startswith(LOCAL_SCHEMES)] == []


def _planner(*args: str | Path) -> Any:
    done = run_planner(*args, timeout=300)
    assert done.returncode == 0, done.stderr
    return done


def test_run_and_compare_maps_made_by_the_cli(opened: Opened, tmp_path: Path, screenshots: Path) -> None:
    """`planner run` twice (5 and 3 reserve centres), then `planner map run` and `planner map compare`."""
    import geopandas as gpd
    import shapely

    repo = Path(__file__).resolve().parents[1]
    reserves = repo / "scenarios" / "gansu_emergency_reserves.yaml"
    child = tmp_path / "three_reserves.yaml"
    child.write_text(f"extends: {reserves}\nname: three_reserves\np: 3\n", encoding="utf-8")
    out = tmp_path / "outputs"
    _planner("--quiet", "run", reserves, "--out", out)
    _planner("--quiet", "run", child, "--out", out)
    [run_a] = list((out / "gansu_emergency_reserves").iterdir())
    [run_b] = list((out / "three_reserves").iterdir())
    _planner("--quiet", "map", "run", run_a, "--out", tmp_path / "run.html")
    _planner("--quiet", "map", "compare", run_a, run_b, "--out", tmp_path / "compare.html")

    # the run map: one marker per opened site, one line per assignment, regions shaded by the KPI
    opened.open(tmp_path / "run.html")
    page = opened.page
    assert opened.errors == []
    assert [u for u in opened.requests if not u.startswith(LOCAL_SCHEMES)] == []
    sites = pd.read_csv(run_a / "sites.csv")
    assignments = pd.read_csv(run_a / "assignments.csv")
    ids = page.evaluate("plannerMap.layerIds")
    assert {"sites_0", "assignments", "region_kpi"} <= set(ids)
    assert page.evaluate("plannerMap.drawn('sites_0')") == len(sites) == 5
    lines = gpd.read_file(run_a / "results.gpkg", layer="assignments")
    drawable = lines[lines["site_id"].fillna("").ne("") & lines.geometry.notna()]
    drawable = drawable[shapely.length(drawable.geometry.values) > 0]  # degrees; only zero matters
    assert len(assignments) == len(lines) > page.evaluate("plannerMap.drawn('assignments')") == len(drawable) > 0
    assert page.evaluate("plannerMap.drawn('region_kpi')") > 0
    page.screenshot(path=str(screenshots / "run.png"))
    label = page.locator(".leaflet-control-layers-overlays label").filter(has_text="选址：设施")
    label.locator("input").click()
    assert page.evaluate("plannerMap.drawn('sites_0')") == 0
    label.locator("input").click()
    assert page.evaluate("plannerMap.drawn('sites_0')") == 5
    assert _layers_without_legend(page) == []
    # one permanent label per opened place, and none other
    assert sorted(page.locator(".pl-label").all_inner_texts()) == sorted(sites["name_zh"])

    # the comparison map: per tier, what closed in B and what it kept, as `planner compare --json` says
    comparison = json.loads(_planner("compare", run_a, run_b, "--json").stdout)
    changes = comparison["sites_by_tier"]["site"]
    opened.open(tmp_path / "compare.html")
    assert opened.errors == [] and opened.outside() == []
    drawn = {name: page.evaluate(f"plannerMap.drawn('cmp_{name}')") for name in ("kept", "opened", "closed", "moved", "resized")}
    assert drawn["kept"] == len(changes["kept"]) and drawn["closed"] == len(changes["closed"])
    assert drawn["opened"] == len(changes["opened"]) and drawn["moved"] == 2 * len(changes["moved"])  # line + new place
    sites_b = pd.read_csv(run_b / "sites.csv")
    in_a, in_b = set(sites["place_id"]), set(sites_b["place_id"])
    assert len(changes["kept"]) == len(in_a & in_b) and len(changes["closed"]) + len(changes["moved"]) == len(in_a - in_b)
    assert len(changes["kept"]) + len(changes["opened"]) + len(changes["moved"]) == 3
    assert _layers_without_legend(page) == []
    labels = page.locator(".pl-label").all_inner_texts()
    for site in changes["closed"]:
        assert f"{site['name_zh']}（设施关闭）" in labels
    page.screenshot(path=str(screenshots / "compare.png"))


def _layers_without_legend(page: Any) -> list[str]:
    """Layers with something drawn but no legend row for it (legend rows carry data-layer)."""
    return page.evaluate(
        "plannerMap.layerIds.filter(id => plannerMap.drawn(id) > 0 &&"
        " !document.querySelector('.pl-legend-row[data-layer=\"' + id + '\"]'))"
    )


def test_cold_chain_maps_show_closures_unmet_demand_and_changes(opened: Opened, cold_chain_runs: tuple[Path, Path],
                                                               tmp_path: Path, screenshots: Path) -> None:
    run_a, run_b = cold_chain_runs
    page = opened.open(run_b / "map.html").page
    assert opened.errors == [] and opened.outside() == []
    ids = page.evaluate("plannerMap.layerIds")
    assert {"closures", "unmet", "site_labels", "assignments"} <= set(ids)
    assert page.evaluate("plannerMap.drawn('closures')") > 0  # the G22 links
    assert _layers_without_legend(page) == []
    legend = page.locator(".pl-legend").inner_text()
    for words in ("关闭的线路", "closed link", "未满足需求", "需求点→服务设施", "配送中心", "distribution centre"):
        assert words in legend
    page.screenshot(path=str(screenshots / "cold_chain_run_b.png"))

    _planner("--quiet", "map", "compare", run_a, run_b, "--out", tmp_path / "compare.html")
    opened.open(tmp_path / "compare.html")
    assert opened.errors == [] and opened.outside() == []
    ids = page.evaluate("plannerMap.layerIds")
    assert {"cmp_flows_a", "cmp_flows_b", "cmp_closures", "cmp_unmet", "cmp_closed", "cmp_kept"} <= set(ids)
    flows_a = pd.read_csv(run_a / "flows.csv", encoding="utf-8-sig")
    assert page.evaluate("plannerMap.drawn('cmp_flows_a')") == flows_a.groupby(["from_id", "to_id", "mode"]).ngroups
    assert page.evaluate("plannerMap.drawn('cmp_closures')") > 0
    assert _layers_without_legend(page) == []
    labels = page.locator(".pl-label").all_inner_texts()
    assert "庆阳（配送中心关闭）" in labels and "平凉（配送中心保留）" in labels
    # it opens on what changed: the closed DC and the closed expressway are in view, Urumqi is not
    bounds = page.evaluate("(() => { const b = plannerMap.map.getBounds(); return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; })()")
    west, south, east, north = bounds
    assert west < 107.64 < east and south < 35.71 < north  # 庆阳 (Xifeng)
    assert not (west < 87.6 < east)  # 乌鲁木齐 far outside
    page.screenshot(path=str(screenshots / "cold_chain_compare.png"))


def test_layer_panel_folds_and_unfolds(opened: Opened, layout_files: dict[str, Any]) -> None:
    page = opened.open(layout_files["xinjiang"][0]).page
    panel = page.locator(".leaflet-control-layers-list")
    toggle = page.locator(".pl-layers-toggle")
    assert panel.is_visible() and toggle.inner_text() == "−"
    toggle.click()
    assert not panel.is_visible() and toggle.inner_text() == "+"
    toggle.click()
    assert panel.is_visible()
    page.set_viewport_size({"width": 700, "height": 240})  # a small window: a new page starts folded
    opened.open(layout_files["xinjiang"][0])
    assert not page.locator(".leaflet-control-layers-list").is_visible()
    page.set_viewport_size({"width": 1400, "height": 900})


def test_chinese_labels_render_with_a_cjk_font(opened: Opened, layout_files: dict[str, Any], screenshots: Path) -> None:
    """A Chinese label is drawn with real glyphs: two different characters look different, neither looks
    like the box of an unassigned code point, and each is as wide as it is tall (a CJK em square)."""
    page = opened.open(layout_files["gansu"][0]).page
    label = page.locator(".pl-label").filter(has_text="兰州").first
    label.wait_for()
    result = page.evaluate(
        r"""(el) => {
            const font = getComputedStyle(el).font;
            const draw = (text) => {
                const canvas = document.createElement('canvas');
                canvas.width = 64; canvas.height = 64;
                const ctx = canvas.getContext('2d');
                ctx.font = font.replace(/\d+(\.\d+)?px/, '40px');
                ctx.fillStyle = '#000';
                ctx.textBaseline = 'top';
                ctx.fillText(text, 4, 8);
                return {pixels: Array.from(ctx.getImageData(0, 0, 64, 64).data.filter((v, i) => i % 4 === 3)),
                        width: ctx.measureText(text).width};
            };
            const a = draw('兰'), b = draw('州'), box = draw('\uE000');
            const differ = (x, y) => x.pixels.some((v, i) => v !== y.pixels[i]);
            const ink = (x) => x.pixels.filter(v => v > 128).length;
            return {font, distinct: differ(a, b), notBoxA: differ(a, box), notBoxB: differ(b, box),
                    inkA: ink(a), inkB: ink(b), widthA: a.width};
        }""",
        label.element_handle(),
    )
    assert result["distinct"] and result["notBoxA"] and result["notBoxB"], result
    assert result["inkA"] > 50 and result["inkB"] > 50, result
    assert 36 <= result["widthA"] <= 44, result  # full width at 40 px
    label.screenshot(path=str(screenshots / "cjk_label.png"))
