"""Atomic file and directory writes: a failed or interrupted write leaves nothing behind.

Writers produce their output under a temporary name in the target's own directory and rename it into
place only when complete (``os.replace`` is atomic on one file system). A temporary directory holds an
owner file naming the process that writes it, so a folder left by a killed process (SIGKILL, power loss:
no clean-up could run) is recognised by the next writer in the same folder and removed
(:func:`remove_stale_temporaries`), while the folder of a process still running is left alone.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["OWNER_FILE", "atomic_dir", "atomic_path", "remove_stale_temporaries", "write_text_atomic"]

#: The file in a temporary directory naming its writer (``pid``, ``host``, process ``started`` tick).
OWNER_FILE = ".owner.json"


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success rename it to ``target``, else delete it.

    The temporary name keeps ``target``'s suffix so format-sniffing writers (GeoPackage, GeoJSON)
    behave as for the real name.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(
        prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}", dir=target.parent
    )
    os.close(handle)
    temporary = Path(name)
    temporary.unlink()  # writers create the file themselves (some refuse to overwrite)
    try:
        yield temporary
        os.replace(temporary, target)
    finally:
        if temporary.exists():
            temporary.unlink()


def write_text_atomic(target: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``target`` atomically and return the path."""
    with atomic_path(target) as temporary:
        temporary.write_text(text, encoding="utf-8")
    return Path(target)


def _started(pid: int) -> int | None:
    """The start time of process ``pid`` in clock ticks since boot (Linux), to tell a reused pid apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        return int(stat.rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def _owner() -> dict[str, object]:
    return {"pid": os.getpid(), "host": socket.gethostname(), "started": _started(os.getpid())}


def _alive(owner: dict[str, object]) -> bool:
    """Whether the process named by an owner record may still be writing (unknown counts as alive)."""
    if owner.get("host") != socket.gethostname():
        return True  # another machine's process (a shared folder): it cannot be checked from here
    pid = owner.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, owned by another user
    started = owner.get("started")
    now = _started(pid)
    return not (isinstance(started, int) and now is not None and now != started)


@contextlib.contextmanager
def atomic_dir(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary directory beside ``target``; on success rename it to ``target``, else remove it.

    ``target`` must not exist yet (run directories are never overwritten). The temporary directory's
    owner file (:data:`OWNER_FILE`) is removed before the rename.
    """
    target = Path(target)
    if target.exists():
        raise FileExistsError(f"{target} already exists")
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        (temporary / OWNER_FILE).write_text(json.dumps(_owner()), encoding="utf-8")
        yield temporary
        (temporary / OWNER_FILE).unlink(missing_ok=True)
        os.replace(temporary, target)
    finally:
        if temporary.exists():
            shutil.rmtree(temporary, ignore_errors=True)


def remove_stale_temporaries(directory: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporary directories in ``directory`` left by writers that no longer run; return them.

    Only directories made by :func:`atomic_dir` (hidden, ``.tmp`` suffix, with an owner file) whose
    owner process has ended on this machine are removed.
    """
    removed = []
    folder = Path(directory)
    if not folder.is_dir():
        return removed
    for candidate in sorted(folder.glob(".*.tmp")):
        owner_file = candidate / OWNER_FILE
        if not candidate.is_dir() or not owner_file.is_file():
            continue
        try:
            owner = json.loads(owner_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(owner, dict) and not _alive(owner):
            shutil.rmtree(candidate, ignore_errors=True)
            if not candidate.exists():
                removed.append(candidate)
    return removed
