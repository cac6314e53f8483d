"""The tables that justify a cold-chain plan, read from a run directory written by the CLI: each open site's
catchment and why it beats its nearest alternative."""

from __future__ import annotations

import html
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
SMALL = REPO / "tests" / "data" / "scenarios" / "coldchain_small.yaml"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("outputs")
    done = subprocess.run([sys.executable, "-m", "planner", "--quiet", "run", str(SMALL), "--out", str(out), "--json"],
                          capture_output=True, text=True, cwd=REPO, timeout=600)
    assert done.returncode == 0, done.stderr
    return Path(json.loads(done.stdout)["run_dir"])


def test_every_open_site_has_its_catchment(run_dir: Path) -> None:
    sites = pd.read_csv(run_dir / "sites.csv", dtype={"place_id": str})
    catchment = pd.read_csv(run_dir / "catchment.csv", dtype={"place_id": str, "other_id": str})
    opened = sites[sites["level"] >= 0]
    assert len(opened) > 0 and opened["catchment"].notna().all()
    inflow = catchment[catchment["direction"] == "in"].groupby(["tier", "place_id"])["tonnes"].sum()
    outflow = catchment[catchment["direction"] == "out"].groupby(["tier", "place_id"])["tonnes"].sum()
    for row in opened.itertuples():
        # what a site receives is its throughput, and it passes all of it on (tonnes rounded to 0.01 t per row)
        assert inflow[(row.tier, row.place_id)] == pytest.approx(row.throughput_t, abs=0.05)
        assert outflow[(row.tier, row.place_id)] == pytest.approx(row.throughput_t, abs=0.05)


def test_first_mile_catchments_keep_the_products_standards(run_dir: Path) -> None:
    catchment = pd.read_csv(run_dir / "catchment.csv", dtype={"place_id": str, "other_id": str})
    standards = pd.read_csv(REPO / "geodata" / "product_standards.csv")
    km = standards[standards["standard"] == "first_mile_max_km"].set_index("product")["value"]
    first = catchment[catchment["other_tier"] == "production"]
    assert len(first) > 0
    for row in first.itertuples():
        limit = max(float(km[p]) for p in row.products.split("+"))
        assert row.distance_km <= limit + 0.01, row


def test_why_these_sites_compares_each_with_a_real_alternative(run_dir: Path) -> None:
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    why = summary["why_sites"]
    assert why, "no site explained"
    best_bound = summary["solver"]["best_bound"]
    sites = pd.read_csv(run_dir / "sites.csv", dtype={"place_id": str}).set_index(["tier", "place_id"])
    for entry in why:
        assert sites.loc[(entry["tier"], entry["place_id"]), "level"] >= 0  # an open site
        if not entry["feasible"]:
            continue
        # the alternative is a feasible plan of the same problem: it can never cost less than the proven bound
        assert summary["solver"]["objective"] + entry["extra_cost_cny"] >= best_bound * (1 - 1e-9)
        # the components say where the difference comes from, and add up to it
        assert sum(entry["components"].values()) == pytest.approx(entry["extra_cost_cny"], rel=1e-6, abs=1.0)
        assert str(sites.loc[(entry["tier"], entry["place_id"]), "why"]).startswith("vs ")
    # the map popup shows the same line (escaped as HTML, inside the page's JSON-escaped script)
    page = (run_dir / "map.html").read_text(encoding="utf-8")
    for entry in why:
        amounts = str(sites.loc[(entry["tier"], entry["place_id"]), "why"]).split(": ", 1)[1]
        assert html.escape(amounts) in page


def test_flows_are_drawn_along_the_routes_the_model_priced(run_dir: Path) -> None:
    """Every flow between two places names its network route; the route's length is the distance the model
    priced (plus the collection distance inside the county on a first mile), and the GeoPackage draws the
    flow along it."""
    import geopandas as gpd

    flows = pd.read_csv(run_dir / "flows.csv", dtype={"from_id": str, "to_id": str}, keep_default_na=False)
    routes = gpd.read_file(run_dir / "results.gpkg", layer="routes").set_index("route_id")
    drawn = gpd.read_file(run_dir / "results.gpkg", layer="flows")
    legs = pd.read_csv(REPO / "geodata" / "cold_chain_legs.csv")
    intra_km = float(legs.loc[legs["parameter"] == "intra_county_km", "value"].iloc[0])
    moved = flows[flows["from_id"] != flows["to_id"]]
    assert len(moved) > 0 and (moved["route_id"] != "").all()
    assert (flows.loc[flows["from_id"] == flows["to_id"], "route_id"] == "").all()
    assert set(moved["route_id"]) == set(routes.index)
    extra = (moved["leg_class"] == "first_mile") * intra_km
    km = routes.loc[moved["route_id"], "distance_km"].to_numpy() + extra.to_numpy()
    assert km == pytest.approx(moved["distance_km"].to_numpy(), abs=0.02)
    # a route names the roads it takes (a few km between a district seat and its city node ride access links only)
    assert (moved.loc[moved["distance_km"] > 20, "via"] != "").all()
    # the drawn line of a flow is its route's, not a straight segment between its ends
    by_id = drawn.set_index(drawn.index)
    for i in moved.index[:50]:
        assert by_id.geometry[i].equals(routes.geometry[moved.at[i, "route_id"]])
        assert len(by_id.geometry[i].coords) >= 2
