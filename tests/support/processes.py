"""What ``/proc`` says about the machine's processes: parents, process groups, resident memory.

Linux only: the tests and benchmarks that use it start gunicorn and watch its process tree (the
master, its workers, their query and validation child processes). A process may end while it
is being read; it is then left out, never an error. Standard library only, so that bench/
scripts can import it too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

PROC = "/proc"


@dataclass(frozen=True)
class Stat:
    """The fields of ``/proc/PID/stat`` the helpers use."""

    pid: int
    state: str  # "R", "S", ..., "Z" for a zombie (ended, not yet reaped by its parent)
    ppid: int
    pgid: int


def pids() -> list[int]:
    return [int(entry) for entry in os.listdir(PROC) if entry.isdigit()]


def stat(pid: int) -> Stat | None:
    """``/proc/PID/stat``, or None when the process is gone."""
    try:
        with open(f"{PROC}/{pid}/stat", encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        # Field 2, the command name, is in parentheses and may hold spaces and ")": the fields
        # that follow come after the last ")".
        fields = text[text.rindex(")") + 2:].split()
        return Stat(pid, fields[0], int(fields[1]), int(fields[2]))
    except (OSError, ValueError, IndexError):
        return None


def stats() -> list[Stat]:
    """The stat of every process that is still there."""
    return [s for s in map(stat, pids()) if s is not None]


def children() -> dict[int, list[int]]:
    """Parent pid → the pids of its children, for the whole machine at one moment."""
    out: dict[int, list[int]] = {}
    for s in stats():
        out.setdefault(s.ppid, []).append(s.pid)
    return out


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (children, their children...), ``pid`` first."""
    tree, found, todo = children(), [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(tree.get(current, []))
    return found


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of process group ``pgid``."""
    return [s.pid for s in stats() if s.pgid == pgid and s.state != "Z"]


def _kib_line(path: str, key: str) -> int:
    """The figure of the line of ``path`` that starts with ``key`` (in kB), in bytes; 0 if there is none."""
    try:
        with open(path, encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith(key):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def rss_bytes(pid: int) -> int:
    """Resident memory of ``pid`` (``VmRSS``), 0 if it is gone."""
    return _kib_line(f"{PROC}/{pid}/status", "VmRSS:")


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (0 if it is gone)."""
    return sum(rss_bytes(p) for p in descendants(pid))


def pss_bytes(pid: int) -> int:
    """Proportional memory of ``pid`` (``Pss`` of ``smaps_rollup``: a page shared by n processes counts
    1/n in each), 0 if it is gone. Summed over processes, it is the memory they really hold; RSS
    counts a shared page once per process that maps it (forked children)."""
    return _kib_line(f"{PROC}/{pid}/smaps_rollup", "Pss:")


def tree_pss(pid: int) -> int:
    """Proportional memory of ``pid`` and all its descendants (see :func:`pss_bytes`)."""
    return sum(pss_bytes(p) for p in descendants(pid))


def command_line(pid: int) -> str | None:
    """The command line of ``pid``, its arguments joined by spaces; None if it is gone."""
    try:
        with open(f"{PROC}/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return None
