"""Shared state and helpers for the CLI modules."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from rich.console import Console

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


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
