"""The result files of a sweep, rebuilt from its member records.

``outputs/sweeps/<name>/`` holds:

* ``results.parquet`` and ``results.csv`` — one row per member: its id, the inputs varied, ``status``
  (``ok``/``failed``) and ``error``, the solver status, objective, gap, solve and run seconds, cost,
  service level, unmet tonnes, sites opened (in total and per tier, and which) and the scalar KPIs
  (``kpi_*``);
* ``site_frequency.csv`` — for every candidate site (tier, place): in how many successful runs it was a
  candidate and was opened, ``frequency`` = opened / successful runs (the robustness of a site);
* ``site_frequency.html`` — those frequencies on an offline map (:mod:`planner.maps`);
* ``cost_vs_service.png`` — cost against service level of the successful runs;
* ``sweep.json`` — the sweep, its base scenario and the members with their varied inputs;
* ``members/<id>.json`` — one record per finished member (written as each finishes).

Every file is written atomically.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from planner.atomic import atomic_path, write_text_atomic
from planner.scenario.models import COST_MODELS
from planner.sweep.expand import Member
from planner.sweep.spec import LoadedSweep
from planner.tables import write_csv

__all__ = ["frequency_map", "plot_cost_vs_service", "results_table", "site_frequency", "write_outputs"]

def _column_value(value: Any) -> Any:
    if isinstance(value, (list, dict, tuple)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value

def results_table(members: list[Member], records: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """One row per member (see the module docstring); members without a record are ``pending``."""
    tiers = list(dict.fromkeys(t for r in records.values() for t in r.get("tiers", [])))
    varied_keys = list(dict.fromkeys(k for m in members for k in m.varied))
    rows = []
    for member in members:
        record = records.get(member.id)
        row: dict[str, Any] = {"member_id": member.id, "index": member.index, "label": member.label}
        for key in varied_keys:
            row[key] = _column_value(member.varied.get(key))
        if record is None:
            row["status"] = "pending"
            rows.append(row)
            continue
        row["status"] = "ok" if record.get("ok") else "failed"
        row["error"] = record.get("error")
        for key in ("solver_status", "objective", "best_bound", "gap", "solve_seconds", "run_seconds", "cost", "service_level"):
            row[key] = record.get(key)
        kpis = record.get("kpis") or {}
        row["unmet_t"] = kpis.get("unmet_t")
        sites = record.get("sites") or []
        if record.get("ok"):
            row["sites_opened"] = len(sites)
            for tier in tiers:
                row[f"sites_opened_{tier}"] = sum(1 for s in sites if s["tier"] == tier)
            row["open_sites"] = ";".join(f"{s['tier']}:{s['place_id']}" for s in sites)
            row["open_sites_zh"] = "、".join(f"{s['name_zh']}({s['tier']})" for s in sites)
        for key, value in kpis.items():
            if key not in ("status", "gap", "unmet_t", "service_level"):
                row[f"kpi_{key}"] = value
        row["host"] = record.get("host")
        rows.append(row)
    table = pd.DataFrame(rows)
    for column in table.columns:
        values = table[column].dropna()
        if values.empty:
            continue
        numeric = values.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)).all()
        boolean = values.map(lambda v: isinstance(v, bool)).all()
        if numeric:
            table[column] = pd.to_numeric(table[column])
        elif not boolean:
            table[column] = table[column].map(lambda v: None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v))
    return table

def site_frequency(records: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """How often each candidate (tier, place) is opened across the successful runs."""
    ok = [r for r in records.values() if r.get("ok")]
    columns = ["tier", "place_id", "name_zh", "name_en", "lon", "lat", "runs_candidate", "runs_opened", "frequency", "frequency_when_candidate"]
    if not ok:
        return pd.DataFrame(columns=columns)
    rows = [dict(c) for r in ok for c in r.get("candidates", [])]
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=columns)
    tier_order = {t: i for i, t in enumerate(dict.fromkeys(frame["tier"]))}
    grouped = frame.groupby(["tier", "place_id"], sort=False).agg(
        name_zh=("name_zh", "first"), name_en=("name_en", "first"), lon=("lon", "first"), lat=("lat", "first"),
        runs_candidate=("open", "size"), runs_opened=("open", "sum"),
    ).reset_index()
    grouped["runs_opened"] = grouped["runs_opened"].astype(int)
    grouped["frequency"] = grouped["runs_opened"] / len(ok)
    grouped["frequency_when_candidate"] = grouped["runs_opened"] / grouped["runs_candidate"]
    grouped["_tier"] = grouped["tier"].map(tier_order)
    grouped = grouped.sort_values(["_tier", "frequency", "place_id"], ascending=[True, False, True], kind="stable")
    return grouped.drop(columns="_tier").reset_index(drop=True)[columns]

# --------------------------------------------------------------------------------------------- map

_BANDS = [  # (upper bound of the frequency band, colour, label zh, label en)
    (0.0, "#bdbdbd", "从未选中", "never opened"),
    (0.25, "#fdd49e", "≤25%", "up to 25%"),
    (0.5, "#fc8d59", "25–50%", "25-50%"),
    (0.75, "#e34a33", "50–75%", "50-75%"),
    (0.999999, "#b30000", "75–99%", "75-99%"),
    (1.0, "#4a0000", "每次选中 100%", "always opened"),
]

def _band(frequency: float) -> tuple[float, str, str, str]:
    return next(b for b in _BANDS if frequency <= b[0])

def frequency_map(frequency: pd.DataFrame, title_zh: str, title_en: str, subtitle: str) -> Any:
    """An offline folium map (:func:`planner.maps.new_map`) of the site frequencies, one layer per tier."""
    from planner.labels import tier_names
    from planner.maps import LegendItem, new_map, planner_state
    from planner.maps.boundaries import add_boundaries
    from planner.maps.html import bilingual, join, table, tag

    m = new_map(title_zh, title_en, subtitle_zh=subtitle, subtitle_en="site frequency across successful runs")
    state = planner_state(m)
    add_boundaries(state)
    located = frequency.dropna(subset=["lon", "lat"])
    never = located[located["runs_opened"] == 0]
    if len(never):
        layer = state.add_layer("never_opened", "从未选中的候选点", "Candidates never opened", show=False, fit=False)
        for row in never.itertuples():
            layer.add_point(float(row.lon), float(row.lat), style={"color": "#ffffff", "weight": 1, "fillColor": _BANDS[0][1], "fillOpacity": 0.9},
                            radius=3.5, tooltip=f"{row.name_zh} ({row.tier}): 0/{row.runs_candidate}")
    opened = located[located["runs_opened"] > 0]
    for index, tier in enumerate(dict.fromkeys(opened["tier"])):
        tier_zh, tier_en = tier_names(tier)
        layer = state.add_layer(f"frequency_{index}", f"选中频率：{tier_zh}", f"Opening frequency: {tier_en}" + (f" ({tier})" if tier_en != tier else ""))
        for row in opened[opened["tier"] == tier].sort_values("frequency").itertuples():
            _, colour, _, _ = _band(float(row.frequency))
            rows = [("层级 tier", f"{tier_zh} {tier}" if tier_zh != tier else str(tier)), ("选中 opened", f"{row.runs_opened} / {row.runs_candidate}"),
                    ("频率 frequency", f"{row.frequency:.0%}")]
            popup = tag("div", join([tag("div", bilingual(row.name_zh, row.name_en), "pl-pop-title"),
                                     tag("div", str(row.place_id), "pl-pop-sub"), table(["", ""], rows)]), "pl-pop")
            layer.add_point(float(row.lon), float(row.lat), style={"color": "#ffffff", "weight": 1.5, "fillColor": colour, "fillOpacity": 0.95},
                            radius=4 + 10 * math.sqrt(float(row.frequency)), popup=popup,
                            tooltip=f"{row.name_zh} ({tier}): {row.frequency:.0%}",
                            search=(str(row.name_zh), str(row.name_en), str(row.place_id)))
    present = {_band(float(f))[0] for f in located["frequency"]}
    state.add_legend("选中频率（大小、颜色）", "Opening frequency (size, colour)", [
        LegendItem("pt", {"color": "#ffffff", "weight": 1.5, "fillColor": colour, "fillOpacity": 0.95}, zh, en, radius=6)
        for bound, colour, zh, en in _BANDS if bound in present
    ])
    return m

# -------------------------------------------------------------------------------------------- plot

@functools.lru_cache(maxsize=1)
def _cjk_font() -> Any:
    """A font with Chinese glyphs among the system fonts (FontProperties), or None."""
    from matplotlib import font_manager

    hints = ("wqy", "notosanscjk", "notoserifcjk", "sourcehan", "simhei", "msyh", "droidsansfallback")
    for path in sorted(font_manager.findSystemFonts()):
        if any(h in Path(path).name.lower().replace("-", "") for h in hints):
            return font_manager.FontProperties(fname=path)
    return None

def plot_cost_vs_service(table: pd.DataFrame, path: Path, *, title: str, cost_label: str, varied: list[str]) -> Path:
    """Scatter of cost against service level of the successful runs.

    Points are coloured by the first of the ``varied`` columns (Monte Carlo draws excepted) that takes
    more than one value among them.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    ok = table[table["status"] == "ok"].copy() if "status" in table else table.iloc[0:0]
    failed = int((table["status"] == "failed").sum()) if "status" in table else 0
    figure = Figure(figsize=(8, 5.5), dpi=110)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    group = next((c for c in varied if not c.startswith("mc.") and c in ok and ok[c].nunique() > 1), None) if len(ok) else None
    scale = 1e6 if "M CNY" in cost_label else 1.0
    if len(ok):
        groups = [(str(k), g) for k, g in ok.groupby(group, sort=False)] if group else [("runs", ok)]
        for index, (name, frame) in enumerate(groups):
            axes.scatter(frame["cost"] / scale, frame["service_level"], s=28, alpha=0.8, color=f"C{index % 10}",
                         label=f"{group}={name}" if group else name, edgecolors="white", linewidths=0.5)
        if group and len(groups) <= 12:
            axes.legend(fontsize=8, loc="best", frameon=False)
        low = float(ok["service_level"].min()) if ok["service_level"].notna().any() else 0.0
        axes.set_ylim(max(0.0, min(low, 0.95) - 0.02), 1.01)
    else:
        axes.text(0.5, 0.5, "no successful run", ha="center", va="center", transform=axes.transAxes)
    axes.ticklabel_format(axis="x", useOffset=False, style="plain")
    axes.yaxis.set_major_formatter(PercentFormatter(1.0))
    axes.set_xlabel(cost_label)
    axes.set_ylabel("service level (share of demand served)")
    font = _cjk_font()
    if font is None and not title.isascii():  # no font for Chinese: keep the English part of a bilingual title
        title = title.split(" / ", 1)[-1] if " / " in title else title.encode("ascii", "ignore").decode().strip()
    axes.set_title(f"{title}\n{len(ok)} successful run(s), {failed} failed", fontsize=10, fontproperties=font)
    axes.grid(True, alpha=0.3)
    figure.tight_layout()
    with atomic_path(path) as temporary:
        figure.savefig(temporary, format="png")
    return path

# ------------------------------------------------------------------------------------------- write

def write_outputs(out_dir: Path, loaded: LoadedSweep, members: list[Member], records: dict[str, dict[str, Any]]) -> dict[str, Path]:
    """Write the result files of a sweep (see the module docstring); return them by name."""
    from planner.maps import save_map

    out_dir.mkdir(parents=True, exist_ok=True)
    sweep = loaded.sweep
    files: dict[str, Path] = {}
    table = results_table(members, records)
    with atomic_path(out_dir / "results.parquet") as temporary:
        table.to_parquet(temporary, index=False)
    files["results.parquet"] = out_dir / "results.parquet"
    with atomic_path(out_dir / "results.csv") as temporary:
        write_csv(table, temporary)  # rounded, formula text escaped, a byte-order mark for Excel
    files["results.csv"] = out_dir / "results.csv"
    frequency = site_frequency(records)
    with atomic_path(out_dir / "site_frequency.csv") as temporary:
        write_csv(frequency, temporary)
    files["site_frequency.csv"] = out_dir / "site_frequency.csv"
    ok = int((table["status"] == "ok").sum()) if len(table) else 0
    title = sweep.title or sweep.name
    subtitle = f"{sweep.name} · {ok}/{len(members)} 次求解成功 successful runs"
    files["site_frequency.html"] = save_map(frequency_map(frequency, title, sweep.name, subtitle), out_dir / "site_frequency.html")
    cost_label = "total cost (M CNY)" if loaded.base_scenario.model in COST_MODELS else f"objective ({loaded.base_scenario.model})"
    files["cost_vs_service.png"] = plot_cost_vs_service(table, out_dir / "cost_vs_service.png", title=title, cost_label=cost_label,
                                                         varied=list(dict.fromkeys(k for m in members for k in m.varied)))
    manifest = {
        "sweep": sweep.model_dump(mode="json"),
        "sweep_file": str(loaded.path),
        "base_scenario": str(loaded.base_path),
        "written_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "members": [{"id": m.id, "index": m.index, "varied": m.varied, "status": table.loc[m.index, "status"]} for m in members],
        "counts": {"members": len(members), "ok": ok, "failed": int((table["status"] == "failed").sum()) if len(table) else 0},
    }
    files["sweep.json"] = write_text_atomic(out_dir / "sweep.json", json.dumps(manifest, ensure_ascii=False, indent=1, default=str))
    return files
