"""The model registry: the schema, the run, the sweeps and the README take the models from it."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest
from pydantic import ValidationError

from planner.errors import PlannerError
from planner.scenario import schema
from planner.scenario.models import ADAPTERS, COST_MODELS, MODEL_NAMES, adapter, readme_table
from planner.scenario.semantics import P_MODELS

REPO = Path(__file__).resolve().parents[1]


def test_the_readme_model_table_is_the_registry() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme_table()
    assert table in text
    rows = [line for line in text.splitlines() if line.count("|") == 6 and f"`{line.split('|')[2].strip(' `')}`" in
            {f"`{name}`" for name in ADAPTERS}]
    assert len(rows) == len(ADAPTERS) == len(table.splitlines()) - 2


def test_the_schema_offers_exactly_the_registered_models() -> None:
    assert schema.MODELS == MODEL_NAMES == tuple(ADAPTERS)
    assert set(typing.get_args(schema.Scenario.model_fields["model"].annotation)) == set(MODEL_NAMES)
    with pytest.raises(ValidationError, match="cold_chain"):
        schema.Scenario.model_validate({"name": "x", "title": "x", "model": "p_medianx", "region": ["gansu"],
                                        "demand": {"points": {"roles": ["hub"]}}})


def test_each_model_names_the_fields_it_needs() -> None:
    base = {"name": "x", "title": "x", "region": ["gansu"], "demand": {"points": {"roles": ["hub"]}}}
    for name, model in ADAPTERS.items():
        with pytest.raises(ValidationError, match=f"a {name} scenario needs {model.needs[0]}"):
            schema.Scenario.model_validate({**base, "model": name})


def test_cost_models_and_p_models_come_from_the_adapters() -> None:
    assert {"cold_chain", "facility_location"} <= COST_MODELS
    assert not {"p_median", "p_center", "max_covering", "set_covering"} & COST_MODELS
    assert set(P_MODELS) == {name for name, a in ADAPTERS.items() if "p" in a.needs}
    assert {"p_median", "p_center", "max_covering"} <= set(P_MODELS)


def test_an_unknown_model_is_a_one_line_error() -> None:
    with pytest.raises(PlannerError, match="unknown model 'nope'; the models are cold_chain, p_median"):
        adapter("nope")
