"""The writer's side of a store: the write lock, its read-write copy, and the snapshots it keeps.

One writer at a time, across processes (:func:`writer_lock`, ``fcntl.flock`` on
``<store>.writes/lock``). The writer works on its own copy, ``<store>.writes/live``, which
readers never open; ``<store>.writes/LIVE`` names the head that copy equals, or ``dirty`` while
a write is under way, so a copy left behind by a crash is rebuilt from the head
(:func:`open_live`). Published snapshots (:mod:`paradip_kg.store.head`) are pruned to the newest
few (:func:`collect_snapshots`).
"""

from __future__ import annotations

import fcntl
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from paradip_kg.errors import WriteBusy
from paradip_kg.store.head import Head, snapshots_dir, writes_dir

KEEP_SNAPSHOTS = 3  # published snapshots kept besides HEAD's ...
SNAPSHOT_GRACE = 120.0  # ... and any younger than this many seconds (a reader may still be opening it)
RETRY_AFTER = 5  # seconds a client told "busy" is asked to wait before it tries again (Retry-After)


@contextmanager
def writer_lock(store_dir: Path, timeout: float = 30.0) -> Iterator[None]:
    """Hold the store's write lock (exclusive across processes); WriteBusy after ``timeout`` s."""
    folder = writes_dir(store_dir)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "lock", "a+b") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WriteBusy(f"another write held the store for more than {timeout:g} s; try again",
                                    {"Retry-After": str(RETRY_AFTER)}) from None
                time.sleep(0.02)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def open_live(store_dir: Path, head: Head) -> ox.Store:
    """The writer's read-write copy, equal to ``head``; rebuilt from it when it is not."""
    folder = writes_dir(store_dir)
    live, marker = folder / "live", folder / "LIVE"
    current = marker.read_text(encoding="utf-8").strip() if marker.exists() else ""
    if current != head.tag or not live.is_dir():
        if live.exists():
            shutil.rmtree(live)
        ox.Store.read_only(str(head.path)).backup(str(live))
        marker.write_text(head.tag + "\n", encoding="utf-8")
    return ox.Store(str(live))


def mark_live(store_dir: Path, name: str) -> None:
    """Record which head the writer's copy equals now (``dirty``: none, rebuild it before the next write)."""
    (writes_dir(store_dir) / "LIVE").write_text(name + "\n", encoding="utf-8")


def collect_snapshots(store_dir: Path, keep: str) -> None:
    """Remove the old snapshots: all but the newest KEEP_SNAPSHOTS, ``keep`` and the young ones."""
    folder = snapshots_dir(store_dir)
    names = sorted(p.name for p in folder.iterdir() if p.is_dir())
    now = time.time()
    for name in names[:-KEEP_SNAPSHOTS]:
        path = folder / name
        if name != keep and now - path.stat().st_mtime > SNAPSHOT_GRACE:
            shutil.rmtree(path, ignore_errors=True)
