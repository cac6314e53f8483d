"""Shared state and helpers for the CLI modules."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


class _LazyConsole:
    """A :class:`rich.console.Console` made on first use: ``planner --help`` then never imports Rich."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Any = None

    def _get(self) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self._get(), name)

    def __enter__(self) -> Any:  # Rich's live displays hold the console as a context manager
        return self._get().__enter__()

    def __exit__(self, *exc: object) -> None:
        self._get().__exit__(*exc)


console: Any = _LazyConsole(highlight=False)
err_console: Any = _LazyConsole(stderr=True, highlight=False)


@dataclass
class CliState:
    """Global options set by the root callback."""

    debug: bool = False
    quiet: bool = False


STATE = CliState()


def print_json(data: Any) -> None:
    """Print ``data`` as JSON on stdout (UTF-8, not ASCII-escaped), for scripts."""
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def info(message: str) -> None:
    """Print a progress or status line unless ``--quiet`` was given."""
    if not STATE.quiet:
        err_console.print(message)
