"""How numbers are named, rounded and compared: the catalogue of :mod:`planner.labels`, the rounding of
:mod:`planner.tables`, the per-tier site changes of :func:`planner.compare_runs` on run directories edited
as a planner would (a site moved, a site resized), and the test set-up script."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from pyproj import Geod

import planner as pl
from planner.labels import column_label, format_value, kpi_label, tier_label
from planner.tables import round_table, write_csv

REPO = Path(__file__).resolve().parents[1]


def test_values_read_as_planner_run_prints_them() -> None:
    assert format_value("total_cost_cny", 3.526e9) == "3,526.0 M CNY"
    assert format_value("total_cost_cny", 3.526e9, "zh") == "3,526.0 百万元"
    assert format_value("service_level", 0.80392) == "80.4%"
    assert format_value("max_path_time_h", 3.913) == "3.9 h"
    assert format_value("tonne_km_by_mode.rail", 66142160.0) == "66,142,160 t·km"
    assert format_value("cost_per_t_delivered_cny", 5095.12) == "5,095 CNY/t"
    assert format_value("open_sites_backbone", 2) == "2"
    assert format_value("status", "time_limit") == "time_limit"
    assert format_value("gap", None) == "-" and format_value("unmet_t", float("nan")) == "-"
    # a KPI the catalogue does not know: its own name, the unit its suffix says
    assert kpi_label("spoilage_by_product_t") == "spoilage_by_product_t"
    assert format_value("spoilage_by_product_t.apple", 1234.5) == "1,234 t"
    assert format_value("co2_cost_cny", 2.5e6) == "2.50 M CNY"
    assert format_value("new_share", 0.25) == "25.0%"
    assert kpi_label("open_sites_backbone", "zh") == "选址数量：骨干冷链物流基地"
    assert kpi_label("tonne_km_by_mode.road", "zh") == "分方式周转量 · 公路"
    assert tier_label("precool", "zh") == "产地预冷" and tier_label("my_tier", "zh") == "my_tier"
    assert column_label("throughput_t", "zh") == "吞吐量（吨）" and column_label("fixed_cost_cny") == "fixed cost (CNY)"
    assert column_label("extra_km") == "extra_km (km)"


def test_tables_are_rounded_by_unit(tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "name_zh": ["平凉"], "lon": [106.6652912345], "utilisation": [0.9999999999999998], "tonnes": [1234.56789],
        "fixed_cost_cny": [4000000.4], "handling_cny_per_t": [40.0049], "time_h": [3.91234567], "distance_km": [-0.0000001],
        "weight": [2.0000004], "other": [1.23456789012],
    })
    rounded = round_table(frame)
    assert rounded.iloc[0].to_dict() == {
        "name_zh": "平凉", "lon": 106.66529, "utilisation": 1.0, "tonnes": 1234.57, "fixed_cost_cny": 4000000.0,
        "handling_cny_per_t": 40.0, "time_h": 3.912, "distance_km": 0.0, "weight": 2.0, "other": 1.23457,
    }
    assert str(rounded.iloc[0]["distance_km"]) == "0.0"  # not -0.0
    path = write_csv(frame, tmp_path / "t.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert "0.9999" not in path.read_text(encoding="utf-8-sig")


def _edited_copy(run: Path, target: Path, edit) -> Path:
    shutil.copytree(run, target)
    sites = pd.read_csv(target / "sites.csv", encoding="utf-8-sig")
    edit(sites)
    write_csv(sites, target / "sites.csv")
    return target


def test_site_changes_per_tier(cold_chain_runs: tuple[Path, Path], tmp_path: Path) -> None:
    run_a, _ = cold_chain_runs
    sites = pd.read_csv(run_a / "sites.csv", encoding="utf-8-sig")
    assert set(sites["place_id"]) == {"pingliang", "qingyang"}

    def move_and_resize(frame: pd.DataFrame) -> None:
        qingyang = frame.index[frame["place_id"] == "qingyang"][0]
        frame.loc[qingyang, ["place_id", "name_zh", "lon", "lat"]] = ["lanzhou", "兰州", 103.83987, 36.05701]
        pingliang = frame.index[frame["place_id"] == "pingliang"][0]
        frame.loc[pingliang, "capacity_t"] = 100000.0

    run_b = _edited_copy(run_a, tmp_path / "b", move_and_resize)
    comparison = pl.compare_runs(run_a, run_b)
    dc = comparison["sites_by_tier"]["dc"]
    assert [(m["from"]["place_id"], m["to"]["place_id"]) for m in dc["moved"]] == [("qingyang", "lanzhou")]
    qingyang = sites[sites["place_id"] == "qingyang"].iloc[0]
    _, _, metres = Geod(ellps="WGS84").inv(qingyang["lon"], qingyang["lat"], 103.83987, 36.05701)
    assert dc["moved"][0]["distance_km"] == pytest.approx(metres / 1000, abs=2.0)  # Xifeng to Lanzhou
    assert [(r["place_id"], r["capacity_a_t"], r["capacity_b_t"]) for r in dc["resized"]] == [("pingliang", 400000.0, 100000.0)]
    assert dc["opened"] == dc["closed"] == dc["kept"] == []
    # the flat lists keep every site that is open in one run only
    assert [s["place_id"] for s in comparison["sites"]["opened"]] == ["lanzhou"]
    assert [s["place_id"] for s in comparison["sites"]["closed"]] == ["qingyang"]
    rerun = _edited_copy(run_a, tmp_path / "rerun", lambda frame: None)
    same = pl.compare_runs(run_a, rerun)
    assert same["routes_changed"] == [] and same["sites_by_tier"]["dc"]["kept"] and not same["sites_by_tier"]["dc"]["moved"]
    assert (same["name_a"], same["name_b"]) == (f"user_supply_apples ({run_a.name})", "user_supply_apples (rerun)")


def test_install_browser_installs_the_font_when_chromium_is_there(tmp_path: Path) -> None:
    """A machine with chromium and no CJK font gets the font (and nothing else); with both, nothing."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "apt.log"
    stubs = {
        "apt-get": f'#!/bin/sh\necho "apt-get $*" >> {log}\n',
        "dpkg": '#!/bin/sh\n[ -f "$FONT_INSTALLED" ]\n',
        "sudo": '#!/bin/sh\nexec "$@"\n',
        "fc-cache": "#!/bin/sh\nexit 0\n",
        "chromium": '#!/bin/sh\necho "Chromium (stub)"\n',
    }
    for name, text in stubs.items():
        path = bin_dir / name
        path.write_text(text, encoding="utf-8")
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "CHROMIUM": str(bin_dir / "chromium"),
           "FONT_INSTALLED": str(tmp_path / "font-installed")}
    done = subprocess.run(["bash", str(REPO / "tools" / "install-browser.sh")], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    installs = [line for line in log.read_text().splitlines() if " install " in line]
    assert len(installs) == 1 and "fonts-wqy-microhei" in installs[0] and " chromium" not in installs[0]
    (tmp_path / "font-installed").touch()
    log.unlink()
    done = subprocess.run(["bash", str(REPO / "tools" / "install-browser.sh")], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0 and "already installed" in done.stdout and not log.exists()


@pytest.mark.parametrize("script", ["install-test.sh", "install-browser.sh"])
def test_setup_scripts_are_valid_bash(script: str) -> None:
    done = subprocess.run(["bash", "-n", str(REPO / "tools" / script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
