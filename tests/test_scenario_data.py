"""Checks on the sourced scenario tables: products, production, consumption, markets, facility costs,
product standards, cold-chain leg parameters, market nodes and market legs.

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
TABLES = (
    "products",
    "production",
    "consumption",
    "markets",
    "facility_costs",
    "product_standards",
    "cold_chain_legs",
)
PROVINCES = {620000, 650000}
QUALITIES = {"cited", "estimate"}
# markets.csv may refer to a product group instead of a single product
MARKET_GROUPS = {"fruit_all", "fruit_vegetable", "beef_mutton"}
#: a cited row names a web page or a document (standard, yearbook, plan) or another shipped table
CITATION = r"https?://|\.txt|GB[ /]|NY/T|SB/T|geodata/"


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
        ("product_standards", "value"),
        ("cold_chain_legs", "value"),
    ],
)
def test_numbers_positive_and_finite(tables, name, column):
    for i, raw in enumerate(tables[name][column]):
        value = _number(raw)
        assert math.isfinite(value) and value > 0, f"{name}.csv row {i}: {column}={raw!r}"


@pytest.mark.parametrize(
    "name", ["production", "consumption", "markets", "facility_costs", "cold_chain_legs"]
)
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


@pytest.mark.parametrize("name", TABLES)
def test_cited_rows_name_a_page_or_document(tables, name):
    df = tables[name]
    cited = df[df["quality"] == "cited"]
    missing = cited[~cited["source"].str.contains(CITATION)]
    assert missing.empty, f"{name}.csv cited rows without a URL or document: {list(missing.index)}"


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


# ------------------------------------------------------------------ cold chain v2: products and standards

TEMPERATURE_ZONES = {"chilled", "frozen", "ambient"}
STANDARD_UNITS = {
    "first_mile_max_h": "h",
    "first_mile_max_km": "km",
    "line_haul_max_h": "h",
    "distribution_max_h": "h",
    "door_to_door_max_h": "h",
    "storage_life_days": "d",
}
REQUIRED_STANDARDS = set(STANDARD_UNITS) - {"door_to_door_max_h"}


def test_products_cold_chain_columns(tables):
    p = tables["products"]
    assert set(p["temperature_zone"]) <= TEMPERATURE_ZONES
    for col in ("storable", "unbroken_chain"):
        assert set(p[col]) <= {"true", "false"}, col
    # each decision names its page or document, or says it is this project's estimate
    assert p["standards_source"].str.contains(CITATION + "|estimate of this project").all()
    # an ambient product needs no cold chain, so it cannot need an unbroken one
    ambient = p[p["temperature_zone"] == "ambient"]
    assert (ambient["unbroken_chain"] == "false").all(), ambient["product"].tolist()
    assert (ambient["refrigeration_required"] == "false").all(), ambient["product"].tolist()
    # a product that needs an unbroken chain is refrigerated
    assert (p[p["unbroken_chain"] == "true"]["refrigeration_required"] == "true").all()


def test_products_consumption_groups_exist(tables):
    groups = set(tables["consumption"]["product_group"])
    for row in tables["products"].itertuples():
        assert row.consumption_group == "none" or row.consumption_group in groups, row.product


def test_product_standards_fields(tables):
    s = tables["product_standards"]
    assert list(s.columns) == ["product", "standard", "value", "unit", "source", "quality", "note"]
    assert not s.duplicated(["product", "standard"]).any()
    assert set(s["standard"]) <= set(STANDARD_UNITS)
    for row in s.itertuples():
        assert row.unit == STANDARD_UNITS[row.standard], row
    assert set(s["product"]) <= set(tables["products"]["product"])


def test_every_product_has_its_standards(tables):
    s = tables["product_standards"]
    products = tables["products"].set_index("product")
    for product, rows in s.groupby("product"):
        have = set(rows["standard"])
        assert have >= REQUIRED_STANDARDS, (product, REQUIRED_STANDARDS - have)
        unbroken = products.loc[product, "unbroken_chain"] == "true"
        assert ("door_to_door_max_h" in have) == unbroken, product
    assert set(products.index) == set(s["product"])


def test_product_standards_are_consistent(tables):
    s = tables["product_standards"].assign(value=lambda d: d["value"].astype(float))
    values = s.pivot(index="product", columns="standard", values="value")
    products = tables["products"].set_index("product")
    for product, row in values.iterrows():
        if products.loc[product, "unbroken_chain"] == "true":
            # the door-to-door limit must leave room for each leg class alone
            for leg in ("first_mile_max_h", "line_haul_max_h", "distribution_max_h"):
                assert row[leg] <= row["door_to_door_max_h"], (product, leg)
        # storable means weeks or more in store
        if products.loc[product, "storable"] == "true":
            assert row["storage_life_days"] >= 14, product
        else:
            assert row["storage_life_days"] <= 30, product
    # soft fruit and leafy vegetables are more urgent than apples
    assert values.loc["vegetables", "first_mile_max_h"] < values.loc["apple", "first_mile_max_h"]
    assert values.loc["apricot_small_white", "first_mile_max_h"] < values.loc["apple", "first_mile_max_h"]


# ------------------------------------------------------------------ cold chain v2: leg classes

LEG_CLASSES = {"first_mile", "line_haul_road", "line_haul_rail", "distribution"}
LEG_UNITS = {
    "rate_cny_per_tkm": "CNY/t-km",
    "fixed_cny_per_t": "CNY/t",
    "speed_kmh": "km/h",
    "payload_t": "t",
    "terminal_cny_per_t": "CNY/t",
    "drayage_cny_per_tkm": "CNY/t-km",
    "max_drayage_km": "km",
    "terminal_h": "h",
    "intra_county_km": "km",
}
RAIL_ONLY = {"terminal_cny_per_t", "drayage_cny_per_tkm", "terminal_h"}
LEG_COLUMNS = [
    "leg_class",
    "vehicle",
    "temperature",
    "parameter",
    "value",
    "unit",
    "year",
    "source",
    "quality",
    "note",
]


def _legs(tables) -> pd.DataFrame:
    return tables["cold_chain_legs"].assign(value=lambda d: d["value"].astype(float))


def test_cold_chain_legs_fields(tables):
    legs = tables["cold_chain_legs"]
    assert list(legs.columns) == LEG_COLUMNS
    assert set(legs["leg_class"]) == LEG_CLASSES
    assert set(legs["temperature"]) <= {"reefer", "ambient", "any"}
    # "any": a figure of the leg that does not depend on the temperature
    assert set(legs.loc[legs["temperature"] == "any", "parameter"]) <= {"max_drayage_km"}
    assert not legs.duplicated(["leg_class", "vehicle", "temperature", "parameter"]).any()
    for row in legs.itertuples():
        assert row.unit == LEG_UNITS[row.parameter], row
        if row.parameter in RAIL_ONLY:
            assert row.leg_class == "line_haul_rail", row
        if row.parameter == "speed_kmh":
            assert row.leg_class in {"first_mile", "distribution"}, row
        if row.parameter == "intra_county_km":
            assert row.leg_class == "first_mile", row
        if row.parameter == "max_drayage_km":
            assert row.leg_class == "line_haul_rail", row
    # every leg class and temperature has a rate and a payload; rail has its terminal costs and times
    legs_by = legs[legs["temperature"] != "any"].groupby(["leg_class", "temperature"])["parameter"].apply(set)
    for (leg, _temperature), params in legs_by.items():
        assert {"rate_cny_per_tkm", "payload_t"} <= params, leg
        if leg == "line_haul_rail":
            assert params >= RAIL_ONLY
        if leg in {"first_mile", "distribution"}:
            assert "speed_kmh" in params, leg
    assert (legs["parameter"] == "intra_county_km").sum() == 1
    assert (legs["parameter"] == "max_drayage_km").sum() == 1


def test_line_haul_is_cheaper_than_first_mile_and_distribution(tables):
    """The economics the regional tier rests on: full loads over long distances cost less per t-km."""
    legs = _legs(tables)
    rate = legs[legs["parameter"] == "rate_cny_per_tkm"].set_index(["leg_class", "temperature"])["value"]
    for temperature in ("reefer", "ambient"):
        line_haul = max(rate[("line_haul_road", temperature)], rate[("line_haul_rail", temperature)])
        assert line_haul < rate[("first_mile", temperature)], temperature
        assert line_haul < rate[("distribution", temperature)], temperature
        # refrigeration costs extra on every leg class
        for leg in LEG_CLASSES:
            assert rate[(leg, "reefer")] > rate[(leg, "ambient")], leg
    assert rate[("line_haul_rail", "reefer")] < rate[("line_haul_road", "reefer")]


def test_rail_beats_road_only_on_long_hauls(tables):
    """With terminals and drayage, a reefer train is dearer than a truck on short hauls and cheaper on long."""
    legs = _legs(tables)
    value = legs[legs["temperature"] == "reefer"].set_index(["leg_class", "parameter"])["value"]
    drayage_km = legs[legs["parameter"] == "intra_county_km"]["value"].iloc[0]

    def road(km: float) -> float:
        return (
            value[("line_haul_road", "fixed_cny_per_t")] + value[("line_haul_road", "rate_cny_per_tkm")] * km
        )

    def rail(km: float) -> float:
        rail_fixed = (
            value[("line_haul_rail", "fixed_cny_per_t")] + 2 * value[("line_haul_rail", "terminal_cny_per_t")]
        )
        drayage = 2 * drayage_km * value[("line_haul_rail", "drayage_cny_per_tkm")]
        return rail_fixed + drayage + value[("line_haul_rail", "rate_cny_per_tkm")] * km

    assert rail(300) > road(300)
    assert rail(3000) < road(3000)
    # the cited saving of cold-chain trains (10-15%) at Xinjiang/Gansu-to-east distances
    assert 0.80 <= rail(3000) / road(3000) <= 0.92


# ------------------------------------------------------------------ cold chain v2: markets


def _all_nodes() -> pd.DataFrame:
    return pd.read_csv(GEODATA / "nodes.csv", dtype={"geonames_id": str})[["id", "lon", "lat"]]


def test_markets_are_network_places_reached_by_road_and_rail():
    # every market the outbound shares name is a node of nodes.csv (a GeoNames city, checked with the other
    # nodes) that the network reaches from Lanzhou and Urumqi by road and by rail (the trunk lines of
    # routes.yaml, calibrated to their published lengths)
    from planner.network import build_network, route

    shares = pd.read_csv(GEODATA / "markets.csv")
    markets = set(shares.loc[shares["metric"] == "share_of_outbound", "node_id"])
    nodes = pd.read_csv(GEODATA / "nodes.csv").set_index("id")
    assert markets <= set(nodes.index)
    graph = build_network()
    for market in sorted(m for m in markets if nodes.loc[m, "kind"] == "city"):
        for origin in ("lanzhou", "urumqi"):
            for modes in (("road",), ("road", "rail")):
                found = route(graph, origin, market, modes=modes)
                assert found.distance_km < 6000, (origin, market, modes)


def test_outbound_shares_sum_to_one(tables):
    m = tables["markets"]
    shares = m[m["metric"] == "share_of_outbound"].assign(value=lambda d: d["value"].astype(float))
    assert len(shares) > 0
    assert (shares["unit"] == "fraction").all()
    nodes = set(_all_nodes()["id"])
    assert set(shares["node_id"]) <= nodes
    for (region, product), group in shares.groupby(["region_adcode", "product"]):
        assert group["node_id"].is_unique, (region, product)
        assert abs(group["value"].sum() - 1) < 1e-6, (region, product, group["value"].sum())
    # Xinjiang fruit and Gansu vegetables have destination shares
    keys = set(zip(shares["region_adcode"], shares["product"], strict=True))
    assert {("650000", "fruit_all"), ("620000", "vegetables"), ("620000", "potato")} <= keys
