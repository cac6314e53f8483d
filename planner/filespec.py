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

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import yaml
from pydantic import BaseModel, ConfigDict

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
