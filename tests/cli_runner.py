"""The ``planner`` command as a user runs it: ``python -m planner`` of this interpreter in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_planner(*args: str | Path, cwd: Path = REPO, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
    """``planner ARGS`` run in ``cwd`` with wide, uncoloured output; the finished process (exit code not checked)."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "planner", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=timeout)
