"""The head: which folder holds the newest published state of a store, and opening it.

A built store (:mod:`paradip_kg.store.disk`: the build folder its link names) is the state
readers open until a write is accepted. Accepted writes (:mod:`paradip_kg.writes.commit`) never
touch that folder, nor any folder a reader has open: Oxigraph's read-only mode is undefined
while another process writes. The writer publishes each commit as a snapshot
(``<store>.writes/snapshots/NNNNNNNN-xxxxxx``, hard links to RocksDB's immutable files), then
points ``<store>.writes/HEAD`` at it with an atomic rename (:func:`write_head`).
:func:`read_head` tells a reader which folder holds the newest published state and names that
state's version; a HEAD left by an older build, or naming a snapshot that is gone, is ignored
(the built store is the head then).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from paradip_kg.store.disk import Manifest, manifest_path, resolved

WRITES_SUFFIX = ".writes"


def writes_dir(store_dir: Path) -> Path:
    """Where accepted writes live: the writer's copy, the snapshots and HEAD."""
    return store_dir.with_name(store_dir.name + WRITES_SUFFIX)


def snapshots_dir(store_dir: Path) -> Path:
    """The published snapshots, one folder each (HEAD names one of them)."""
    return writes_dir(store_dir) / "snapshots"


def head_path(store_dir: Path) -> Path:
    return writes_dir(store_dir) / "HEAD"


@dataclass(frozen=True)
class Head:
    """The newest published state of a store.

    Attributes:
        path: the folder to open read-only (the built store, or the newest snapshot).
        tag: names the content: equal tags mean equal content.
        modified: when that content was built or last written.
        sequence: number of accepted writes since the build (0: the built store itself).
    """

    path: Path
    tag: str
    modified: datetime
    sequence: int = 0


def built_head(store_dir: Path) -> Head:
    """The head of the built store itself, before any write (its tag is the build's content hash):
    the build folder the store's link names now (:func:`paradip_kg.store.disk.resolved`), which no
    later build changes, so a reader holding it open never reads another build's files."""
    folder = resolved(store_dir)
    manifest = Manifest.read(manifest_path(folder))
    if manifest is not None:
        built = datetime.fromisoformat(manifest.built_at)
        if built.tzinfo is None:
            built = built.replace(tzinfo=UTC)
        return Head(folder, manifest.content_hash, built.replace(microsecond=0))
    # A store written without a manifest (by a test, or by hand) is named by its folder and the
    # names, sizes and times of its files, which change whenever it is rewritten.
    files = sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir())
    newest = max([folder.stat().st_mtime_ns] + [f[2] for f in files])
    modified = datetime.fromtimestamp(newest // 1_000_000_000, tz=UTC)
    files.insert(0, (folder.name, 0, 0))
    return Head(folder, hashlib.sha256(repr(files).encode()).hexdigest(), modified)


def read_head(store_dir: Path) -> Head:
    """The state a reader should open now; FileNotFoundError if nothing was built."""
    if not store_dir.exists():
        raise FileNotFoundError(f"no store at {store_dir}; run `paradip-kg build` first")
    built = built_head(store_dir)
    try:
        record = json.loads(head_path(store_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return built
    if record.get("base") != built.tag:  # HEAD of an older build: the build discarded it
        return built
    snapshot = snapshots_dir(store_dir) / str(record["snapshot"])
    if not snapshot.is_dir():
        return built
    modified = datetime.fromisoformat(record["modified"])
    tag = hashlib.sha256(f"{built.tag}|{record['sequence']}|{record['snapshot']}".encode()).hexdigest()
    return Head(snapshot, tag, modified, int(record["sequence"]))


def write_head(store_dir: Path, snapshot: str, sequence: int, base: str, modified: datetime) -> None:
    """Point HEAD at ``snapshot``, durably: write a temporary file, fsync it, rename, fsync the folder."""
    folder = writes_dir(store_dir)
    tmp = folder / "HEAD.tmp"
    data = json.dumps({"snapshot": snapshot, "sequence": sequence, "base": base,
                       "modified": modified.isoformat(timespec="seconds")}, sort_keys=True)
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(data + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, folder / "HEAD")
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def open_head(store_dir: Path) -> tuple[ox.Store, Head]:
    """Open the newest published state read-only, with its head."""
    head = read_head(store_dir)
    return ox.Store.read_only(str(head.path)), head


def open_store(store_dir: Path) -> ox.Store:
    """Open the newest published state of a store read-only (any number of processes may do so
    at once): the built folder, or the snapshot of the last accepted write (:func:`read_head`)."""
    return ox.Store.read_only(str(read_head(store_dir).path))
