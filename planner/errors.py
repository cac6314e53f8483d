"""Errors a user can act on.

Every failure caused by input (a data file, a scenario, a command-line argument) is raised as a
:class:`PlannerError` whose message is one line naming the file, row or field and what to do. The
CLI prints that line and exits non-zero; the traceback appears only under ``--debug``.
"""

from __future__ import annotations


class PlannerError(Exception):
    """An error caused by input, with a one-line message meant for the user."""


class DataError(PlannerError):
    """A shipped or user geodata file is malformed (missing column, duplicate id, bad value...)."""


class ModelError(PlannerError):
    """A model's input is invalid (negative demand, NaN cost, p > candidates...)."""


class InfeasibleError(PlannerError):
    """A model has no feasible solution; ``reasons`` lists the explanations found."""

    def __init__(self, message: str, reasons: list[str] | None = None) -> None:
        super().__init__(message)
        self.reasons = list(reasons or [])
