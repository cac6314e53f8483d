"""The domain catalog: provinces, mode sets, products and the cold-chain parameters looked up in one place,
read from geodata."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from cli_runner import REPO, run_planner

from planner import domain, regions
from planner.errors import DataError


def test_provinces_match_the_county_seats() -> None:
    seats = regions.load_county_seats()
    prefixes = {str(code)[:2] for code in seats["adcode"]}
    assert {p.prefix for p in domain.provinces().values()} == prefixes
    for province in domain.provinces().values():
        inside = seats[seats["adcode"].astype(str).str[:2] == province.prefix]
        assert set(inside["province_adcode"].astype(str)) == {province.adcode}
    assert domain.province_of_code("650102").key == "xinjiang"
    assert domain.province_of_code("110101") is None


def test_mode_sets_bring_the_road_legs() -> None:
    assert domain.modes() == ("road", "rail", "air")
    assert domain.mode_set(["road"]) == ("road",)
    assert domain.mode_set(["rail", "air"]) == ("road", "rail", "air")


def test_no_stage_keeps_its_own_copy_of_the_province_codes_or_mode_sets() -> None:
    copies = re.compile(r'"(xinjiang|Xinjiang)":\s*"(65|650000|Xinjiang)"|"65":\s*"Xinjiang"|_MODE_SETS\s*=')
    found = [f"{path.relative_to(REPO)}:{n}" for path in (REPO / "planner").rglob("*.py")
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if copies.search(line) and path.name != "layout.py"]  # layout.py: every province a node may lie in
    assert found == []


def test_a_product_without_consumption_group_is_named_by_validate(geodata_copy: Path) -> None:
    products = geodata_copy / "products.csv"
    with products.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    column = rows[0].index("consumption_group")
    line = next(i for i, row in enumerate(rows) if row[0] == "korla_pear") + 1
    rows[line - 1][column] = ""
    with products.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    done = run_planner("validate", REPO / "scenarios" / "xinjiang_fruit_cold_chain.yaml", timeout=300)
    text = done.stdout + done.stderr
    assert done.returncode != 0, text
    assert f"products.csv:{line}" in text and "consumption_group" in text and "korla_pear" in text
    assert "Traceback" not in text


@pytest.mark.parametrize("name", ["provinces.csv", "modes.csv", "cold_chain_parameters.csv"])
def test_catalog_files_are_documented(name: str) -> None:
    assert f"`{name}`" in (REPO / "geodata" / "README.md").read_text(encoding="utf-8")


def test_cold_chain_parameters_are_read_once_with_their_sources(geodata_copy: Path) -> None:
    table = domain.cold_chain_parameters()
    assert {"parameter", "key", "value", "unit", "source"} <= set(table.columns)
    assert table["source"].str.strip().str.len().gt(0).all()
    price = float(table.set_index(["parameter", "key"]).loc[("co2_price", "all"), "value"])
    table["value"] = -1.0  # a copy: changing it leaves the catalog alone
    (geodata_copy / "cold_chain_parameters.csv").unlink()  # read once: the catalog no longer needs the file
    again = domain.cold_chain_parameters().set_index(["parameter", "key"])
    assert float(again.loc[("co2_price", "all"), "value"]) == price


def test_a_cold_chain_parameter_without_value_is_named(geodata_copy: Path) -> None:
    path = geodata_copy / "cold_chain_parameters.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    column = rows[0].index("value")
    rows[3][column] = ""
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(DataError, match=re.escape(f"{path}: empty value in row 4")):
        domain.cold_chain_parameters()


def test_a_cold_chain_leg_rate_without_value_is_named(geodata_copy: Path) -> None:
    # the leg rates share the parameter table's reader: an empty value is an error, never a NaN rate
    path = geodata_copy / "cold_chain_legs.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[2][rows[0].index("value")] = ""
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(DataError, match=re.escape(f"{path}: empty value in row 3")):
        domain.cold_chain_legs()
