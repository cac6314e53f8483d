"""Checks on the sourced scenario tables: products, production, consumption, markets, facility costs.

Every row must carry a source, numbers must be positive and finite, codes must resolve against the
shipped regions, and every figure that is not read straight from a source must say so
(``quality == "estimate"``) and explain itself in ``note``.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

GEODATA = Path(__file__).resolve().parents[1] / "geodata"
TABLES = ("products", "production", "consumption", "markets", "facility_costs")
PROVINCES = {620000, 650000}
QUALITIES = {"cited", "estimate"}
# markets.csv may refer to a product group instead of a single product
MARKET_GROUPS = {"fruit_all", "fruit_vegetable", "beef_mutton"}


def _read(name: str) -> pd.DataFrame:
    path = GEODATA / f"{name}.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return {name: _read(name) for name in TABLES}


@pytest.fixture(scope="module")
def known_adcodes() -> set[int]:
    seats = pd.read_csv(GEODATA / "county_seats.csv", dtype={"adcode": int, "prefecture_adcode": int})
    pop = pd.read_csv(GEODATA / "population_2020_prefecture.csv", dtype={"adcode": int})
    return set(seats["adcode"]) | set(seats["prefecture_adcode"]) | set(pop["adcode"]) | PROVINCES


def _number(value: str) -> float:
    return float(value)


@pytest.mark.parametrize("name", TABLES)
def test_every_row_has_source_and_quality(tables, name):
    df = tables[name]
    assert len(df) > 0
    for col in ("source", "quality", "note"):
        assert col in df.columns, f"{name}.csv lacks column {col}"
    empty = df[df["source"].str.strip() == ""]
    assert empty.empty, f"{name}.csv rows without source: {list(empty.index)}"
    bad = set(df["quality"]) - QUALITIES
    assert not bad, f"{name}.csv: unknown quality values {bad}"
    unexplained = df[(df["quality"] == "estimate") & (df["note"].str.strip() == "")]
    assert unexplained.empty, f"{name}.csv: estimates without a note: {list(unexplained.index)}"


@pytest.mark.parametrize(
    ("name", "column"),
    [
        ("products", "value_cny_per_t"),
        ("production", "volume_t"),
        ("consumption", "kg_per_person_year"),
        ("markets", "value"),
        ("facility_costs", "value"),
    ],
)
def test_numbers_positive_and_finite(tables, name, column):
    for i, raw in enumerate(tables[name][column]):
        value = _number(raw)
        assert math.isfinite(value) and value > 0, f"{name}.csv row {i}: {column}={raw!r}"


@pytest.mark.parametrize("name", ["production", "consumption", "markets", "facility_costs"])
def test_years_plausible(tables, name):
    for i, raw in enumerate(tables[name]["year"]):
        year = int(raw)
        assert 2000 <= year <= 2030, f"{name}.csv row {i}: year={raw!r}"


def test_fractions_within_unit_interval(tables):
    m = tables["markets"]
    frac = m[m["unit"] == "fraction"]
    assert ((frac["value"].astype(float) > 0) & (frac["value"].astype(float) <= 1)).all()


def test_production_adcodes_known(tables, known_adcodes):
    for i, raw in enumerate(tables["production"]["adcode"]):
        assert int(raw) in known_adcodes, f"production.csv row {i}: unknown adcode {raw}"


def test_production_level_matches_adcode(tables):
    seats = pd.read_csv(GEODATA / "county_seats.csv", dtype={"adcode": int, "prefecture_adcode": int})
    counties = set(seats["adcode"]) - set(seats["prefecture_adcode"])
    for row in tables["production"].itertuples():
        code = int(row.adcode)
        if row.level == "province":
            assert code in PROVINCES
        elif row.level in {"county", "xpcc_city"}:
            assert code in set(seats["adcode"]), row
            if row.level == "county":
                assert code in counties, row
        else:
            assert row.level == "prefecture" and code % 100 == 0 and code not in PROVINCES, row


def test_production_products_exist(tables):
    products = set(tables["products"]["product"])
    missing = set(tables["production"]["product"]) - products
    assert not missing, f"production.csv products not in products.csv: {missing}"


def test_production_unique_per_area_and_product(tables):
    dup = tables["production"].duplicated(["adcode", "product"])
    assert not dup.any(), tables["production"][dup]


def test_production_cited_rows_have_url(tables):
    df = tables["production"]
    cited = df[df["quality"] == "cited"]
    assert cited["source"].str.contains("http").all()


def test_products_fields(tables):
    p = tables["products"]
    assert p["product"].is_unique
    assert p["product"].str.fullmatch(r"[a-z][a-z0-9_]*").all()
    for col in ("perishable", "refrigeration_required"):
        assert set(p[col]) <= {"true", "false"}, col
    assert p["season_months"].str.fullmatch(r"(1[0-2]|[1-9])-(1[0-2]|[1-9])").all()
    # refrigeration implies perishable
    assert not ((p["refrigeration_required"] == "true") & (p["perishable"] == "false")).any()


def test_products_cold_chain_groups_exist(tables):
    params = pd.read_csv(GEODATA / "cold_chain_parameters.csv", dtype=str, keep_default_na=False)
    groups = set(params["key"])
    missing = set(tables["products"]["cold_chain_group"]) - groups
    assert not missing, f"cold_chain_group values not keyed in cold_chain_parameters.csv: {missing}"


def test_consumption_fields(tables):
    c = tables["consumption"]
    assert set(c["residence"]) <= {"urban", "rural", "all"}
    assert {int(x) for x in c["applies_to_adcode"]} <= PROVINCES
    # a figure measured elsewhere and applied here is a proxy, hence an estimate
    for row in c.itertuples():
        if not row.measured_in.startswith(row.applies_to_adcode):
            assert row.quality == "estimate", row


def test_markets_references(tables, known_adcodes):
    m = tables["markets"]
    assert m["id"].is_unique
    nodes = set(pd.read_csv(GEODATA / "nodes.csv", dtype=str)["id"])
    products = set(tables["products"]["product"]) | MARKET_GROUPS
    for row in m.itertuples():
        assert int(row.region_adcode) in known_adcodes, row
        assert row.node_id == "" or row.node_id in nodes, row
        assert row.product in products, row


def test_facility_costs_unique(tables):
    f = tables["facility_costs"]
    assert not f.duplicated(["facility_type", "parameter"]).any()
