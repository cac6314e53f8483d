"""Finding an id by the name a user gives it: exact-match steps in order, then "did you mean" suggestions.

A :class:`NameIndex` holds ordered steps, each a key form (how the name is rewritten before the look-up:
as given, lower case, without a suffix...) and a mapping from that form to an id. The first step that holds
the name wins; a name no step holds is a one-line :class:`PlannerError` naming the closest known names.
Documented nodes (:func:`planner.layout.resolve_node`) and places, nodes and county seats
(:func:`planner.network.places.resolve_place`), are found this way, each with its own steps.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from planner.errors import PlannerError

__all__ = ["KeyForm", "NameIndex", "as_given", "first_ids", "unknown_place"]

#: how a step rewrites the (stripped) name before its look-up; None: the step does not apply to the name
KeyForm = Callable[[str], str | None]


def as_given(key: str) -> str | None:
    """The key form of a step that compares the name as given (stripped of surrounding spaces)."""
    return key


def first_ids(values: Iterable[object], ids: Iterable[object]) -> dict[str, str]:
    """``value -> id`` of the first row holding each value, as a look-up down the table finds it."""
    found: dict[str, str] = {}
    for value, id_ in zip(values, ids, strict=True):
        found.setdefault(str(value), str(id_))
    return found


def unknown_place(name: object, known: Iterable[str]) -> PlannerError:
    """The one-line error for a place name nothing matches, with up to three close known names."""
    close = difflib.get_close_matches(str(name).strip(), list(known), n=3, cutoff=0.5)
    tip = f"; did you mean {', '.join(close)}?" if close else "; run `planner layout list --nodes` to see known places"
    return PlannerError(f"unknown place {name!r}{tip}")


@dataclass(frozen=True)
class NameIndex:
    """Exact-match steps tried in order, and the names offered when none matches."""

    steps: tuple[tuple[KeyForm, Mapping[str, str]], ...]
    suggestions: tuple[str, ...]

    def find(self, name: object) -> str | None:
        """The id of the first step that holds ``name`` (stripped, then in the step's key form), else None."""
        key = str(name).strip()
        for form, ids in self.steps:
            value = form(key)
            if value is not None and value in ids:
                return ids[value]
        return None

    def resolve(self, name: object) -> str:
        """The id of ``name``; :class:`PlannerError` with the closest suggestions when no step holds it."""
        found = self.find(name)
        if found is None:
            raise unknown_place(name, self.suggestions)
        return found
