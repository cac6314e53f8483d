"""Shared state and helpers for the CLI modules.

The consoles never interpret text as markup or emoji codes: place names, tier names, titles and paths
are the user's, and ``[bold]`` or ``:smile:`` in them is printed as written. Styling is applied with
:func:`styled` (a :class:`rich.text.Text`), never by formatting markup into a string.
"""

from __future__ import annotations

import json
import math
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.text import Text


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


console: Any = _LazyConsole(highlight=False, markup=False, emoji=False)
err_console: Any = _LazyConsole(stderr=True, highlight=False, markup=False, emoji=False)


@dataclass
class CliState:
    """Global options set by the root callback."""

    debug: bool = False
    quiet: bool = False


STATE = CliState()


class Interrupted(BaseException):  # noqa: N818 - named for what the user did, like KeyboardInterrupt
    """SIGINT or SIGTERM arrived; unwinds like KeyboardInterrupt (clean-ups run) past every ``except Exception``."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_interrupted(signum: int, _frame: object) -> None:
    raise Interrupted(signum)


@contextmanager
def interrupts_unwind() -> Iterator[None]:
    """While active, SIGINT (Ctrl-C) and SIGTERM raise :class:`Interrupted`, so temporary folders are removed."""
    previous = {}
    try:
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, _raise_interrupted)
    except ValueError:  # not the main thread (e.g. the CLI called from a worker): leave signals alone
        pass
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def styled(text: str, style: str) -> Text:
    """``text`` shown in ``style``, with no markup read from it."""
    from rich.text import Text

    return Text(text, style=style)


def plain_json(data: Any) -> Any:
    """``data`` with non-finite floats as None (JSON has no NaN or Infinity)."""
    if isinstance(data, dict):
        return {k: plain_json(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [plain_json(v) for v in data]
    if isinstance(data, float) and not math.isfinite(data):
        return None
    if hasattr(data, "item") and getattr(data, "ndim", None) == 0:  # numpy scalars
        return plain_json(data.item())
    return data


def print_json(data: Any) -> None:
    """Print ``data`` as JSON on stdout (UTF-8, not ASCII-escaped; NaN and infinities as null), for scripts."""
    print(json.dumps(plain_json(data), ensure_ascii=False, indent=2, default=str, allow_nan=False))


def info(message: str) -> None:
    """Print a progress or status line unless ``--quiet`` was given."""
    if not STATE.quiet:
        err_console.print(message, soft_wrap=True)
