"""Nodes and places are found by one name matcher: the same suffix rules, the same "did you mean" line."""

from __future__ import annotations

import pytest

from planner import layout
from planner.errors import PlannerError
from planner.name_index import NameIndex, as_given, unknown_place
from planner.network.places import resolve_place, resolve_places


@pytest.mark.parametrize("name", ["乌鲁木齐市", " 乌鲁木齐 ", "URUMQI", "中卫市"])
def test_a_node_name_with_a_suffix_or_case_resolves_as_node_and_as_place(name: str) -> None:
    node = layout.resolve_node(name)
    assert resolve_place(name) == node == resolve_places([name])[0]


def test_county_seats_resolve_with_and_without_their_suffix() -> None:
    place = resolve_place("尉犁县")
    assert place == resolve_place("尉犁") == resolve_place("Yuli County") == resolve_place("yuli")
    assert place == resolve_place("652823") == resolve_place("cs652823")
    with pytest.raises(PlannerError, match="unknown place '尉犁县'"):
        layout.resolve_node("尉犁县")  # a county seat is a place, not a documented node


@pytest.mark.parametrize(("name", "line"), [
    ("Urumchi", "unknown place 'Urumchi'; did you mean Urumqi, urumqi?"),
    ("Lanzou", "unknown place 'Lanzou'; did you mean Lanzhou, lanzhou, guangzhou?"),
])
def test_an_unknown_name_gets_the_same_line_from_both(name: str, line: str) -> None:
    with pytest.raises(PlannerError) as node_error:
        layout.resolve_node(name)
    with pytest.raises(PlannerError) as place_error:
        resolve_place(name)
    with pytest.raises(PlannerError) as places_error:
        resolve_places(["lanzhou", name])
    assert str(node_error.value) == str(place_error.value) == str(places_error.value) == line


def test_the_place_index_tries_the_node_steps_in_their_order() -> None:
    from planner.network.places import _name_index
    from planner.paths import geodata_dir

    node_steps = layout.node_names().steps
    place_steps = _name_index(str(geodata_dir())).steps
    assert place_steps[1:1 + len(node_steps)] == node_steps  # after the place ids, before the county seats


def test_the_first_step_holding_a_name_wins_and_nothing_gives_a_tip() -> None:
    index = NameIndex(((as_given, {"a": "first"}), (str.lower, {"a": "second", "b": "lower"})), ("alpha",))
    assert index.find(" a ") == "first" and index.find("B") == "lower" and index.find("c") is None
    with pytest.raises(PlannerError, match=r"^unknown place 'alph'; did you mean alpha\?$"):
        index.resolve("alph")
    assert str(unknown_place("zzz", ["alpha"])) == \
        "unknown place 'zzz'; run `planner layout list --nodes` to see known places"
