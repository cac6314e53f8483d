"""Benchmark: a Folium result map with 5,000 flows — HTML size and load time in headless chromium.

Builds a synthetic result (a fixed random seed): 200 places spread over Xinjiang and Gansu, 100 of them
facilities, 5,000 flows between them in 4 products, drawn with :mod:`planner.maps.results` over the
shipped boundaries. Writes it to a temporary file, opens it from a file:// URL in Debian's chromium (the
same flags as the browser tests) and times from navigation start to the viewer being ready with every
flow drawn. Targets: < 10 MB and < 3 s. Not a unit test: run it by hand.

    python bench/bench_maps.py [--flows N] [--runs R] [--append]

``--append`` adds a line to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from planner.maps import new_map, planner_state, render_html
from planner.maps.boundaries import add_boundaries
from planner.maps.results import add_facilities, add_flows

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def synthetic(flows: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    lon = np.concatenate([rng.uniform(76, 95, 120), rng.uniform(94, 107, 80)])
    lat = np.concatenate([rng.uniform(37, 47, 120), rng.uniform(33, 41, 80)])
    ids = [f"p{i:03d}" for i in range(200)]
    places = pd.DataFrame({"id": ids, "lon": lon, "lat": lat})
    facilities = places.iloc[:100].assign(
        name_zh=[f"设施{i}" for i in range(100)],
        name_en=[f"Facility {i}" for i in range(100)],
        status=rng.choice(["open", "existing", "closed"], 100),
    )
    origin = rng.integers(0, 100, flows)
    dest = rng.integers(0, 200, flows)
    frame = pd.DataFrame(
        {
            "origin": [ids[i] for i in origin],
            "destination": [ids[j] for j in dest],
            "origin_lon": lon[origin],
            "origin_lat": lat[origin],
            "dest_lon": lon[dest],
            "dest_lat": lat[dest],
            "value": rng.lognormal(3, 1.2, flows),
            "product": rng.choice(["粮食 grain", "棉花 cotton", "煤炭 coal", "冷链 cold chain"], flows),
        }
    )
    return frame, facilities


def build(flows: int) -> tuple[str, int]:
    frame, facilities = synthetic(flows)
    m = new_map("基准：5000条流量", "Benchmark: synthetic result map")
    add_boundaries(m)
    add_flows(m, frame)
    add_facilities(m, facilities)
    return render_html(m), sum(planner_state(m).counts().values())


def load_times(path: Path, runs: int, expected: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=ARGS,
            headless=True,
            viewport={"width": 1400, "height": 900},
        )
        for _ in range(runs):
            page = context.new_page()
            start = time.perf_counter()
            page.goto(path.as_uri())
            page.wait_for_function("window.plannerMap !== undefined", timeout=60_000)
            drawn = page.evaluate("plannerMap.layerIds.reduce((n, id) => n + plannerMap.drawn(id), 0)")
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            times.append(time.perf_counter() - start)
            if drawn != expected:
                raise SystemExit(f"drawn {drawn} features, expected {expected}")
            page.close()
        context.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--append", action="store_true", help="append the result to bench/RESULTS.md")
    args = parser.parse_args()

    started = time.perf_counter()
    html, features = build(args.flows)
    render_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "bench.html"
        path.write_text(html, encoding="utf-8")
        size_mb = path.stat().st_size / 1e6
        times = load_times(path, args.runs, features)
    line = (
        f"- {dt.date.today()} bench_maps: {args.flows} flows, {features} features; HTML {size_mb:.2f} MB "
        f"(target < 10); render {render_s:.2f} s; chromium load median {statistics.median(times):.2f} s, "
        f"max {max(times):.2f} s over {args.runs} runs (target < 3); {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}"
    )
    print(line)
    if args.append:
        results = Path(__file__).with_name("RESULTS.md")
        existing = results.read_text(encoding="utf-8") if results.exists() else ""
        prefix = "# Benchmark results\n\n" if not existing else ("" if existing.endswith("\n") else "\n")
        with results.open("a", encoding="utf-8") as handle:  # append only: other benchmarks write here too
            handle.write(prefix + line + "\n")


if __name__ == "__main__":
    main()
