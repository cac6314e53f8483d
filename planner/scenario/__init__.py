"""Scenario files: their schema, loading and checks, the model registry, building and running.

Loading the package loads the model registry (:mod:`planner.scenario.models`), which hands the schema the
models a scenario can name (:func:`planner.scenario.schema.use_models`): the schema imports no model.
"""

from planner.scenario import models as _models  # noqa: F401 - registers the models with the schema
