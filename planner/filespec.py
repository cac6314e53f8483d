"""What scenario and sweep files share: a strict schema base, their problems and their errors, the YAML reader.

A settings file (a scenario, a sweep) is YAML validated by a pydantic schema built on :class:`FileModel`
(unknown fields are errors). Every problem found in it is a :class:`Problem` (file, line, field, message);
they are collected, not raised one at a time, and raised together as a :class:`FileProblemsError` whose
one-line message is the first problem and the count of the others. :func:`read_yaml_mapping` reads such a
file: a key given twice in one mapping is an error (not "the last one wins"), and a file past
:data:`MAX_YAML_BYTES`, :data:`MAX_YAML_DEPTH` levels of nesting or :data:`MAX_YAML_VALUES` values is
refused before its values are built.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal, get_args, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from planner.errors import PlannerError

__all__ = [
    "MAX_YAML_BYTES",
    "MAX_YAML_DEPTH",
    "MAX_YAML_VALUES",
    "FileModel",
    "FileProblemsError",
    "Problem",
    "field_path",
    "read_yaml_mapping",
    "schema_problems",
    "yaml_line",
]

#: Limits of a YAML settings file, checked before its values are built: its size in bytes, how deep
#: mappings and lists nest, and how many values it holds once anchors and aliases are expanded.
MAX_YAML_BYTES = 1 << 20
MAX_YAML_DEPTH = 20
MAX_YAML_VALUES = 100_000


class FileModel(BaseModel):
    """Base of a settings file's schema: unknown fields are errors and types are strict (a boolean is not
    a number, a number is not a string). A schema that converts types sets ``strict=False`` in its own
    ``model_config``, which pydantic merges with this one."""

    model_config = ConfigDict(extra="forbid", strict=True)


@dataclass(frozen=True)
class Problem:
    """One problem in a settings file."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class FileProblemsError(PlannerError):
    """A settings file has problems; ``problems`` lists them all (file, line, field, message).

    The message is the first problem, then ``(and N more<more_hint>)`` when there are others.
    """

    #: said after the count of the other problems (where to see them all)
    more_hint: ClassVar[str] = ""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        more = f" (and {len(problems) - 1} more{self.more_hint})" if len(problems) > 1 else ""
        super().__init__(f"{problems[0]}{more}")


def schema_problems(schema: type[BaseModel], exc: ValidationError) -> list[tuple[tuple[Any, ...], str]]:
    """Each error of validating a file against ``schema`` as ``(location, message)``: the location as the
    user wrote it (the union members and validator steps pydantic adds are left out) and the message
    without pydantic's prefix; an unknown field names the closest field of its own schema class."""
    out = []
    for error in exc.errors():
        loc, fields = _walk(schema, tuple(error["loc"]))
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            close = difflib.get_close_matches(str(loc[-1]), fields, n=1)
            message = f"unknown field{f'; did you mean {close[0]!r}?' if close else ''}"
        out.append((loc, message))
    return out


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic classes inside an annotation (``X | None``, ``list[X]``, ``Annotated[A | B, ...]``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for inner in get_args(annotation) for m in _models_in(inner)]


def _tags(model: type[BaseModel]) -> set[Any]:
    """The values of a class's literal fields: how pydantic names a member of a tagged union."""
    return {v for f in model.model_fields.values() if get_origin(f.annotation) is Literal for v in get_args(f.annotation)}


def _is_mapping(annotation: Any) -> bool:
    """Whether a field holds a mapping (``dict[str, X]``, optional or annotated): its keys are the user's."""
    return get_origin(annotation) is dict or (get_origin(annotation) is not list
                                              and any(_is_mapping(a) for a in get_args(annotation)))


def _walk(schema: type[BaseModel], raw: tuple[Any, ...]) -> tuple[tuple[Any, ...], list[str]]:
    """``raw`` (pydantic's location) as the user's location, and the fields of the class that holds its last
    key (where an unknown field's look-alike is sought)."""
    current: type[BaseModel] | None = schema
    holder: type[BaseModel] | None = None
    members: list[type[BaseModel]] = []
    loc: list[Any] = []
    mapping = False
    for key in raw:
        if isinstance(key, str) and key.startswith(("function-", "tuple[")):
            continue  # a validator step or a tuple member, not part of the user's path
        if mapping:  # a key of a mapping field: the classes of its values follow
            loc.append(key)
            mapping = False
            continue
        if members:  # the last field holds several classes: pydantic names the member next
            chosen = [m for m in members if key == m.__name__ or key in _tags(m)]
            current, members = (chosen[0], []) if chosen else (members[0], [])
            if chosen:
                continue
        loc.append(key)
        holder = current
        if isinstance(key, int) or current is None:
            continue
        field = current.model_fields.get(key)
        found = _models_in(field.annotation) if field is not None else []
        current, members = (found[0], []) if len(found) == 1 else (None, found)
        mapping = field is not None and _is_mapping(field.annotation)
    return tuple(loc), list(holder.model_fields) if holder is not None else []


def field_path(loc: tuple[Any, ...]) -> str:
    """A location as a dotted path with list indices: ``tiers[0].candidates``."""
    text = ""
    for key in loc:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text


def yaml_line(root: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the field at ``loc`` (its key's line for a mapping entry, since a block value
    starts below its key), or of its nearest existing ancestor."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if getattr(k, "value", None) == str(key)), None)
            if pair is None:
                return line
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            return line
    return line


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader that also reads ``1e6`` and ``1.0e6`` as numbers (YAML 1.2), not text: with
    strict types a number written without the exponent's sign must not turn into a string."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)


def read_yaml_mapping(path: Path, what: str, error: type[FileProblemsError]) -> tuple[dict[str, Any], yaml.Node | None]:
    """Read a YAML file that must hold a mapping; return it with its node tree (for line numbers).

    ``what`` names the kind of file in messages ("a scenario file"). Raises ``error`` (file, line, message)
    for a missing, non-UTF-8 or invalid file, a key given twice in one mapping, or a file past the limits
    :data:`MAX_YAML_BYTES`, :data:`MAX_YAML_DEPTH` and :data:`MAX_YAML_VALUES`.
    """
    if not path.is_file():
        raise error([Problem(str(path), None, "", "file not found")])
    if path.stat().st_size > MAX_YAML_BYTES:
        raise error([Problem(str(path), None, "", f"the file is larger than {MAX_YAML_BYTES >> 20} MiB; "
                             f"{what} holds settings, put tables in CSV or Excel files")])
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise error([Problem(str(path), None, "", "not UTF-8 text; save the file as UTF-8")]) from None
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        _check_tree(path, root, error)
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error([Problem(str(path), line, "", f"invalid YAML: {problem}")]) from None
    except RecursionError:  # the YAML parser recurses once per level, before the depth check can run
        raise error([Problem(str(path), None, "", f"values nest more than {MAX_YAML_DEPTH} levels deep")]) from None
    finally:
        loader.dispose()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise error([Problem(str(path), 1, "", f"{what} must be a mapping of fields")])
    return data, root


def _check_tree(path: Path, root: yaml.Node | None, error: type[FileProblemsError]) -> None:
    """Reject repeated keys, deep nesting and alias bombs in a composed YAML document (iteratively)."""
    stack: list[tuple[yaml.Node, tuple[Any, ...]]] = [(root, ())] if root is not None else []
    values = 0
    while stack:
        node, loc = stack.pop()
        values += 1
        line = node.start_mark.line + 1
        if values > MAX_YAML_VALUES:
            raise error([Problem(str(path), line, field_path(loc), f"the file holds more than {MAX_YAML_VALUES:,} "
                                 "values (anchors and aliases counted as often as they are used)")])
        if len(loc) > MAX_YAML_DEPTH:
            raise error([Problem(str(path), line, field_path(loc), f"values nest more than {MAX_YAML_DEPTH} levels deep")])
        if isinstance(node, yaml.MappingNode):
            seen: dict[tuple[str, str], int] = {}
            for key, value in node.value:
                if key.tag == "tag:yaml.org,2002:merge":
                    stack.append((value, loc))
                    continue
                name = key.value if isinstance(key, yaml.ScalarNode) else f"<{type(key).__name__}>"
                where = (key.tag, str(name))
                if where in seen:
                    raise error([Problem(str(path), key.start_mark.line + 1, field_path((*loc, name)),
                                         f"the key is given twice (first on line {seen[where]}); keep one")])
                seen[where] = key.start_mark.line + 1
                stack.append((value, (*loc, name)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*loc, index)) for index, item in enumerate(node.value))
