"""Overriding a scenario field by its path: ``tiers[1].min_open``, ``policy.unmet_penalty_cny_per_t``.

Paths are field names joined by dots with list indices in brackets, as in sweep files (``set:``,
``grid:``) and :func:`planner.modify_scenario`. A scenario file uses them too, so changing one tier of a
base scenario does not mean restating every tier::

    extends: gansu_backbone_cold_chain.yaml
    name: two_bases
    set:
      tiers[1].min_open: 2            # or, at the top level:  tiers[1].min_open: 2

:func:`check_path` says why a path cannot be set (unknown field, index out of range), :func:`set_path`
sets it in a raw scenario mapping, :func:`file_overrides` and :func:`apply_overrides` do both for the
overrides of one scenario file, with the file and line of each problem.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from pydantic import BaseModel

from planner.scenario.schema import Scenario

__all__ = ["OVERRIDES_KEY", "apply_overrides", "check_path", "file_overrides", "is_path", "model_of", "parse_path", "set_path"]

#: The field of a scenario file that holds path overrides.
OVERRIDES_KEY = "set"
_PATH_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)")


def parse_path(path: str) -> tuple[str | int, ...]:
    """``tiers[1].max_open`` -> ``("tiers", 1, "max_open")``; raises ValueError on a malformed path."""
    parts: list[str | int] = []
    for piece in str(path).split("."):
        match = _PATH_PART.fullmatch(piece)
        if match is None:
            raise ValueError(f"malformed path {path!r}: use field names, dots and [index], e.g. tiers[1].max_open")
        parts.append(match.group(1))
        parts += [int(i) for i in re.findall(r"\[(\d+)\]", match.group(2))]
    return tuple(parts)


def model_of(annotation: Any) -> Any:
    """The pydantic model inside an annotation (``X | None``, ``list[X]``), else None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for inner in getattr(annotation, "__args__", ()):
        found = model_of(inner)
        if found is not None:
            return found
    return None


def _is_list(annotation: Any) -> bool:
    origin = getattr(annotation, "__origin__", None)
    if origin is list:
        return True
    return any(_is_list(inner) for inner in getattr(annotation, "__args__", ()) if inner is not type(None))


def check_path(path: str, base: dict[str, Any]) -> str | None:
    """Why ``path`` cannot be overridden in the raw base scenario ``base`` (None when it can).

    Field names are checked against the scenario schema; list indices against the base's lists.
    """
    try:
        parts = parse_path(path)
    except ValueError as exc:
        return str(exc)
    model: Any = Scenario
    annotation: Any = None
    value: Any = base
    for position, key in enumerate(parts):
        where = ".".join(str(p) for p in parts[:position]) or "the scenario"
        if isinstance(key, int):
            if not _is_list(annotation):
                return f"{where} is not a list"
            if not isinstance(value, list) or key >= len(value):
                size = len(value) if isinstance(value, list) else 0
                return f"index {key} is out of range: the base scenario's {where} has {size} item(s)"
            value = value[key]
            model = model_of(annotation)
            annotation = None
            continue
        if model is None and getattr(annotation, "__origin__", None) is dict:
            annotation, value = None, value.get(key) if isinstance(value, dict) else None
            continue  # a free mapping (e.g. share_of_supply): any key
        if model is None and _is_list(annotation):
            return f"{where} is a list: give an index, e.g. {where}[0].{key}"
        if model is None:
            return f"{where} has no field {key!r}"
        fields = list(model.model_fields)
        if key not in fields:
            close = difflib.get_close_matches(key, fields, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            return f"unknown field {key!r} in {where}{hint}"
        annotation = model.model_fields[key].annotation
        value = value.get(key) if isinstance(value, dict) else None
        model = None if _is_list(annotation) else model_of(annotation)
    return None


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set the dotted ``path`` of the raw mapping ``data`` to ``value`` (missing mappings are created).

    List indices must exist. Raises ValueError with the reason otherwise.
    """
    parts = parse_path(path)
    node: Any = data
    for position, key in enumerate(parts[:-1]):
        following = parts[position + 1]
        if isinstance(key, int):
            if not isinstance(node, list) or key >= len(node):
                raise ValueError(f"{path}: index {key} is out of range")
            node = node[key]
            continue
        if not isinstance(node, dict):
            raise ValueError(f"{path}: {key!r} is not inside a mapping")
        if key not in node or node[key] is None:
            if isinstance(following, int):
                raise ValueError(f"{path}: {key} has no item {following}")
            node[key] = {}
        node = node[key]
    last = parts[-1]
    if isinstance(last, int):
        if not isinstance(node, list) or last >= len(node):
            raise ValueError(f"{path}: index {last} is out of range")
        node[last] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise ValueError(f"{path}: {last!r} is not inside a mapping")


def is_path(key: Any) -> bool:
    """Whether a top-level key of a scenario file is a path override (``tiers[1].min_open``)."""
    return isinstance(key, str) and ("." in key or "[" in key)


def file_overrides(data: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, Any, tuple[Any, ...]]]]:
    """Split one file's mapping into its plain fields and its overrides ``(path, value, location in the file)``.

    Overrides are the entries of ``set:`` and the top-level keys that are paths, in file order.
    """
    plain: dict[str, Any] = {}
    overrides: list[tuple[str, Any, tuple[Any, ...]]] = []
    for key, value in data.items():
        if key == OVERRIDES_KEY and isinstance(value, dict):
            overrides += [(str(path), item, (OVERRIDES_KEY, path)) for path, item in value.items()]
        elif is_path(key):
            overrides.append((key, value, (key,)))
        else:
            plain[key] = value
    return plain, overrides


def apply_overrides(merged: dict[str, Any], overrides: list[tuple[str, Any, tuple[Any, ...]]]) -> list[tuple[tuple[Any, ...], str]]:
    """Set each override in ``merged`` (in order); return ``(location in the file, reason)`` of those refused."""
    import copy

    refused = []
    for path, value, where in overrides:
        reason = check_path(path, merged)
        if reason is None:
            try:
                set_path(merged, path, copy.deepcopy(value))
            except ValueError as exc:
                reason = str(exc)
        if reason is not None:
            refused.append((where, reason))
    return refused
